// Each scheduler's step as three numbers (linearStep, inputScale), the form a GPU-resident loop applies: the same
// numbers must give what step() and scaleModelInput() give, to float32 rounding, for every scheduler and setting a
// graph can pick, and a step that is not linear (clipped or thresholded x0) must say so rather than be approximated.
import { describe, expect, it } from 'vitest'
import { createScheduler, SD_BASE_SCHEDULER_CONFIG, TorchGenerator, type SamplingScheduler, type SchedulerName } from '../../src/sampling/index.js'

const SIZE = 4 * 8 * 8

interface Case {
  readonly name: SchedulerName
  readonly label: string
  readonly config?: Record<string, unknown>
  readonly steps: number
  readonly eta?: number
}

const CASES: readonly Case[] = [
  { name: 'ddim', label: 'DDIM trailing', config: { timestep_spacing: 'trailing' }, steps: 4 },
  { name: 'ddim', label: 'DDIM trailing, eta 0.7', config: { timestep_spacing: 'trailing' }, steps: 8, eta: 0.7 },
  { name: 'ddim', label: 'DDIM leading, v_prediction', config: { prediction_type: 'v_prediction', set_alpha_to_one: false }, steps: 6 },
  { name: 'tcd', label: 'TCD eta 0.3', config: { timestep_spacing: 'trailing' }, steps: 4, eta: 0.3 },
  { name: 'tcd', label: 'TCD eta 1 (1 step)', config: { timestep_spacing: 'trailing' }, steps: 1, eta: 1 },
  { name: 'tcd', label: 'TCD eta 0', config: { timestep_spacing: 'trailing' }, steps: 2, eta: 0 },
  { name: 'lcm', label: 'LCM from t=800', config: { original_inference_steps: 50, timestep_scaling: 10 }, steps: 2 },
  { name: 'euler', label: 'Euler trailing', config: { timestep_spacing: 'trailing' }, steps: 4 },
  { name: 'euler', label: 'Euler with churn', config: { s_churn: 1 }, steps: 4 },
  { name: 'euler', label: 'Euler v_prediction', config: { prediction_type: 'v_prediction' }, steps: 3 },
]

function scheduler(c: Case): SamplingScheduler {
  const s = createScheduler(c.name, { ...SD_BASE_SCHEDULER_CONFIG, clip_sample: false, ...c.config })
  s.setTimesteps(c.steps)
  return s
}

describe('linear steps', () => {
  for (const c of CASES) {
    it(`${c.label}: sample * x + output * e + noise * z equals step(), and inputScale equals scaleModelInput`, () => {
      const s = scheduler(c)
      const random = new TorchGenerator(7)
      let latents = random.randn(SIZE)
      for (const t of s.timesteps) {
        const output = random.randn(SIZE)
        const noise = random.randn(SIZE)
        const linear = s.linearStep(t, c.eta)
        expect(linear, `t=${t}`).toBeDefined()
        const scale = s.inputScale(t)
        const scaled = s.scaleModelInput(latents, t)
        const expected = s.step(output, t, latents, { ...(c.eta !== undefined ? { eta: c.eta } : {}), ...(s.needsNoise(t, c.eta) ? { noise } : {}) })
        if (!s.needsNoise(t, c.eta)) expect(linear!.noise, `no noise is drawn at t=${t}`).toBe(0)
        let worst = 0
        let worstScale = 0
        for (let i = 0; i < SIZE; i++) {
          const mine = Math.fround(linear!.sample * latents[i]! + linear!.modelOutput * output[i]! + linear!.noise * noise[i]!)
          worst = Math.max(worst, Math.abs(mine - expected[i]!) / Math.max(1, Math.abs(expected[i]!)))
          worstScale = Math.max(worstScale, Math.abs(Math.fround(scale * latents[i]!) - scaled[i]!))
        }
        expect(worst, `t=${t}`).toBeLessThan(2e-6)
        expect(worstScale, `t=${t}`).toBeLessThan(2e-6)
        latents = expected
      }
    })
  }

  it('a clipped or thresholded x0 is not linear: DDIM and LCM say so, and step() still clips', () => {
    for (const name of ['ddim', 'lcm'] as const) {
      for (const config of [{ clip_sample: true }, { thresholding: true }]) {
        const s = createScheduler(name, { ...SD_BASE_SCHEDULER_CONFIG, ...config })
        s.setTimesteps(2)
        expect(s.linearStep(s.timesteps[0]!), `${name} ${JSON.stringify(config)}`).toBeUndefined()
      }
    }
  })
})
