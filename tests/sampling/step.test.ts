// Step mechanics beyond the diffusers ports: output buffers, x0 previews, noise bookkeeping, prediction types.
import { describe, expect, it } from 'vitest'
import { createScheduler, describeSchedule, EulerScheduler, HYPER_SD_PRESETS, randn, SCHEDULER_NAMES } from '../../src/sampling/index.js'
import { dummyModel, dummySampleDeter, NUM_ELEMS } from './diffusers-harness.js'

const sample = dummySampleDeter()
const noise = randn(7, NUM_ELEMS)

describe('step outputs', () => {
  for (const name of SCHEDULER_NAMES) {
    it(`${name}: writing into \`out\` (even the sample itself) equals the fresh result, and x0 previews do not change it`, () => {
      const scheduler = createScheduler(name, { timestep_spacing: 'trailing' })
      scheduler.setTimesteps(4)
      const t = scheduler.timesteps[1]!
      const output = dummyModel(sample, t)
      const opts = { eta: 0.5, noise }
      const fresh = scheduler.step(output, t, sample, opts)
      const x0 = new Float32Array(NUM_ELEMS)
      const withPreview = scheduler.step(output, t, sample, { ...opts, predictedOriginal: x0 })
      expect(withPreview).toEqual(fresh)
      expect(x0.some((v) => v !== 0)).toBe(true)
      const inPlace = sample.slice()
      const returned = scheduler.step(output, t, inPlace, { ...opts, out: inPlace })
      expect(returned).toBe(inPlace)
      expect(inPlace).toEqual(fresh)
      expect(() => scheduler.step(output, t, sample, { ...opts, out: new Float32Array(3) })).toThrow(/`out` must be a Float32Array of 768/)
    })
  }

  it('the x0 preview is the prediction the step used (epsilon, v_prediction, sample)', () => {
    for (const prediction_type of ['epsilon', 'v_prediction', 'sample']) {
      const ddim = createScheduler('ddim', { prediction_type, clip_sample: false, timestep_spacing: 'trailing' })
      ddim.setTimesteps(1)
      const x0 = new Float32Array(NUM_ELEMS)
      // One trailing step ends at the final alpha 1 (set_alpha_to_one), so prev_sample is x0 exactly.
      const prev = ddim.step(dummyModel(sample, 999), 999, sample, { predictedOriginal: x0 })
      prev.forEach((v, i) => expect(v).toBeCloseTo(x0[i]!, 5))
    }
  })

  it('DDIM clip_sample clamps x0 to clip_sample_range', () => {
    const ddim = createScheduler('ddim', { clip_sample: true, clip_sample_range: 0.25, timestep_spacing: 'trailing' })
    ddim.setTimesteps(1)
    const x0 = new Float32Array(NUM_ELEMS)
    const loud = sample.map((v) => 10 * v)
    ddim.step(dummyModel(loud, 999), 999, loud, { predictedOriginal: x0 })
    expect(Math.max(...x0)).toBeCloseTo(0.25, 6)
    expect(Math.min(...x0)).toBeGreaterThanOrEqual(-0.25)
  })
})

describe('noise bookkeeping', () => {
  it('needsNoise says exactly when step consumes noise', () => {
    const tcd = createScheduler('tcd')
    tcd.setTimesteps(4)
    expect(tcd.timesteps.map((t) => tcd.needsNoise(t, 0.5))).toEqual([true, true, true, false])
    expect(tcd.needsNoise(999, 0)).toBe(false)
    const lcm = createScheduler('lcm')
    lcm.setTimesteps(1, { timesteps: [800] })
    expect(lcm.needsNoise(800)).toBe(false)
    const ddim = createScheduler('ddim')
    expect(ddim.needsNoise(999, 0)).toBe(false)
    expect(ddim.needsNoise(999, 0.1)).toBe(true)
    const euler = createScheduler('euler')
    euler.setTimesteps(4)
    expect(euler.needsNoise(euler.timesteps[0]!)).toBe(false)
  })

  it('Euler s_churn adds sqrt(sigma_hat^2 - sigma^2) * noise before the step', () => {
    const churned = new EulerScheduler({ s_churn: 0.8 })
    const plain = new EulerScheduler({})
    churned.setTimesteps(4)
    plain.setTimesteps(4)
    const t = churned.timesteps[0]!
    expect(churned.needsNoise(t)).toBe(true)
    const zeros = new Float32Array(NUM_ELEMS)
    const output = dummyModel(sample, t)
    // With zero noise, churn only raises sigma to sigma_hat = sigma * (1 + 0.2): x0 = x - sigma_hat * out.
    const sigma = churned.sigmas[0]!
    const sigmaHat = sigma * 1.2
    const k = (churned.sigmas[1]! - sigmaHat) / sigmaHat
    const got = churned.step(output, t, sample, { noise: zeros })
    got.forEach((v, i) => expect(v).toBeCloseTo(sample[i]! + sigmaHat * output[i]! * k, 4))
    expect(got).not.toEqual(plain.step(output, t, sample))
  })
})

describe('describeSchedule and presets', () => {
  it('prints the DDIM trailing schedule with the timesteps each step goes to', () => {
    const d = describeSchedule('ddim', { timestep_spacing: 'trailing' }, 4)
    expect(d.timesteps).toEqual([999, 749, 499, 249])
    expect(d.rows.map((r) => r.previous)).toEqual([749, 499, 249, -1])
    expect(d.lines[0]).toBe('ddim (trailing spacing), 4 step(s): [999, 749, 499, 249]')
    expect(d.lines[1]).toMatch(/^step 1: t=999  -> t=749  alpha_cumprod=/)
  })

  it('describes custom LCM timesteps and Euler sigmas', () => {
    expect(describeSchedule('lcm', undefined, 1, { timesteps: [800] }).lines[0]).toBe('lcm (custom timesteps), 1 step(s): [800]')
    const euler = describeSchedule('euler', { timestep_spacing: 'trailing' }, 2)
    expect(euler.rows[1]!.nextSigma).toBe(0)
    expect(euler.lines[2]).toMatch(/sigma=.* -> 0\.00000/)
  })

  it('every preset builds a working schedule at its default steps', () => {
    for (const preset of HYPER_SD_PRESETS) {
      const scheduler = createScheduler(preset.scheduler, { timestep_spacing: 'leading', ...preset.config })
      scheduler.setTimesteps(preset.defaultSteps, preset.timesteps ? { timesteps: [...preset.timesteps] } : {})
      expect(scheduler.timesteps.length, preset.id).toBe(preset.timesteps?.length ?? preset.defaultSteps)
      expect(preset.eta(1)).toBeGreaterThanOrEqual(0)
    }
    expect(HYPER_SD_PRESETS.find((p) => p.id === 'tcd')!.eta(1)).toBe(1)
  })
})
