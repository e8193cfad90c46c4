// IEEE 754 half <-> single precision conversion (round to nearest, ties to even), as numpy/torch do.

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

export function float32ToFloat16Bits(value: number): number {
  f32[0] = value
  const x = u32[0]!
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

export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

export function float32ArrayToFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!)
  return out
}

export function float16ArrayToFloat32(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length)
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]!)
  return out
}
