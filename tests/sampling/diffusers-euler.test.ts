// Port of diffusers tests/schedulers/test_scheduler_euler.py (deterministic tests), same numbers and tolerances.
import { describe, expect, it } from 'vitest'
import { EulerScheduler } from '../../src/sampling/index.js'
import { absMean, absSum, dummyNoiseDeter, dummySampleDeter, eulerLoop, expectClose, scale } from './diffusers-harness.js'

const TEST_CONFIG = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }
const STEPS = 10

function fullLoop(overrides: Record<string, unknown> = {}): Float32Array {
  const scheduler = new EulerScheduler({ ...TEST_CONFIG, ...overrides })
  scheduler.setTimesteps(STEPS)
  return eulerLoop(scheduler, scale(dummySampleDeter(), scheduler.initNoiseSigma), scheduler.timesteps)
}

function fullLoopCustomTimesteps(overrides: Record<string, unknown>): Float32Array {
  const reference = new EulerScheduler({ ...TEST_CONFIG, ...overrides })
  reference.setTimesteps(STEPS)
  const scheduler = new EulerScheduler({ ...TEST_CONFIG, ...overrides })
  scheduler.setTimesteps(STEPS, { timesteps: reference.timesteps })
  return eulerLoop(scheduler, scale(dummySampleDeter(), scheduler.initNoiseSigma), scheduler.timesteps)
}

function fullLoopCustomSigmas(overrides: Record<string, unknown>): Float32Array {
  const reference = new EulerScheduler({ ...TEST_CONFIG, ...overrides })
  reference.setTimesteps(STEPS)
  const scheduler = new EulerScheduler({ ...TEST_CONFIG, ...overrides })
  scheduler.setTimesteps(0, { sigmas: Array.from(reference.sigmas) })
  return eulerLoop(scheduler, scale(dummySampleDeter(), scheduler.initNoiseSigma), scheduler.timesteps)
}

const absDiffSum = (a: Float32Array, b: Float32Array): number => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0)

describe('diffusers EulerDiscreteScheduler tests', () => {
  it('test_full_loop_no_noise (and test_full_loop_device, the same loop)', () => {
    const sample = fullLoop()
    expectClose(absSum(sample), 10.0807, 1e-2)
    expectClose(absMean(sample), 0.0131, 1e-3)
  })

  it('test_full_loop_with_v_prediction', () => {
    const sample = fullLoop({ prediction_type: 'v_prediction' })
    expectClose(absSum(sample), 0.0002, 1e-2)
    expectClose(absMean(sample), 2.2676e-6, 1e-3)
  })

  it('test_full_loop_device_karras_sigmas', () => {
    const sample = fullLoop({ use_karras_sigmas: true })
    expectClose(absSum(sample), 124.52299499511719, 1e-2)
    expectClose(absMean(sample), 0.16213932633399963, 1e-3)
  })

  it('test_full_loop_with_noise', () => {
    const scheduler = new EulerScheduler(TEST_CONFIG)
    scheduler.setTimesteps(STEPS)
    const timesteps = scheduler.timesteps.slice(STEPS - 2)
    const start = scale(dummySampleDeter(), scheduler.initNoiseSigma)
    const noised = scheduler.addNoise(start, dummyNoiseDeter(), timesteps[0]!)
    const sample = eulerLoop(scheduler, noised, timesteps)
    expectClose(absSum(sample), 57062.9297, 1e-2)
    expectClose(absMean(sample), 74.3007, 1e-3)
  })

  it('test_custom_timesteps', () => {
    for (const prediction_type of ['epsilon', 'sample', 'v_prediction']) {
      for (const interpolation_type of ['linear', 'log_linear']) {
        for (const final_sigmas_type of ['sigma_min', 'zero']) {
          const config = { prediction_type, interpolation_type, final_sigmas_type }
          const a = fullLoop(config)
          const b = fullLoopCustomTimesteps(config)
          let diff = 0
          for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!)
          expect(diff, JSON.stringify(config)).toBeLessThan(1e-5)
        }
      }
    }
  })

  it('test_custom_sigmas', () => {
    for (const prediction_type of ['epsilon', 'sample', 'v_prediction']) {
      for (const final_sigmas_type of ['sigma_min', 'zero']) {
        const config = { prediction_type, final_sigmas_type }
        expect(absDiffSum(fullLoop(config), fullLoopCustomSigmas(config)), JSON.stringify(config)).toBeLessThan(1e-5)
      }
    }
  })
})
