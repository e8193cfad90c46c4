// The merge kernel: target += scale * left @ right, checked against a float64 product for ranks on both sides of
// its eight-rank blocks, and the transpose helper it is used with.
import { describe, expect, it } from 'vitest'
import { addLowRankProduct, transpose } from '../../src/lora/matrix.js'

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * (1 + (i % 5)))
}

describe('addLowRankProduct', () => {
  it.each([1, 3, 8, 9, 16, 21])('adds scale * left @ right for rank %i', (rank) => {
    const [rows, width, scale] = [7, 13, -0.75]
    const left = values(rows * rank, rank)
    const right = values(rank * width, rank + 100)
    const base = values(rows * width, 3)
    const target = base.slice()
    addLowRankProduct(target, rows, width, rank, left, right, scale)
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
    addLowRankProduct(untouched, rows, width, rank, left, right, 0)
    expect(untouched).toEqual(base)
  })

  it('transpose swaps rows and columns', () => {
    expect(Array.from(transpose(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6])
  })
})
