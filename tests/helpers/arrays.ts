// Comparing model outputs: the largest elementwise difference, and the largest magnitude to scale tolerances by.
import { expect } from 'vitest'

/** max |a[i] - b[i]| over [from, to): whole arrays of one length, or a range both arrays hold. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to?: number): number {
  if (to === undefined) {
    expect(a.length).toBe(b.length)
    to = a.length
  }
  expect(Math.min(a.length, b.length)).toBeGreaterThanOrEqual(to)
  let m = 0
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

/** max |a[i]|. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!))
  return m
}

/** Mean and max absolute difference over the RGB channels of two RGBA images, in 8-bit levels (alpha skipped). */
export function rgbDifference(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number } {
  expect(a.length).toBe(b.length)
  let sum = 0
  let max = 0
  let count = 0
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue
    const d = Math.abs(a[i]! - b[i]!)
    sum += d
    max = Math.max(max, d)
    count++
  }
  return { mean: sum / count, max }
}
