// ComfyUI sampler nodes (KSampler, KSamplerAdvanced, SamplerCustom, SamplerCustomAdvanced and the helpers folded
// into them) become our TSCD sampler. The schedule ComfyUI would run is computed (comfyui-schedule.ts) and translated
// by its numbers (comfyui-sampler-translation.ts); what still differs is reported as a warning.
import { num, setIfDefined, setLink, str } from './comfyui-convert.js'
import type { ConvertContext, Converted, Converter, Inputs } from './comfyui-convert.js'
import { presetForSampler, translateSampling } from './comfyui-sampler-translation.js'
import type { ComfySamplingRun } from './comfyui-sampler-translation.js'
import { ksamplerSchedule, modelSamplingOf, samplerSource, sigmasSource } from './comfyui-sampling-nodes.js'
import type { SamplerSource } from './comfyui-sampling-nodes.js'
import type { SeedControl } from './schema.js'
import { SEED_MAX } from '../engine/spec.js'

const TRAILING_LIKE = new Set(['sgm_uniform', 'simple', 'ddim_uniform'])

/**
 * ComfyUI sampler + scheduler names -> our preset, by name alone (the converters translate the schedule's numbers
 * instead; this answers "which preset" where no schedule is at hand).
 */
export function schedulerPreset(samplerName: string | undefined, scheduler: string | undefined, warn: (m: string) => void): string | undefined {
  if (samplerName === undefined) return undefined
  const preset = presetForSampler(samplerName, warn)
  if (scheduler !== undefined && !TRAILING_LIKE.has(scheduler) && (preset === 'ddim-trailing' || preset === 'euler-trailing' || preset === 'ddpm-trailing-cfg')) {
    warn(`scheduler "${scheduler}" has no equivalent; "${preset}" uses trailing timestep spacing`)
  }
  return preset
}

function seedValue(ctx: ConvertContext, name: string): number | undefined {
  const seed = num(ctx, name)
  if (seed === undefined) return undefined
  if (Number.isSafeInteger(seed) && seed >= 0) return seed
  const clamped = Math.min(SEED_MAX, Math.max(0, Math.trunc(seed)))
  ctx.warn(`seed ${seed} is outside 0..2^53-1; using ${clamped}`)
  return clamped
}

/** ComfyUI's control_after_generate; a primitive feeding the seed carries its own, which is the one that acts. */
function seedControl(ctx: ConvertContext, seedName: string): Record<string, SeedControl> | undefined {
  const control = ctx.valueSource(seedName)?.widgets['control_after_generate'] ?? ctx.widget('control_after_generate')
  return control === 'fixed' || control === 'increment' || control === 'decrement' || control === 'randomize' ? { seed: control } : undefined
}

/** The sampler's links and the seed/cfg widgets, read from `ctx` (the sampler, or for SamplerCustomAdvanced its parts). */
function samplerCore(ctx: ConvertContext, seedName: string): Inputs {
  const inputs: Inputs = {}
  setLink(inputs, ctx, 'model', 'model')
  setLink(inputs, ctx, 'positive', 'positive')
  setLink(inputs, ctx, 'negative', 'negative')
  setLink(inputs, ctx, 'latent_image', 'latent')
  setIfDefined(inputs, 'seed', seedValue(ctx, seedName))
  setIfDefined(inputs, 'cfg', num(ctx, 'cfg'))
  return inputs
}

function sampler(inputs: Inputs, ctx: ConvertContext, seedName: string): Converted {
  const controls = seedControl(ctx, seedName)
  return { type: 'TSCDSampler', inputs, ...(controls ? { controls } : {}) }
}

/** Writes the translated schedule into our sampler's inputs. */
function applyRun(inputs: Inputs, run: ComfySamplingRun, warn: (message: string) => void): void {
  const t = translateSampling(run, warn)
  inputs['scheduler'] = t.scheduler
  inputs['steps'] = t.steps
  setIfDefined(inputs, 'timesteps', t.timesteps)
  setIfDefined(inputs, 'sigmas', t.sigmas)
  setIfDefined(inputs, 'eta', t.eta)
  setIfDefined(inputs, 'denoise', t.denoise)
}

const positiveInt = (value: number | undefined, fallback: number): number => Math.max(1, Math.trunc(value ?? fallback))

/** SamplerCustom(Advanced): the SAMPLER and SIGMAS inputs folded in; `modelCtx` is the node holding the model input. */
function customSampling(inputs: Inputs, ctx: ConvertContext, modelCtx: ConvertContext): void {
  const chosen: SamplerSource | undefined = samplerSource(ctx)
  const source = sigmasSource(ctx)
  const ms = modelSamplingOf(modelCtx)
  if (source) {
    // An unknown sampler runs as our default preset (DDIM trailing), on ComfyUI's schedule.
    const { sampler: name, eta } = chosen ?? { sampler: 'ddim' }
    applyRun(inputs, { sampler: name, sampling: ms, ...source.schedule, ...(eta !== undefined ? { eta } : {}) }, ctx.warn)
    return
  }
  // Without a known schedule the preset runs its own; say so rather than guess.
  if (chosen) {
    inputs['scheduler'] = presetForSampler(chosen.sampler, ctx.warn)
    setIfDefined(inputs, 'eta', chosen.eta)
  }
  if (!ctx.origin('sigmas')) ctx.warn('input "sigmas" is not connected; the preset\'s default schedule is used')
}

