import { describe, expect, it } from 'vitest'
import { convertTensor, float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToFloat16, float32ToFloat16Bits, hostTensor, toFloat32 } from '../../src/runtime/index.js'

describe('float32 -> float16 bits', () => {
  // Expected bit patterns: IEEE 754 binary16, checked against numpy's float32 -> float16 astype.
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [65520, 0x7c00], // halfway to 65536 rounds (to even) up to infinity
    [65519.99, 0x7bff],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // exactly half the smallest subnormal: ties to even -> 0
    [2 ** -25 * 1.5, 0x0001], // above the halfway point rounds up
    [3 * 2 ** -25, 0x0002], // 1.5 subnormal steps: tie between 1 and 2, even is 2
    [2 ** -26, 0x0000], // underflow
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half (1 + 2^-10): ties to even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between 1+2^-10 and 1+2^-9: ties to even (0x3c02)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above halfway rounds up
    [0.1, 0x2e66],
    [2048 + 1, 0x6800], // 2049 is not representable; tie -> 2048
    [2048 + 3, 0x6802], // 2051: tie between 2050 and 2052 -> 2052 (even mantissa)
  ])('%d -> 0x%s', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits)
  })

  it('keeps NaN a NaN', () => {
    const bits = float32ToFloat16Bits(Number.NaN)
    expect(bits & 0x7c00).toBe(0x7c00)
    expect(bits & 0x03ff).not.toBe(0)
    expect(float16BitsToFloat32(bits)).toBeNaN()
  })
})

describe('float16 bits -> float32', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x0400, 2 ** -14],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
    [0x3555, 0.333251953125],
  ])('0x%s -> %d', (bits, value) => {
    expect(float16BitsToFloat32(bits)).toBe(value)
  })

  it('round-trips every finite half exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue
      const back = float32ToFloat16Bits(float16BitsToFloat32(bits))
      if (back !== bits) throw new Error(`0x${bits.toString(16)} came back as 0x${back.toString(16)}`)
    }
    expect(float16BitsToFloat32(0x8000)).toBe(-0)
  })
})

describe('convertTensor', () => {
  it('converts float32 <-> float16 with rounding', () => {
    const t = hostTensor('float32', [2, 2], Float32Array.from([1, -2, 0.1, 70000]))
    const half = convertTensor(t, 'float16')
    expect(half.dtype).toBe('float16')
    expect(half.dims).toEqual([2, 2])
    expect(Array.from(half.data as Uint16Array)).toEqual([0x3c00, 0xc000, 0x2e66, 0x7c00])
    expect(Array.from(toFloat32(half))).toEqual([1, -2, float16BitsToFloat32(0x2e66), Infinity])
  })

  it('converts timesteps and ids between float32, int32 and int64', () => {
    const timestep = hostTensor('float32', [1], Float32Array.from([999]))
    expect(convertTensor(timestep, 'int64').data).toEqual(BigInt64Array.from([999n]))
    const ids = hostTensor('int32', [1, 3], Int32Array.from([49406, 320, 49407]))
    expect(convertTensor(ids, 'int64').data).toEqual(BigInt64Array.from([49406n, 320n, 49407n]))
    expect(convertTensor(convertTensor(ids, 'int64'), 'int32').data).toEqual(ids.data)
    expect(convertTensor(hostTensor('int64', [1], BigInt64Array.from([749n])), 'float16').data).toEqual(Uint16Array.from([float32ToFloat16Bits(749)]))
  })

  it('returns the same tensor when the dtype already matches', () => {
    const t = hostTensor('int32', [1], Int32Array.from([7]))
    expect(convertTensor(t, 'int32')).toBe(t)
  })

  it('names the input when a value does not fit', () => {
    const big = hostTensor('int64', [1], BigInt64Array.from([2n ** 40n]))
    expect(() => convertTensor(big, 'int32', 'input "input_ids"')).toThrow(/input "input_ids": value 1099511627776 does not fit int32/)
    expect(() => convertTensor(hostTensor('float32', [1], Float32Array.from([NaN])), 'int64', 'timestep')).toThrow(/NaN.*timestep/)
  })

  it('rejects mismatched arrays and dims', () => {
    expect(() => hostTensor('float32', [2], Int32Array.from([1, 2]))).toThrow(/float32 tensor needs a Float32Array, got Int32Array/)
    expect(() => hostTensor('float32', [2, 2], new Float32Array(3))).toThrow(/hold 4 values, data has 3/)
  })

  it('converts arrays in bulk like one at a time', () => {
    const values = Float32Array.from([0, 1e-8, 6e-5, 3.14159, -65504, 1e6])
    expect(Array.from(float32ArrayToFloat16(values))).toEqual(Array.from(values, (v) => float32ToFloat16Bits(v)))
  })

  it('converts float32 arrays in bulk (the inline normal-range path) bit for bit like one at a time', () => {
    // Random bit patterns (NaNs, infinities, subnormals included), and every exponent from 110 to 145 (either side
    // of the inline path's 113-142) with mantissas at and around the rounding midpoint.
    let state = 12345
    const random = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0)
    const bits = new Uint32Array(300_000)
    for (let i = 0; i < 200_000; i++) bits[i] = random()
    let i = 200_000
    for (let exponent = 110; exponent <= 145; exponent++) {
      for (const mantissa of [0, 1, 0xfff, 0x1000, 0x1001, 0x2000, 0x3000, 0x7fe000, 0x7fefff, 0x7ff000, 0x7fffff]) {
        for (const sign of [0, 0x80000000]) bits[i++] = (sign | (exponent << 23) | mantissa) >>> 0
      }
    }
    const values = new Float32Array(bits.buffer, 0, i)
    const bulk = float32ArrayToFloat16(values)
    const mismatches = Array.from(values.keys()).filter((k) => bulk[k] !== float32ToFloat16Bits(values[k]!))
    expect(mismatches.slice(0, 5).map((k) => bits[k]!.toString(16))).toEqual([])
    // Offset views convert their own elements.
    expect(Array.from(float32ArrayToFloat16(values.subarray(7, 12)))).toEqual(Array.from(bulk.subarray(7, 12)))
  })

  it('decodes every float16 bit pattern in bulk like one at a time, -0 and NaN included', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, k) => k)
    const bulk = float16ArrayToFloat32(all)
    for (let k = 0; k < 65536; k++) expect(Object.is(bulk[k], float16BitsToFloat32(k)) || (Number.isNaN(bulk[k]) && Number.isNaN(float16BitsToFloat32(k)))).toBe(true)
    expect(Object.is(bulk[0x8000], -0)).toBe(true)
    expect(bulk[0x3555]).toBe(float16BitsToFloat32(0x3555))
    // Every finite half survives the trip back.
    const finite = all.filter((k) => (k & 0x7c00) !== 0x7c00)
    expect(Array.from(float32ArrayToFloat16(float16ArrayToFloat32(finite)))).toEqual(Array.from(finite))
  })
})
