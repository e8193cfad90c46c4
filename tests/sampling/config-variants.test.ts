// Port of the config sweeps in diffusers' scheduler tests (check_over_configs / check_over_forward for DDIM,
// TCD, LCM and Euler): every config variant they try must build, and a scheduler rebuilt from its own merged
// config (diffusers' save_config + from_pretrained) must step identically. A value diffusers does not know fails
// with an error naming the key.
import { describe, expect, it } from 'vitest'
import { createScheduler, randn } from '../../src/sampling/index.js'
import type { SchedulerName } from '../../src/sampling/index.js'
import { CONSISTENCY_TEST_CONFIG, dummySampleDeter, NUM_ELEMS } from './diffusers-harness.js'

const BASE: Record<SchedulerName, Record<string, unknown>> = {
  ddim: { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true },
  tcd: CONSISTENCY_TEST_CONFIG,
  lcm: CONSISTENCY_TEST_CONFIG,
  euler: { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' },
}

const BETAS_4 = [[0.0001, 0.002], [0.001, 0.02], [0.01, 0.2], [0.1, 2]] as const

// test_thresholding: off, then on at three sample_max_values for two prediction types.
const THRESHOLDING = [
  { thresholding: false },
  ...[0.5, 1, 2].flatMap((sample_max_value) => ['epsilon', 'v_prediction'].map((prediction_type) => ({ thresholding: true, prediction_type, sample_max_value }))),
]

const CONFIG_SWEEPS: Record<SchedulerName, Record<string, unknown>[]> = {
  ddim: [
    ...[100, 500, 1000].map((num_train_timesteps) => ({ num_train_timesteps })),
    { steps_offset: 0 }, { steps_offset: 1 },
    ...BETAS_4.map(([beta_start, beta_end]) => ({ beta_start, beta_end })),
    { beta_schedule: 'linear' }, { beta_schedule: 'squaredcos_cap_v2' },
    { prediction_type: 'epsilon' }, { prediction_type: 'v_prediction' },
    { clip_sample: true }, { clip_sample: false },
    { timestep_spacing: 'trailing' }, { timestep_spacing: 'leading' },
    { rescale_betas_zero_snr: true }, { rescale_betas_zero_snr: false },
    ...THRESHOLDING,
  ],
  tcd: [],
  lcm: [],
  euler: [
    ...[10, 50, 100, 1000].map((num_train_timesteps) => ({ num_train_timesteps })),
    ...[[0.00001, 0.0002], [0.0001, 0.002], [0.001, 0.02]].map(([beta_start, beta_end]) => ({ beta_start, beta_end })),
    { beta_schedule: 'linear' }, { beta_schedule: 'scaled_linear' },
    { prediction_type: 'epsilon' }, { prediction_type: 'v_prediction' },
    { timestep_type: 'discrete' }, { timestep_type: 'continuous' },
    { timestep_type: 'continuous', prediction_type: 'v_prediction' },
    { use_karras_sigmas: true, sigma_min: 0.02, sigma_max: 700 },
    { use_beta_sigmas: true }, { use_exponential_sigmas: true },
    { rescale_betas_zero_snr: true }, { rescale_betas_zero_snr: false },
  ],
}
for (const name of ['tcd', 'lcm'] as const) {
  CONFIG_SWEEPS[name] = [
    ...[100, 500, 1000].map((num_train_timesteps) => ({ num_train_timesteps })),
    ...BETAS_4.map(([beta_start, beta_end]) => ({ beta_start, beta_end })),
    { beta_schedule: 'linear' }, { beta_schedule: 'scaled_linear' }, { beta_schedule: 'squaredcos_cap_v2' },
    { prediction_type: 'epsilon' }, { prediction_type: 'v_prediction' },
    { clip_sample: true }, { clip_sample: false },
    ...THRESHOLDING,
  ]
}

/** One step at the schedule's last timestep (diffusers' default_valid_timestep), residual 0.1 * sample. */
function stepOnce(name: SchedulerName, config: Record<string, unknown>, steps: number, at?: number, eta = 0.5): Float32Array {
  const scheduler = createScheduler(name, config)
  scheduler.setTimesteps(steps)
  const sample = dummySampleDeter()
  const t = at ?? scheduler.timesteps.at(-1)!
  const x = scheduler.scaleModelInput(sample, t)
  // The dummy sample is 4 images (4x3x8x8); thresholding takes its quantile per image.
  return scheduler.step(x.map((v) => 0.1 * v), t, x, { eta, noise: randn(0, NUM_ELEMS), batch: 4 })
}

function roundTripped(name: SchedulerName, config: Record<string, unknown>): Record<string, unknown> {
  const merged = createScheduler(name, config).config
  return JSON.parse(JSON.stringify({ _class_name: name, ...merged }, (_k, v) => (v === Infinity ? 1e308 : v))) as Record<string, unknown>
}

describe('diffusers config sweeps', () => {
  for (const name of ['ddim', 'tcd', 'lcm', 'euler'] as const) {
    it(`${name}: every swept config steps, and identically after a config round trip`, () => {
      for (const variant of CONFIG_SWEEPS[name]) {
        const config = { ...BASE[name], ...variant }
        const a = stepOnce(name, config, 10)
        const b = stepOnce(name, roundTripped(name, config), 10)
        expect(b, JSON.stringify(variant)).toEqual(a)
        expect(a.every(Number.isFinite), JSON.stringify(variant)).toBe(true)
      }
    })
  }

  it('ddim: check_over_forward time indices, inference steps and eta', () => {
    for (const [t, steps, eta] of [[1, 50, 0], [10, 50, 0], [49, 50, 0], [1, 10, 0], [10, 50, 0], [50, 500, 0], [1, 50, 0], [10, 50, 0.5], [49, 50, 1]] as const) {
      const out = stepOnce('ddim', BASE.ddim, steps, t, eta)
      expect(out.every(Number.isFinite)).toBe(true)
      expect(out).toEqual(stepOnce('ddim', roundTripped('ddim', BASE.ddim), steps, t, eta))
    }
  })

  it('tcd/lcm: check_over_forward at every timestep of the 10-step schedule and the hardcoded pairs', () => {
    for (const name of ['tcd', 'lcm'] as const) {
      const scheduler = createScheduler(name, BASE[name])
      scheduler.setTimesteps(10)
      for (const t of scheduler.timesteps) expect(stepOnce(name, BASE[name], 10, t).every(Number.isFinite)).toBe(true)
      for (const [t, steps] of [[99, 10], [39, 25], [19, 50]] as const) {
        expect(stepOnce(name, BASE[name], steps, t).every(Number.isFinite)).toBe(true)
      }
    }
  })

  it('a value diffusers does not know fails with the key named', () => {
    expect(() => createScheduler('euler', { timestep_type: 'edm' })).toThrow('timestep_type')
    expect(() => createScheduler('ddim', { dynamic_thresholding_ratio: 1.5 })).toThrow('dynamic_thresholding_ratio')
  })
})
