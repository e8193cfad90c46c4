// Euler's other sigma schedules, as diffusers builds them: exponential and beta families between sigma_max and
// sigma_min, custom sigmas, and continuous timesteps (0.25 log sigma) for v-prediction models.
import { describe, expect, it } from 'vitest'
import { createScheduler, EulerScheduler } from '../../src/sampling/index.js'
import { sigmaToT } from '../../src/sampling/euler.js'
import { dummySampleDeter, eulerLoop, scale } from './diffusers-harness.js'

const SD = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' }

function schedule(config: Record<string, unknown>, steps = 8): EulerScheduler {
  const scheduler = new EulerScheduler({ ...SD, ...config })
  scheduler.setTimesteps(steps)
  return scheduler
}

describe('Euler sigma schedules', () => {
  const plain = schedule({})
  const [sigmaMax, sigmaMin] = [plain.sigmas[0]!, plain.sigmas[plain.sigmas.length - 2]!]

  it('exponential sigmas are evenly spaced in log sigma from sigma_max to sigma_min, then 0', () => {
    const s = schedule({ use_exponential_sigmas: true })
    expect(s.sigmas.length).toBe(9)
    expect(s.sigmas[8]).toBe(0)
    for (let i = 0; i < 8; i++) {
      const expected = Math.exp(Math.log(sigmaMax) + (i / 7) * (Math.log(sigmaMin) - Math.log(sigmaMax)))
      expect(s.sigmas[i]!).toBeCloseTo(expected, 4)
    }
    // The timesteps are the training timesteps of those sigmas (fractional, descending).
    expect(s.timesteps[0]).toBeCloseTo(999, 3)
    expect(s.timesteps.every((t, i) => i === 0 || t < s.timesteps[i - 1]!)).toBe(true)
  })

  it('beta sigmas run from sigma_max to sigma_min, denser at both ends and symmetric (Beta(0.6, 0.6))', () => {
    const s = schedule({ use_beta_sigmas: true }, 9)
    const sig = Array.from(s.sigmas.subarray(0, 9))
    expect(sig[0]).toBeCloseTo(sigmaMax, 4)
    expect(sig[8]).toBeCloseTo(sigmaMin, 5)
    for (let i = 0; i < 9; i++) expect(sig[i]! - sigmaMin + (sig[8 - i]! - sigmaMin)).toBeCloseTo(sigmaMax - sigmaMin, 3)
    const gaps = sig.slice(1).map((v, i) => sig[i]! - v)
    expect(gaps[0]!).toBeLessThan(gaps[4]!)
    expect(gaps[7]!).toBeLessThan(gaps[4]!)
    // A different schedule from the exponential one, and honoured by the loop.
    expect(sig[4]).not.toBeCloseTo(schedule({ use_exponential_sigmas: true }, 9).sigmas[4]!, 2)
    expect(eulerLoop(s, scale(dummySampleDeter(), s.initNoiseSigma), s.timesteps).every(Number.isFinite)).toBe(true)
  })

  it('sigma_min and sigma_max from the config bound the families', () => {
    for (const family of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas']) {
      const s = schedule({ [family]: true, sigma_min: 0.1, sigma_max: 10 })
      expect(s.sigmas[0], family).toBeCloseTo(10, 4)
      expect(s.sigmas[7], family).toBeCloseTo(0.1, 5)
    }
  })

  it('continuous timesteps for v-prediction are 0.25 * log(sigma); epsilon models keep training timesteps', () => {
    const v = schedule({ timestep_type: 'continuous', prediction_type: 'v_prediction' })
    v.timesteps.forEach((t, i) => expect(t).toBe(Math.fround(0.25 * Math.fround(Math.log(v.sigmas[i]!)))))
    expect(eulerLoop(v, scale(dummySampleDeter(), v.initNoiseSigma), v.timesteps).every(Number.isFinite)).toBe(true)
    expect(schedule({ timestep_type: 'continuous' }).timesteps).toEqual(plain.timesteps)
    expect(() => new EulerScheduler({ ...SD, timestep_type: 'continuous', prediction_type: 'v_prediction' }).setTimesteps(2, { timesteps: [999, 499] })).toThrow(
      'timestep_type',
    )
  })

  it('custom sigmas set the schedule (final sigma included) and their timesteps; bad ones are refused', () => {
    const s = new EulerScheduler(SD)
    s.setTimesteps(0, { sigmas: [14.6, 3, 0.5, 0] })
    expect(Array.from(s.sigmas)).toEqual([Math.fround(14.6), 3, 0.5, 0])
    expect(s.timesteps.length).toBe(3)
    expect(s.timesteps[1]).toBeCloseTo(sigmaToT(3, new Float32Array(plain.alphasCumprod.map((a) => Math.log(Math.sqrt((1 - a) / a))))), 2)
    expect(() => s.setTimesteps(0, { sigmas: [1] })).toThrow('at least two')
    expect(() => s.setTimesteps(0, { sigmas: [1, -1] })).toThrow('index 1')
    expect(() => s.setTimesteps(0, { sigmas: [1, 0], timesteps: [999] })).toThrow('not both')
    for (const key of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas']) {
      expect(() => new EulerScheduler({ ...SD, [key]: true }).setTimesteps(1, { timesteps: [999] }), key).toThrow(key)
    }
    for (const name of ['ddim', 'tcd', 'lcm'] as const) expect(() => createScheduler(name).setTimesteps(1, { sigmas: [1, 0] })).toThrow('euler only')
  })
})
