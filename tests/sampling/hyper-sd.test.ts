// Hyper-SD settings end to end on diffusers' test fixtures, against torch float32 re-implementations of the
// diffusers step formulas (tests/fixtures/torch-randn/scheduler-loops.json, made by
// scripts/fixtures/torch-randn.py), with noise from torch.manual_seed(0) drawn where diffusers draws it. Also the
// two reference figures quoted in shared/reference/HYPER-SD.md.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createScheduler, findPreset, presetConfig, TorchGenerator } from '../../src/sampling/index.js'
import type { SamplingScheduler, StepOptions } from '../../src/sampling/index.js'
import {
  absMean,
  absSum,
  dummySampleDeter,
  eulerLoop,
  expectClose,
  NUM_ELEMS,
  plainLoop,
  scale,
} from './diffusers-harness.js'

const loops = (
  JSON.parse(readFileSync(new URL('../fixtures/torch-randn/scheduler-loops.json', import.meta.url), 'utf8')) as {
    cases: Record<string, { absSum: number; head: number[] }>
  }
).cases

function expectMatches(name: string, result: Float32Array): void {
  const expected = loops[name]!
  expect(Math.abs(absSum(result) - expected.absSum) / expected.absSum, `${name} abs sum`).toBeLessThan(1e-5)
  expected.head.forEach((v, i) => expect(Math.abs(result[i]! - v), `${name}[${i}]`).toBeLessThan(1e-5))
}

/** The loop a sampler runs: noise from one seeded generator, drawn only when the step consumes it. */
function seededLoop(scheduler: SamplingScheduler, eta: number): Float32Array {
  const generator = new TorchGenerator(0)
  return plainLoop(scheduler, dummySampleDeter(), scheduler.timesteps, (t): StepOptions =>
    scheduler.needsNoise(t, eta) ? { eta, noise: generator.randn(NUM_ELEMS) } : { eta },
  )
}

function presetScheduler(id: string, steps: number): SamplingScheduler {
  const preset = findPreset(id)
  const scheduler = createScheduler(preset.scheduler, presetConfig(preset))
  scheduler.setTimesteps(steps, preset.timesteps ? { timesteps: [...preset.timesteps] } : {})
  return scheduler
}

describe('HYPER-SD.md reference figures', () => {
  it('DDIM linear 0.0001-0.02, clip_sample, set_alpha_to_one, leading, 10 steps, eta 0: sum 172.0067', () => {
    const ddim = createScheduler('ddim', {
      beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02, clip_sample: true, set_alpha_to_one: true, steps_offset: 0,
    })
    ddim.setTimesteps(10)
    const x = plainLoop(ddim, dummySampleDeter(), ddim.timesteps, () => ({ eta: 0 }))
    expectClose(absSum(x), 172.0067, 1e-2)
    expectClose(absMean(x), 0.223967, 1e-5)
  })

  it('TCD with the SD base betas, 1 step, eta 0: sum 29.8715', () => {
    const tcd = presetScheduler('tcd', 1)
    const x = plainLoop(tcd, dummySampleDeter(), tcd.timesteps, () => ({ eta: 0 }))
    expectClose(absSum(x), 29.8715, 1e-3)
    expectClose(absMean(x), 0.0389, 1e-4)
  })
})

describe('Hyper-SD presets against torch re-implementations', () => {
  it('DDIM trailing, 4 steps, eta 0 and eta 0.5 (noise every step, final alpha acp[0])', () => {
    expectMatches('ddim-trailing-4-eta0', seededLoop(presetScheduler('ddim-trailing', 4), 0))
    expectMatches('ddim-trailing-4-eta0.5', seededLoop(presetScheduler('ddim-trailing', 4), 0.5))
  })

  it('TCD 1 step at eta 1, 4 steps at eta 0.5, 8 steps at eta 0.3', () => {
    expectMatches('tcd-1-eta1', seededLoop(presetScheduler('tcd', 1), 1))
    expectMatches('tcd-4-eta0.5', seededLoop(presetScheduler('tcd', 4), 0.5))
    expectMatches('tcd-8-eta0.3', seededLoop(presetScheduler('tcd', 8), 0.3))
  })

  it('LCM from 800, and LCM 4 steps with re-noising', () => {
    expectMatches('lcm-800', seededLoop(presetScheduler('lcm-800', 1), 0))
    const lcm = createScheduler('lcm', presetConfig(findPreset('lcm-800')))
    lcm.setTimesteps(4)
    expectMatches('lcm-4', seededLoop(lcm, 0))
  })

  it('DDPM trailing (the base model preset, DDIM with eta 1): every step is the DDPM posterior mean plus its standard deviation times the noise', () => {
    const preset = findPreset('ddpm-trailing-cfg')
    const ddpm = presetScheduler('ddpm-trailing-cfg', 25)
    // SD's scaled_linear table, computed here in float64 from the betas (set_alpha_to_one false: the end is acp[0]).
    const acp: number[] = []
    for (let i = 0, product = 1; i < 1000; i++) {
      const root = Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * i) / 999
      product *= 1 - root * root
      acp.push(product)
    }
    expect(ddpm.timesteps.slice(0, 3)).toEqual([999, 959, 919])
    const generator = new TorchGenerator(0)
    const sample = dummySampleDeter()
    const eps = scale(sample, 0.3)
    for (const [i, t] of ddpm.timesteps.entries()) {
      const eta = preset.eta(25)
      const noise = generator.randn(NUM_ELEMS)
      expect(ddpm.needsNoise(t, eta)).toBe(true)
      const out = ddpm.step(eps, t, sample, { eta, noise })
      const a = acp[t]!
      const ap = acp[ddpm.timesteps[i + 1] ?? 0]!
      const beta = 1 - a / ap
      const std = Math.sqrt(((1 - ap) / (1 - a)) * beta)
      const worst = Math.max(...Array.from(out, (v, j) => {
        const x0 = (sample[j]! - Math.sqrt(1 - a) * eps[j]!) / Math.sqrt(a)
        const mean = ((Math.sqrt(ap) * beta) / (1 - a)) * x0 + ((Math.sqrt(a / ap) * (1 - ap)) / (1 - a)) * sample[j]!
        return Math.abs(v - (mean + std * noise[j]!)) / (1 + Math.abs(v))
      }))
      expect(worst, `t=${t}`).toBeLessThan(2e-5)
    }
  })

  it('Euler trailing, 4 steps', () => {
    const euler = presetScheduler('euler-trailing', 4)
    expectMatches('euler-trailing-4', eulerLoop(euler, scale(dummySampleDeter(), euler.initNoiseSigma), euler.timesteps))
  })
})
