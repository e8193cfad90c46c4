// Port of diffusers tests/schedulers/test_scheduler_tcd.py (deterministic tests), same numbers and tolerances.
import { describe, expect, it } from 'vitest'
import { TcdScheduler } from '../../src/sampling/index.js'
import { absMean, absSum, CONSISTENCY_TEST_CONFIG, dummySampleDeter, expectClose, plainLoop } from './diffusers-harness.js'

const TEST_CONFIG = CONSISTENCY_TEST_CONFIG

function fullLoop(steps: number): Float32Array {
  const scheduler = new TcdScheduler(TEST_CONFIG)
  scheduler.setTimesteps(steps)
  // eta (gamma) 0: deterministic, so the test's generator is never drawn from.
  return plainLoop(scheduler, dummySampleDeter(), scheduler.timesteps, () => ({ eta: 0 }))
}

describe('diffusers TCDScheduler tests', () => {
  it('test_full_loop_onestep_deter', () => {
    const sample = fullLoop(1)
    expectClose(absSum(sample), 29.8715, 1e-3)
    expectClose(absMean(sample), 0.0389, 1e-3)
  })

  it('test_full_loop_multistep_deter', () => {
    const sample = fullLoop(10)
    expectClose(absSum(sample), 181.204, 1e-3)
    expectClose(absMean(sample), 0.2359, 1e-3)
  })

  it('test_custom_timesteps', () => {
    const scheduler = new TcdScheduler(TEST_CONFIG)
    const timesteps = [100, 87, 50, 1, 0]
    scheduler.setTimesteps(timesteps.length, { timesteps })
    expect(scheduler.timesteps).toEqual(timesteps)
    scheduler.timesteps.forEach((t, i) => {
      expect(scheduler.previousTimestep(t)).toBe(i === timesteps.length - 1 ? -1 : timesteps[i + 1])
    })
  })

  it('test_custom_timesteps_increasing_order', () => {
    const scheduler = new TcdScheduler(TEST_CONFIG)
    expect(() => scheduler.setTimesteps(5, { timesteps: [100, 87, 50, 51, 0] })).toThrow(
      '`custom_timesteps` must be in descending order.',
    )
  })

  it('test_custom_timesteps_too_large', () => {
    const scheduler = new TcdScheduler(TEST_CONFIG)
    expect(() => scheduler.setTimesteps(1, { timesteps: [1000] })).toThrow(
      '`timesteps` must start before `self.config.train_timesteps`: 1000.',
    )
  })

  it('test_inference_steps / test_time_indices: the hardcoded timesteps are on their schedules', () => {
    // diffusers steps at t = 99, 39, 39, 19 for 10, 25, 26, 50 steps: each must be the schedule's last timestep.
    for (const [t, steps] of [[99, 10], [39, 25], [39, 26], [19, 50]] as const) {
      const scheduler = new TcdScheduler(TEST_CONFIG)
      scheduler.setTimesteps(steps)
      expect(scheduler.timesteps.at(-1)).toBe(t)
    }
  })
})
