// diffusers' scheduler test fixtures (tests/schedulers/test_schedulers.py), ported: the deterministic sample
// (arange(768) laid out as (3,8,8,4), divided by 768, permuted to (4,3,8,8)), the deterministic noise (the same
// with the arange reversed), and the dummy model x * t / (t + 1) evaluated in float32. Arrays here are the
// contiguous (4,3,8,8) order, which is the order torch.randn fills, so seeded noise pairs with the same elements.
import { expect } from 'vitest'
import type { Scheduler, StepOptions } from '../../src/sampling/index.js'

export const NUM_ELEMS = 4 * 3 * 8 * 8

/** The arange index k held at each contiguous (b, c, h, w) position after the permute. */
function permutedIndex(flat: number): number {
  const w = flat % 8
  const h = Math.floor(flat / 8) % 8
  const c = Math.floor(flat / 64) % 3
  const b = Math.floor(flat / 192)
  return ((c * 8 + h) * 8 + w) * 4 + b
}

export function dummySampleDeter(): Float32Array {
  return Float32Array.from({ length: NUM_ELEMS }, (_, i) => permutedIndex(i) / NUM_ELEMS)
}

export function dummyNoiseDeter(): Float32Array {
  return Float32Array.from({ length: NUM_ELEMS }, (_, i) => (NUM_ELEMS - 1 - permutedIndex(i)) / NUM_ELEMS)
}

export function dummyModel(sample: Float32Array, t: number): Float32Array {
  const tf = Math.fround(t)
  const denom = Math.fround(tf + 1)
  return sample.map((x) => Math.fround(Math.fround(x * tf) / denom))
}

export function scale(sample: Float32Array, factor: number): Float32Array {
  return sample.map((x) => x * factor)
}

export function absSum(x: Float32Array): number {
  let s = 0
  for (const v of x) s += Math.abs(v)
  return s
}

export function absMean(x: Float32Array): number {
  return absSum(x) / x.length
}

/** diffusers' plain loop: residual = model(sample, t); sample = step(residual, t, sample). */
export function plainLoop(
  scheduler: Scheduler,
  sample: Float32Array,
  timesteps: number[],
  stepOpts: (t: number) => StepOptions = () => ({}),
): Float32Array {
  let x = sample
  for (const t of timesteps) x = scheduler.step(dummyModel(x, t), t, x, stepOpts(t))
  return x
}

/** diffusers' Euler loop, including its quirk of stepping from the *scaled* sample. */
export function eulerLoop(scheduler: Scheduler, sample: Float32Array, timesteps: number[]): Float32Array {
  let x = sample
  for (const t of timesteps) {
    x = scheduler.scaleModelInput(x, t)
    x = scheduler.step(dummyModel(x, t), t, x)
  }
  return x
}

/** diffusers' `abs(actual - expected) < tolerance`, with both numbers in the failure message. */
export function expectClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(tolerance)
}

/** get_scheduler_config() of diffusers' LCM and TCD tests (the SD base betas). */
export const CONSISTENCY_TEST_CONFIG = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  prediction_type: 'epsilon',
}
