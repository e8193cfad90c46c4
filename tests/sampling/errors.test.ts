// Bad arguments and configs fail with errors naming the argument or key; where diffusers raises, the message
// is diffusers' own.
import { describe, expect, it } from 'vitest'
import { createScheduler, EulerScheduler, SCHEDULER_NAMES } from '../../src/sampling/index.js'
import type { SchedulerName } from '../../src/sampling/index.js'

const ready = (name: SchedulerName, steps = 4, config: Record<string, unknown> = {}) => {
  const scheduler = createScheduler(name, config)
  scheduler.setTimesteps(steps)
  return scheduler
}

describe('setTimesteps arguments', () => {
  for (const name of SCHEDULER_NAMES) {
    it(`${name}: steps must be a positive integer`, () => {
      const scheduler = createScheduler(name)
      for (const steps of [0, -1, 1.5, Number.NaN]) {
        expect(() => scheduler.setTimesteps(steps)).toThrow(/`num_inference_steps` \(steps\) must be a positive integer/)
      }
    })

    it(`${name}: custom timesteps must descend and lie in [0, num_train_timesteps)`, () => {
      const scheduler = createScheduler(name)
      expect(() => scheduler.setTimesteps(5, { timesteps: [100, 87, 50, 51, 0] })).toThrow(
        '`custom_timesteps` must be in descending order.',
      )
      expect(() => scheduler.setTimesteps(2, { timesteps: [500, 500] })).toThrow('`custom_timesteps` must be in descending order.')
      expect(() => scheduler.setTimesteps(1, { timesteps: [1000] })).toThrow(
        '`timesteps` must start before `self.config.train_timesteps`: 1000.',
      )
      expect(() => scheduler.setTimesteps(2, { timesteps: [10, -1] })).toThrow(/`timesteps`\[1\] must not be negative/)
      expect(() => scheduler.setTimesteps(0, { timesteps: [] })).toThrow(/non-empty/)
    })

    it(`${name}: strength must be in (0, 1]`, () => {
      expect(() => createScheduler(name).setTimesteps(4, { strength: 1.5 })).toThrow(/`strength` must be in \(0, 1\]/)
      expect(() => createScheduler(name).setTimesteps(4, { strength: 0 })).toThrow(/`strength`/)
    })
  }

  it('steps larger than num_train_timesteps (diffusers message)', () => {
    expect(() => createScheduler('ddim').setTimesteps(1001)).toThrow(
      '`num_inference_steps`: 1001 cannot be larger than `self.config.train_timesteps`: 1000',
    )
  })

  it('TCD/LCM: steps over original_inference_steps (diffusers message)', () => {
    for (const name of ['tcd', 'lcm'] as const) {
      expect(() => createScheduler(name).setTimesteps(51)).toThrow(
        'The combination of `original_steps x strength`: 50 x 1 is smaller than `num_inference_steps`: 51.',
      )
      expect(() => createScheduler(name, { original_inference_steps: 8 }).setTimesteps(9)).toThrow(/`num_inference_steps`: 9/)
      expect(() => createScheduler(name, { original_inference_steps: 2000 }).setTimesteps(4)).toThrow(
        '`original_steps`: 2000 cannot be larger than `self.config.train_timesteps`: 1000',
      )
    }
  })
})

