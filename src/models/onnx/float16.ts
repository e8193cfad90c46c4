// IEEE 754 half <-> single precision conversion (round to nearest, ties to even), as numpy/torch do.
// The array forms are the hot path (a full-size fp16 UNet's LoRA merge converts 860M weights each way): half to
// single is a table lookup, single to half works on the float32 bits with the common (normal) case inline.

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** The float32 value of every float16 bit pattern (256 KB), built on first use. */
let halfTable: Float32Array | undefined

function decodeHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

function table(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536)
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = decodeHalf(bits)
  }
  return halfTable
}

/** float16 bits of float32 bits `x` (the value as stored in a Float32Array). */
function halfOfSingleBits(x: number): number {
  const sign = (x >>> 16) & 0x8000
  const exponent = (x >>> 23) & 0xff
  let mantissa = x & 0x7fffff
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0) // NaN keeps a payload bit
  const e = exponent - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00 // overflow -> infinity
  if (e <= 0) {
    if (e < -10) return sign // underflow -> signed zero
    mantissa |= 0x800000 // subnormal half: shift in the implicit bit
    const shift = 14 - e
    const half = mantissa >>> shift
    const remainder = mantissa & ((1 << shift) - 1)
    const midpoint = 1 << (shift - 1)
    const roundUp = remainder > midpoint || (remainder === midpoint && (half & 1) === 1)
    return sign | (half + (roundUp ? 1 : 0))
  }
  const half = (e << 10) | (mantissa >>> 13)
  const remainder = mantissa & 0x1fff
  const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)
  return sign | (half + (roundUp ? 1 : 0)) // a carry into the exponent is the correct rounding
}

export function float32ToFloat16Bits(value: number): number {
  f32[0] = value
  return halfOfSingleBits(u32[0]!)
}

export function float16BitsToFloat32(bits: number): number {
  return table()[bits & 0xffff]!
}

/** `values` as float16 bits, into `out` when given (at least as long; fresh memory is costly at multi-GB sizes). */
export function float32ArrayToFloat16(values: ArrayLike<number>, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  if (!(values instanceof Float32Array)) {
    for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!)
    return out
  }
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length)
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i]!
    const exponent = (x >>> 23) & 0xff
    // Normal halves (float32 exponents 113 to 142), the common case, inline; the rest as above.
    if (exponent >= 113 && exponent <= 142) {
      const half = ((exponent - 112) << 10) | ((x & 0x7fffff) >>> 13)
      const remainder = x & 0x1fff
      out[i] = ((x >>> 16) & 0x8000) | (half + (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1) ? 1 : 0))
    } else out[i] = halfOfSingleBits(x)
  }
  return out
}

/** float32 values of float16 `bits`, into `out` when given (at least as long). */
export function float16ArrayToFloat32(bits: ArrayLike<number>, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  const lookup = table()
  for (let i = 0; i < bits.length; i++) out[i] = lookup[bits[i]! & 0xffff]!
  return out
}
