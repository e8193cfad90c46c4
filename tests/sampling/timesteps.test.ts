// Timestep arrays per spacing, and the Hyper-SD schedules, computed by hand from diffusers' formulas
// (numpy rounds half to even; trailing = round(arange(T, 0, -T/N)) - 1; leading = arange(N) * (T // N) + offset;
// TCD/LCM = reverse([1..orig] * (T // orig) - 1)[floor(linspace(0, orig, N, endpoint=False))]).
import { describe, expect, it } from 'vitest'
import {
  createScheduler,
  DdimScheduler,
  EulerScheduler,
  findPreset,
  presetConfig,
  SD_BASE_SCHEDULER_CONFIG,
} from '../../src/sampling/index.js'
import type { SchedulerName } from '../../src/sampling/index.js'

function timesteps(name: SchedulerName, config: Record<string, unknown>, steps: number, opts = {}): number[] {
  const scheduler = createScheduler(name, config)
  scheduler.setTimesteps(steps, opts)
  return scheduler.timesteps
}

describe('DDIM spacing', () => {
  it('leading (diffusers default) adds steps_offset', () => {
    expect(timesteps('ddim', {}, 10)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0])
    expect(timesteps('ddim', { steps_offset: 1 }, 4)).toEqual([751, 501, 251, 1])
    expect(timesteps('ddim', {}, 3)).toEqual([666, 333, 0])
  })

  it('trailing, with numpy half-to-even rounding', () => {
    expect(timesteps('ddim', { timestep_spacing: 'trailing' }, 3)).toEqual([999, 666, 332])
    // 1000/16 = 62.5: 937.5 -> 938, 812.5 -> 812, 687.5 -> 688, ... (half to even), then minus 1.
    expect(timesteps('ddim', { timestep_spacing: 'trailing' }, 16)).toEqual([
      999, 937, 874, 811, 749, 687, 624, 561, 499, 437, 374, 311, 249, 187, 124, 61,
    ])
  })

  it('linspace rounds linspace(0, T-1, N)', () => {
    expect(timesteps('ddim', { timestep_spacing: 'linspace' }, 4)).toEqual([999, 666, 333, 0])
    expect(timesteps('ddim', { timestep_spacing: 'linspace' }, 6)).toEqual([999, 799, 599, 400, 200, 0])
    expect(timesteps('ddim', { timestep_spacing: 'linspace' }, 1)).toEqual([0])
  })

  it('custom timesteps (an extension: diffusers DDIM has none) step to the next listed timestep', () => {
    const ddim = new DdimScheduler(SD_BASE_SCHEDULER_CONFIG as Record<string, unknown>)
    ddim.setTimesteps(0, { timesteps: [800, 400] })
    expect(ddim.timesteps).toEqual([800, 400])
    expect(ddim.timesteps.map((t) => ddim.previousTimestep(t))).toEqual([400, -1])
    expect(() => ddim.previousTimestep(600)).toThrow(/600 is not in the custom schedule/)
  })

  it('steps to t - T // N, past the end to the final alpha (-1)', () => {
    const ddim = new DdimScheduler({ timestep_spacing: 'trailing' })
    ddim.setTimesteps(3)
    expect(ddim.timesteps.map((t) => ddim.previousTimestep(t))).toEqual([666, 333, -1])
  })
})

describe('Euler spacing', () => {
  it('linspace (default) keeps fractional float32 timesteps', () => {
    expect(timesteps('euler', {}, 4)).toEqual([999, 666, 333, 0])
    expect(timesteps('euler', { num_train_timesteps: 1100 }, 10)).toEqual(
      [1099, 976.888916015625, 854.7777709960938, 732.6666870117188, 610.5555419921875, 488.4444580078125,
        366.3333435058594, 244.22222900390625, 122.11111450195312, 0],
    )
  })

  it('leading and trailing', () => {
    expect(timesteps('euler', { timestep_spacing: 'leading', steps_offset: 1 }, 4)).toEqual([751, 501, 251, 1])
    expect(timesteps('euler', { timestep_spacing: 'trailing' }, 4)).toEqual([999, 749, 499, 249])
  })

  it('sigmas interpolate linearly between training sigmas and end at zero', () => {
    const euler = new EulerScheduler({ timestep_spacing: 'trailing' })
    euler.setTimesteps(2)
    const trainSigma = (t: number) => Math.sqrt((1 - euler.alphasCumprod[t]!) / euler.alphasCumprod[t]!)
    expect(euler.sigmas.length).toBe(3)
    expect(euler.sigmas[0]).toBeCloseTo(trainSigma(999), 4)
    expect(euler.sigmas[1]).toBeCloseTo(trainSigma(499), 5)
    expect(euler.sigmas[2]).toBe(0)
    expect(euler.initNoiseSigma).toBe(euler.sigmas[0])
    const fractional = new EulerScheduler({})
    fractional.setTimesteps(1, { timesteps: [500.25] })
    expect(fractional.sigmas[0]).toBeCloseTo(0.75 * trainSigma(500) + 0.25 * trainSigma(501), 5)
  })
})

describe('Hyper-SD schedules (base SD scheduler config)', () => {
  const ddim = presetConfig(findPreset('ddim-trailing'))
  it('DDIM trailing 1/2/4/8', () => {
    expect(timesteps('ddim', ddim, 1)).toEqual([999])
    expect(timesteps('ddim', ddim, 2)).toEqual([999, 499])
    expect(timesteps('ddim', ddim, 4)).toEqual([999, 749, 499, 249])
    expect(timesteps('ddim', ddim, 8)).toEqual([999, 874, 749, 624, 499, 374, 249, 124])
  })

  it('TCD 1/4/8 with original_inference_steps 50', () => {
    const tcd = presetConfig(findPreset('tcd'))
    expect(timesteps('tcd', tcd, 1)).toEqual([999])
    expect(timesteps('tcd', tcd, 4)).toEqual([999, 759, 499, 259])
    expect(timesteps('tcd', tcd, 8)).toEqual([999, 879, 759, 639, 499, 379, 259, 139])
  })

  it('LCM from 800', () => {
    const preset = findPreset('lcm-800')
    expect(timesteps('lcm', presetConfig(preset), 1, { timesteps: [...preset.timesteps!] })).toEqual([800])
    expect(timesteps('lcm', SD_BASE_SCHEDULER_CONFIG as Record<string, unknown>, 4)).toEqual([999, 759, 499, 259])
  })

  it('Euler trailing', () => {
    expect(timesteps('euler', presetConfig(findPreset('euler-trailing')), 4)).toEqual([999, 749, 499, 249])
  })
})

describe('strength', () => {
  it('TCD/LCM shrink the distillation schedule (diffusers semantics)', () => {
    // origin = [1..25] * 20 - 1, reversed, then 4 evenly spaced indices of 25: 0, 6, 12, 18.
    expect(timesteps('tcd', {}, 4, { strength: 0.5 })).toEqual([499, 379, 259, 139])
    expect(timesteps('lcm', {}, 2, { timesteps: [999, 499, 259, 139], strength: 0.5 })).toEqual([259, 139])
  })

  it('DDIM/Euler keep the tail of the schedule (the img2img pipelines)', () => {
    expect(timesteps('ddim', { timestep_spacing: 'trailing' }, 4, { strength: 0.5 })).toEqual([499, 249])
    const euler = new EulerScheduler({ timestep_spacing: 'trailing' })
    euler.setTimesteps(4, { strength: 0.75 })
    expect(euler.timesteps).toEqual([749, 499, 249])
    expect(euler.sigmas.length).toBe(4)
  })
})
