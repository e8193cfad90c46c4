// The merge kernel: target += scale * left @ right, checked against a float64 product for ranks on both sides of
// its eight-rank blocks; the WebAssembly kernel against the JS loop, bit for bit; and the transpose helper.
import { describe, expect, it } from 'vitest'
import { addLowRankProductWasm, lowRankWasmAvailable } from '../../src/lora/low-rank-wasm.js'
import { addLowRankProduct, addLowRankProductJs, transpose } from '../../src/lora/matrix.js'
import { signedLeb, unsignedLeb } from '../../src/lora/wasm-bytes.js'

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * (1 + (i % 5)))
}

const bits = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length)

/** Where two float arrays first differ in their bits (-1: nowhere), so a failure prints one index, not megabytes. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  const [x, y] = [bits(a), bits(b)]
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i
  return -1
}

describe.each([
  ['addLowRankProduct', addLowRankProduct],
  ['the JS loop', addLowRankProductJs],
])('%s', (_name, kernel) => {
  it.each([1, 3, 8, 9, 16, 21])('adds scale * left @ right for rank %i', (rank) => {
    const [rows, width, scale] = [7, 13, -0.75]
    const left = values(rows * rank, rank)
    const right = values(rank * width, rank + 100)
    const base = values(rows * width, 3)
    const target = base.slice()
    kernel(target, rows, width, rank, left, right, scale)
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < width; j++) {
        let sum = 0
        for (let r = 0; r < rank; r++) sum += left[i * rank + r]! * right[r * width + j]!
        const expected = base[i * width + j]! + scale * sum
        expect(Math.abs(target[i * width + j]! - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)))
      }
    }
    // Scale 0 leaves the target bit for bit.
    const untouched = base.slice()
    kernel(untouched, rows, width, rank, left, right, 0)
    expect(untouched).toEqual(base)
  })
})

describe('the WebAssembly kernel', () => {
  it('runs here (Node has WebAssembly SIMD, as the browsers the app supports do)', () => {
    expect(lowRankWasmAvailable()).toBe(true)
  })

  it.each([1, 2, 7, 8, 9, 15, 16, 17, 64])('gives the JS loop bit for bit at rank %i', (rank) => {
    for (const [rows, width] of [[1, 1], [5, 2], [7, 13], [16, 64], [3, 577]] as const) {
      for (const scale of [1, -0.75, 1e-3, 0]) {
        const left = values(rows * rank, rank)
        const right = values(rank * width, rank + 100)
        // Zeros in left: the JS loop skips a zero coefficient outside the eight-rank blocks; the kernel must too.
        left[0] = 0
        const js = values(rows * width, 3)
        js[1 % js.length] = -0
        const wasm = js.slice()
        addLowRankProductJs(js, rows, width, rank, left, right, scale)
        expect(addLowRankProductWasm(wasm, rows, width, rank, left, right, scale)).toBe(true)
        expect(firstDifference(wasm, js)).toBe(-1)
      }
    }
  })

  it('touches only rows x width of a longer target, and reads only the factors its shapes name', () => {
    const [rows, width, rank] = [3, 5, 9]
    const target = values(rows * width + 4, 1)
    const expected = target.slice()
    const left = values(rows * rank + 3, 2)
    const right = values(rank * width + 3, 3)
    addLowRankProductJs(expected.subarray(0, rows * width), rows, width, rank, left, right, 0.5)
    expect(addLowRankProductWasm(target, rows, width, rank, left, right, 0.5)).toBe(true)
    expect(firstDifference(target, expected)).toBe(-1)
  })

  it('declines, changing nothing, when an array is shorter than its shape', () => {
    const target = values(6, 1)
    const before = target.slice()
    expect(addLowRankProductWasm(target, 2, 3, 2, values(3, 2), values(6, 3), 1)).toBe(false)
    expect(addLowRankProductWasm(target, 2, 3, 2, values(4, 2), values(5, 3), 1)).toBe(false)
    expect(addLowRankProductWasm(target, 3, 3, 2, values(6, 2), values(6, 3), 1)).toBe(false)
    expect(target).toEqual(before)
  })

  it('grows its memory for a large layer and still runs small ones after it', () => {
    // 1280 x 2304 (an SDXL 3x3 convolution's rows) at rank 64: 12 MB of target, past the first memory size.
    const [rows, width, rank] = [1280, 2304, 64]
    const left = values(rows * rank, 4)
    const right = values(rank * width, 5)
    const js = new Float32Array(rows * width)
    const wasm = new Float32Array(rows * width)
    addLowRankProductJs(js, rows, width, rank, left, right, 0.25)
    expect(addLowRankProductWasm(wasm, rows, width, rank, left, right, 0.25)).toBe(true)
    expect(firstDifference(wasm, js)).toBe(-1)
    const small = values(4, 6)
    const smallJs = small.slice()
    addLowRankProductJs(smallJs, 2, 2, 1, values(2, 7), values(2, 8), 1)
    expect(addLowRankProductWasm(small, 2, 2, 1, values(2, 7), values(2, 8), 1)).toBe(true)
    expect(firstDifference(small, smallJs)).toBe(-1)
  })
})

describe('LEB128 numbers in the module', () => {
  it('encodes unsigned and signed values as the format specifies', () => {
    expect(unsignedLeb(0)).toEqual([0])
    expect(unsignedLeb(127)).toEqual([0x7f])
    expect(unsignedLeb(128)).toEqual([0x80, 0x01])
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26])
    expect(signedLeb(-2)).toEqual([0x7e])
    expect(signedLeb(63)).toEqual([0x3f])
    expect(signedLeb(64)).toEqual([0xc0, 0x00])
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78])
  })
})

describe('transpose', () => {
  it('swaps rows and columns', () => {
    expect(Array.from(transpose(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6])
  })
})
