// Small dense-matrix helpers for LoRA factors (row-major Float32Array).
import { addLowRankProductWasm, type LowRankProductArgs } from './low-rank-wasm.js'

/** [rows, cols] row-major -> [cols, rows]. */
export function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!
  return out
}

/**
 * target[rows, width] += scale * left[rows, rank] @ right[rank, width], all row-major: in WebAssembly SIMD where the
 * runtime has it (low-rank-wasm.ts, the same result bit for bit), else in JS.
 */
export function addLowRankProduct(...args: LowRankProductArgs): void {
  if (!addLowRankProductWasm(...args)) addLowRankProductJs(...args)
}

/**
 * addLowRankProduct in JS. Eight ranks per pass over a target row: the row is read and written once per eight
 * products, and each sum is formed in double precision before its one rounding to float32 (2.5x the speed of one
 * rank per pass).
 */
export function addLowRankProductJs(
  target: Float32Array,
  rows: number,
  width: number,
  rank: number,
  left: Float32Array,
  right: Float32Array,
  scale: number,
): void {
  for (let i = 0; i < rows; i++) {
    const row = i * width
    const l = i * rank
    let r = 0
    for (; r + 8 <= rank; r += 8) {
      const c0 = scale * left[l + r]!
      const c1 = scale * left[l + r + 1]!
      const c2 = scale * left[l + r + 2]!
      const c3 = scale * left[l + r + 3]!
      const c4 = scale * left[l + r + 4]!
      const c5 = scale * left[l + r + 5]!
      const c6 = scale * left[l + r + 6]!
      const c7 = scale * left[l + r + 7]!
      const s0 = r * width
      const [s1, s2, s3, s4, s5, s6, s7] = [s0 + width, s0 + 2 * width, s0 + 3 * width, s0 + 4 * width, s0 + 5 * width, s0 + 6 * width, s0 + 7 * width]
      for (let j = 0; j < width; j++) {
        target[row + j] =
          target[row + j]! +
          (c0 * right[s0 + j]! + c1 * right[s1 + j]! + c2 * right[s2 + j]! + c3 * right[s3 + j]!) +
          (c4 * right[s4 + j]! + c5 * right[s5 + j]! + c6 * right[s6 + j]! + c7 * right[s7 + j]!)
      }
    }
    for (; r < rank; r++) {
      const c = scale * left[l + r]!
      if (c === 0) continue
      const s = r * width
      for (let j = 0; j < width; j++) target[row + j] = target[row + j]! + c * right[s + j]!
    }
  }
}
