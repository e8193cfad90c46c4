// Beta schedules and alphas_cumprod against torch 1.13 (tests/fixtures/torch-randn/alphas-cumprod.json): exact
// float32 equality, which needs torch's linspace kernel order, cumprod's float64 accumulator and the zero-SNR
// rescale's op order reproduced.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createScheduler } from '../../src/sampling/index.js'

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch-randn/alphas-cumprod.json', import.meta.url), 'utf8'),
) as { schedules: Record<string, { alphasCumprod: number[] }> }

const CONFIGS: Record<string, Record<string, unknown>> = {
  'linear-1000': { beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02, num_train_timesteps: 1000 },
  'linear-1100': { beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02, num_train_timesteps: 1100 },
  'scaled_linear-1000': { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 },
  'scaled_linear-1000-zero_snr': {
    beta_schedule: 'scaled_linear',
    beta_start: 0.00085,
    beta_end: 0.012,
    rescale_betas_zero_snr: true,
  },
}

describe('alphas_cumprod', () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`${name} equals torch's float32 values`, () => {
      const expected = fixture.schedules[name]!.alphasCumprod
      const actual = createScheduler('ddim', config).alphasCumprod
      expect(Array.from(actual)).toEqual(expected)
      if (name.endsWith('zero_snr')) expect(actual[actual.length - 1]).toBe(0)
    })
  }

  it('squaredcos_cap_v2 follows the cosine alpha-bar curve with betas capped at 0.999', () => {
    const acp = createScheduler('ddim', { beta_schedule: 'squaredcos_cap_v2' }).alphasCumprod
    const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2
    expect(acp[0]).toBeCloseTo(alphaBar(0.001) / alphaBar(0), 6)
    expect(acp[499]).toBeCloseTo(alphaBar(0.5) / alphaBar(0), 4)
    expect(acp[999]).toBeLessThan(1e-4)
  })
})