describe('step arguments', () => {
  const x = new Float32Array(16).fill(0.5)

  it('eta outside [0, 1]', () => {
    for (const name of ['ddim', 'tcd'] as const) {
      const scheduler = ready(name)
      const t = scheduler.timesteps[0]!
      expect(() => scheduler.step(x, t, x, { eta: 1.5, noise: x })).toThrow('`eta` must be in [0, 1], got 1.5')
      expect(() => scheduler.step(x, t, x, { eta: -0.1, noise: x })).toThrow('`eta` must be in [0, 1], got -0.1')
    }
  })

  it('noise is required where the step injects it, never invented', () => {
    expect(() => ready('ddim').step(x, 750, x, { eta: 0.5 })).toThrow(/needs a `noise` array/)
    const tcd = ready('tcd')
    expect(() => tcd.step(x, tcd.timesteps[0]!, x, { eta: 0.3 })).toThrow(/needs a `noise` array here \(tcd with eta 0.3/)
    expect(() => tcd.step(x, tcd.timesteps[0]!, x, { eta: 0 })).not.toThrow()
    expect(() => tcd.step(x, tcd.timesteps.at(-1)!, x, { eta: 1 })).not.toThrow()
    const lcm = ready('lcm')
    expect(() => lcm.step(x, lcm.timesteps[0]!, x)).toThrow(/needs a `noise` array here \(lcm before the last step\)/)
    const euler = ready('euler', 4, { s_churn: 1 })
    expect(() => euler.step(x, euler.timesteps[0]!, x)).toThrow(/needs a `noise` array here \(euler with s_churn 1\)/)
  })

  it('noise and model output must match the sample length', () => {
    const tcd = ready('tcd')
    expect(() => tcd.step(x, tcd.timesteps[0]!, x, { eta: 0.5, noise: new Float32Array(3) })).toThrow(
      '`noise` has 3 values but the sample has 16',
    )
    expect(() => tcd.step(new Float32Array(4), tcd.timesteps[0]!, x)).toThrow('`modelOutput` has 4 values but the sample has 16')
  })

  it('timesteps outside the schedule or training range', () => {
    const tcd = ready('tcd')
    expect(() => tcd.step(x, 998, x, { eta: 0 })).toThrow('timestep 998 is not in the schedule [999, 759, 499, 259]')
    expect(() => ready('ddim').step(x, 1000, x)).toThrow('timestep 1000 must be an integer in [0, 1000)')
    expect(() => createScheduler('euler').step(x, 999, x)).toThrow('setTimesteps() must be called before step()')
  })
})

describe('scheduler names and configs', () => {
  it('an unknown scheduler name lists the valid ones', () => {
    expect(() => createScheduler('dpm' as SchedulerName)).toThrow('unknown scheduler "dpm"; valid schedulers: ddim, tcd, lcm, euler')
  })

  it('config values are validated and the key is named', () => {
    expect(() => createScheduler('ddim', { beta_schedule: 'cosine' })).toThrow(
      'ddim scheduler config: `beta_schedule` must be one of "linear", "scaled_linear", "squaredcos_cap_v2", got "cosine"',
    )
    expect(() => createScheduler('euler', { num_train_timesteps: 10.5 })).toThrow('`num_train_timesteps` must be an integer')
    expect(() => createScheduler('tcd', { set_alpha_to_one: 'yes' })).toThrow('`set_alpha_to_one` must be true or false')
    expect(() => createScheduler('lcm', { original_inference_steps: 0 })).toThrow('`original_inference_steps` must be at least 1')
    expect(() => createScheduler('ddim', { beta_start: -1 })).toThrow('`beta_start` must be greater than 0')
    expect(() => createScheduler('ddim', { trained_betas: [0.1, 0.2] })).toThrow('`trained_betas` has 2 entries')
    expect(() => createScheduler('ddim', { sample_max_value: 0 })).toThrow('`sample_max_value` must be greater than 0')
    expect(() => createScheduler('euler', { interpolation_type: 'cubic' })).toThrow('`interpolation_type` must be one of')
  })

  it('a real scheduler_config.json is honoured; unknown and hostile keys are ignored', () => {
    const json = JSON.parse(
      '{"_class_name":"EulerDiscreteScheduler","_diffusers_version":"0.19.0","beta_end":0.012,"beta_schedule":"scaled_linear",' +
        '"beta_start":0.00085,"clip_sample":false,"interpolation_type":"linear","num_train_timesteps":1000,' +
        '"prediction_type":"epsilon","sample_max_value":1.0,"set_alpha_to_one":false,"skip_prk_steps":true,' +
        '"steps_offset":1,"timestep_spacing":"leading","trained_betas":null,"use_karras_sigmas":false,' +
        '"__proto__":{"polluted":true},"constructor":{"x":1}}',
    ) as Record<string, unknown>
    const euler = new EulerScheduler(json)
    expect(euler.config['timestep_spacing']).toBe('leading')
    expect(euler.config['beta_schedule']).toBe('scaled_linear')
    expect((euler.config as Record<string, unknown>)['_class_name']).toBeUndefined()
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    euler.setTimesteps(4)
    expect(euler.timesteps).toEqual([751, 501, 251, 1])
    // leading spacing: init sigma is sqrt(max_sigma^2 + 1), as diffusers.
    expect(euler.initNoiseSigma).toBeCloseTo(Math.sqrt(euler.sigmas[0]! ** 2 + 1), 5)
  })

  it('defaults are each diffusers class default', () => {
    expect(createScheduler('ddim').config).toMatchObject({ beta_schedule: 'linear', clip_sample: true, set_alpha_to_one: true, timestep_spacing: 'leading' })
    expect(createScheduler('tcd').config).toMatchObject({ beta_schedule: 'scaled_linear', original_inference_steps: 50, timestep_scaling: 10 })
    expect(createScheduler('lcm').config).toMatchObject({ beta_start: 0.00085, beta_end: 0.012, original_inference_steps: 50 })
    expect(createScheduler('euler').config).toMatchObject({ timestep_spacing: 'linspace', interpolation_type: 'linear', final_sigmas_type: 'zero' })
  })
})
