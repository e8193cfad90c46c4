// ComfyUI sampler nodes (KSampler, KSamplerAdvanced, SamplerCustom and the helpers folded into it) become our TSCD
// sampler: the sampler + scheduler pair picks one of our presets, and what differs is reported as a warning.
import { num, setIfDefined, setLink, str } from './comfyui-convert.js'
import type { ConvertContext, Converted, Converter, Inputs } from './comfyui-convert.js'
import type { SeedControl } from './schema.js'
import { SEED_MAX } from '../engine/spec.js'

const TRAILING_LIKE = new Set(['sgm_uniform', 'simple', 'ddim_uniform'])

/** ComfyUI sampler + scheduler names -> our sampler's scheduler preset. */
export function schedulerPreset(samplerName: string | undefined, scheduler: string | undefined, warn: (m: string) => void): string | undefined {
  if (samplerName === undefined) return undefined
  let preset: string
  if (samplerName === 'lcm') preset = 'lcm-800'
  else if (samplerName === 'tcd') preset = 'tcd'
  else if (samplerName === 'ddim') preset = 'ddim-trailing'
  else if (samplerName === 'euler') preset = 'euler-trailing'
  else if (samplerName === 'euler_ancestral') {
    preset = 'euler-trailing'
    warn(`sampler "euler_ancestral" mapped to "euler-trailing" (no ancestral noise)`)
  } else {
    preset = 'ddim-trailing'
    warn(`sampler "${samplerName}" has no equivalent; using "ddim-trailing"`)
  }
  if (scheduler !== undefined && !TRAILING_LIKE.has(scheduler) && (preset === 'ddim-trailing' || preset === 'euler-trailing')) {
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

export const SAMPLER_CONVERTERS: Readonly<Record<string, Converter>> = {
  KSampler: {
    outputs: ['latent'],
    convert(ctx) {
      const inputs = samplerCore(ctx, 'seed')
      setIfDefined(inputs, 'steps', num(ctx, 'steps'))
      setIfDefined(inputs, 'scheduler', schedulerPreset(str(ctx, 'sampler_name'), str(ctx, 'scheduler'), ctx.warn))
      setIfDefined(inputs, 'denoise', num(ctx, 'denoise'))
      return sampler(inputs, ctx, 'seed')
    },
  },
  KSamplerAdvanced: {
    outputs: ['latent'],
    convert(ctx) {
      const inputs = samplerCore(ctx, 'noise_seed')
      const steps = num(ctx, 'steps')
      setIfDefined(inputs, 'steps', steps)
      setIfDefined(inputs, 'scheduler', schedulerPreset(str(ctx, 'sampler_name'), str(ctx, 'scheduler'), ctx.warn))
      const start = num(ctx, 'start_at_step') ?? 0
      const end = num(ctx, 'end_at_step') ?? Infinity
      if (start > 0 || (steps !== undefined && end < steps)) {
        ctx.warn(`steps ${start}..${end} of a partial schedule are not supported; the full schedule is used`)
      }
      if (ctx.widget('add_noise') === 'disable') ctx.warn('add_noise "disable" is not supported; noise is added')
      return sampler(inputs, ctx, 'noise_seed')
    },
  },
  SamplerCustom: {
    outputs: ['latent', 'latent'],
    convert(ctx) {
      const inputs = samplerCore(ctx, 'noise_seed')
      const samplerNode = ctx.fold('sampler')
      const sigmasNode = ctx.fold('sigmas')
      const samplerName = samplerNode?.type === 'KSamplerSelect' ? samplerNode.widgets['sampler_name'] : undefined
      if (samplerNode && samplerNode.type !== 'KSamplerSelect') ctx.warn(`sampler from ${samplerNode.type} is not understood; using the default`)
      let scheduler: unknown
      if (sigmasNode?.type === 'BasicScheduler' || sigmasNode?.type === 'SDTurboScheduler') {
        const w = sigmasNode.widgets
        if (typeof w['steps'] === 'number') inputs['steps'] = w['steps']
        if (typeof w['denoise'] === 'number') inputs['denoise'] = w['denoise']
        scheduler = sigmasNode.type === 'SDTurboScheduler' ? 'sgm_uniform' : w['scheduler']
      } else if (sigmasNode) {
        ctx.warn(`sigmas from ${sigmasNode.type} are not understood; using the default steps`)
      }
      const preset = schedulerPreset(
        typeof samplerName === 'string' ? samplerName : undefined,
        typeof scheduler === 'string' ? scheduler : undefined,
        ctx.warn,
      )
      setIfDefined(inputs, 'scheduler', preset)
      return sampler(inputs, ctx, 'noise_seed')
    },
  },
}