export const SAMPLER_CONVERTERS: Readonly<Record<string, Converter>> = {
  KSampler: {
    outputs: ['latent'],
    convert(ctx) {
      const inputs = samplerCore(ctx, 'seed')
      const steps = positiveInt(num(ctx, 'steps'), 20)
      const denoise = num(ctx, 'denoise') ?? 1
      const ms = modelSamplingOf(ctx)
      // KSampler runs the full schedule above denoise 0.9999.
      const schedule = ksamplerSchedule(ctx, ms, steps, denoise > 0.9999 ? 1 : denoise, str(ctx, 'scheduler'))
      applyRun(inputs, { sampler: str(ctx, 'sampler_name') ?? 'euler', sampling: ms, ...schedule }, ctx.warn)
      return sampler(inputs, ctx, 'seed')
    },
  },
  KSamplerAdvanced: {
    outputs: ['latent'],
    convert(ctx) {
      const inputs = samplerCore(ctx, 'noise_seed')
      const steps = positiveInt(num(ctx, 'steps'), 20)
      const ms = modelSamplingOf(ctx)
      let sigmas = ksamplerSchedule(ctx, ms, steps, 1, str(ctx, 'scheduler')).sigmas
      const start = Math.max(0, Math.trunc(num(ctx, 'start_at_step') ?? 0))
      const end = Math.trunc(num(ctx, 'end_at_step') ?? 10000)
      // As ComfyUI's common_ksampler: cut at end_at_step (to sigma 0 unless leftover noise is returned), then start.
      if (end < sigmas.length - 1) {
        sigmas = sigmas.slice(0, Math.max(end, 0) + 1)
        if (ctx.widget('return_with_leftover_noise') !== 'enable') sigmas[sigmas.length - 1] = 0
      }
      if (start >= sigmas.length - 1) ctx.warn(`start_at_step ${start} is past the schedule's end: ComfyUI returns the latent unchanged; ours samples it`)
      if (ctx.widget('add_noise') === 'disable') ctx.warn('add_noise "disable" is not supported; noise is added')
      applyRun(inputs, { sampler: str(ctx, 'sampler_name') ?? 'euler', sampling: ms, sigmas, start }, ctx.warn)
      return sampler(inputs, ctx, 'noise_seed')
    },
  },
  SamplerCustom: {
    outputs: ['latent', 'latent'],
    convert(ctx) {
      const inputs = samplerCore(ctx, 'noise_seed')
      if (ctx.widget('add_noise') === false) ctx.warn('add_noise off is not supported; noise is added')
      customSampling(inputs, ctx, ctx)
      return sampler(inputs, ctx, 'noise_seed')
    },
  },
  SamplerCustomAdvanced: {
    // output, denoised_output: our sampler's result is both (its last step returns the denoised latent).
    outputs: ['latent', 'latent'],
    convert(ctx) {
      const inputs: Inputs = {}
      setLink(inputs, ctx, 'latent_image', 'latent')
      const guider = ctx.origin('guider')
      let modelCtx = ctx
      if (guider && (guider.node.type === 'CFGGuider' || guider.node.type === 'BasicGuider')) {
        ctx.fold('guider')
        modelCtx = ctx.contextOf(guider.node)
        setLink(inputs, modelCtx, 'model', 'model')
        if (guider.node.type === 'CFGGuider') {
          setLink(inputs, modelCtx, 'positive', 'positive')
          setLink(inputs, modelCtx, 'negative', 'negative')
          setIfDefined(inputs, 'cfg', num(modelCtx, 'cfg'))
        } else {
          setLink(inputs, modelCtx, 'conditioning', 'positive')
          inputs['cfg'] = 1
        }
      } else if (guider) {
        ctx.warn(`guider from node ${guider.node.id} (${guider.node.type}) is not understood; connect the model and prompts to the sampler`)
      }
      const noise = ctx.origin('noise')
      let controls: Converted['controls']
      if (noise?.node.type === 'RandomNoise') {
        ctx.fold('noise')
        const noiseCtx = ctx.contextOf(noise.node)
        setIfDefined(inputs, 'seed', seedValue(noiseCtx, 'noise_seed'))
        controls = seedControl(noiseCtx, 'noise_seed')
      } else if (noise?.node.type === 'DisableNoise') {
        ctx.fold('noise')
        ctx.warn('DisableNoise is not supported; noise is added')
      } else if (noise) {
        ctx.warn(`noise from node ${noise.node.id} (${noise.node.type}) is not understood; the sampler's seed is used`)
      }
      customSampling(inputs, ctx, modelCtx)
      return { type: 'TSCDSampler', inputs, ...(controls ? { controls } : {}) }
    },
  },
}
