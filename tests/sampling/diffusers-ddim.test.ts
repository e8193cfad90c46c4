// Port of diffusers tests/schedulers/test_scheduler_ddim.py (deterministic tests), same numbers and tolerances.
import { describe, expect, it } from 'vitest'
import { createScheduler, DdimScheduler } from '../../src/sampling/index.js'
import { absMean, absSum, dummyNoiseDeter, dummySampleDeter, expectClose, plainLoop } from './diffusers-harness.js'

const TEST_CONFIG = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true }

function fullLoop(overrides: Record<string, unknown> = {}): Float32Array {
  const scheduler = createScheduler('ddim', { ...TEST_CONFIG, ...overrides })
  scheduler.setTimesteps(10)
  return plainLoop(scheduler, dummySampleDeter(), scheduler.timesteps, () => ({ eta: 0 }))
}

describe('diffusers DDIMScheduler tests', () => {
  it('test_full_loop_no_noise', () => {
    const sample = fullLoop()
    expectClose(absSum(sample), 172.0067, 1e-2)
    expectClose(absMean(sample), 0.223967, 1e-3)
  })

  it('test_full_loop_with_v_prediction', () => {
    const sample = fullLoop({ prediction_type: 'v_prediction' })
    expectClose(absSum(sample), 52.5302, 1e-2)
    expectClose(absMean(sample), 0.0684, 1e-3)
  })

  it('test_full_loop_with_set_alpha_to_one', () => {
    const sample = fullLoop({ set_alpha_to_one: true, beta_start: 0.01 })
    expectClose(absSum(sample), 149.8295, 1e-2)
    expectClose(absMean(sample), 0.1951, 1e-3)
  })

  it('test_full_loop_with_no_set_alpha_to_one', () => {
    const sample = fullLoop({ set_alpha_to_one: false, beta_start: 0.01 })
    expectClose(absSum(sample), 149.0784, 1e-2)
    expectClose(absMean(sample), 0.1941, 1e-3)
  })

  it('test_full_loop_with_noise', () => {
    const scheduler = createScheduler('ddim', TEST_CONFIG)
    scheduler.setTimesteps(10)
    const timesteps = scheduler.timesteps.slice(8)
    const noised = scheduler.addNoise(dummySampleDeter(), dummyNoiseDeter(), timesteps[0]!)
    const sample = plainLoop(scheduler, noised, timesteps, () => ({ eta: 0 }))
    expectClose(absSum(sample), 354.5418, 1e-2)
    expectClose(absMean(sample), 0.4616, 1e-3)
  })

  it('test_steps_offset', () => {
    const scheduler = createScheduler('ddim', { ...TEST_CONFIG, steps_offset: 1 })
    scheduler.setTimesteps(5)
    expect(scheduler.timesteps).toEqual([801, 601, 401, 201, 1])
  })

  it('test_variance', () => {
    const scheduler = new DdimScheduler(TEST_CONFIG)
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [420, 400, 0.14771],
      [980, 960, 0.3246],
      [487, 486, 0.00979],
      [999, 998, 0.02],
    ]
    for (const [t, prev, expected] of cases) expectClose(scheduler.variance(t, prev), expected, 1e-5)
  })

  it('test_num_inference_steps_zero_raises', () => {
    const scheduler = createScheduler('ddim', TEST_CONFIG)
    expect(() => scheduler.setTimesteps(0)).toThrow(/num_inference_steps.*positive integer, got 0/)
  })
})
