// How each supported ComfyUI node becomes one of ours: named inputs, output slot names, and the approximations
// (sampler + scheduler -> preset, checkpoint file -> ONNX folder name) reported as warnings.
import type { ComfyNode } from './comfyui-read.js'
import type { GraphLink, InputValue, SeedControl } from './schema.js'
import { SEED_MAX } from '../engine/spec.js'

export interface ConvertContext {
  readonly node: ComfyNode
  /** Our link for a ComfyUI socket input; undefined when unconnected or its origin has no equivalent (warned). */
  link(comfyInput: string): GraphLink | undefined
  /** A widget value: the node's own, or the value of a primitive node linked to that widget. */
  widget(name: string): unknown
  /** The primitive node feeding a widget, if one does (its value replaces the widget's saved value). */
  valueSource(name: string): ComfyNode | undefined
  /** The node feeding a ComfyUI input (through reroutes); it is reported as folded into this node. */
  fold(comfyInput: string): ComfyNode | undefined
  warn(message: string): void
}

export interface Converted {
  readonly type: string
  readonly inputs: Record<string, InputValue>
  readonly controls?: Record<string, SeedControl>
}

export interface Converter {
  /** Our output name for each ComfyUI output slot. */
  readonly outputs: readonly string[]
  convert(ctx: ConvertContext): Converted
}

type Inputs = Record<string, InputValue>

function setLink(inputs: Inputs, ctx: ConvertContext, comfyName: string, ourName: string): void {
  const link = ctx.link(comfyName)
  if (link) inputs[ourName] = link
}

function num(ctx: ConvertContext, name: string): number | undefined {
  const value = ctx.widget(name)
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isFinite(value)) return value
  ctx.warn(`widget "${name}" is ${JSON.stringify(value)}, expected a number; left at the default`)
  return undefined
}

function str(ctx: ConvertContext, name: string): string | undefined {
  const value = ctx.widget(name)
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  ctx.warn(`widget "${name}" is ${JSON.stringify(value)}, expected text; left at the default`)
  return undefined
}

function setIfDefined(inputs: Inputs, name: string, value: InputValue | undefined): void {
  if (value !== undefined) inputs[name] = value
}

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

const lora = (withClip: boolean): Converter => ({
  outputs: withClip ? ['unet', 'clip'] : ['unet'],
  convert(ctx) {
    const inputs: Inputs = {}
    setLink(inputs, ctx, 'model', 'unet')
    if (withClip) setLink(inputs, ctx, 'clip', 'clip')
    const loraName = str(ctx, 'lora_name')
    if (loraName !== undefined) {
      // ComfyUI names LoRAs relative to models/loras; our hosts resolve names relative to the models root.
      const lora = `loras/${loraName.replace(/\\/g, '/')}`
      inputs['lora'] = lora
      ctx.warn(`LoRA "${loraName}" is looked up as "${lora}" in the models folder (CLI: --model ${lora}=PATH)`)
    }
    const scale = num(ctx, 'strength_model')
    setIfDefined(inputs, 'scale', scale)
    const clipScale = withClip ? num(ctx, 'strength_clip') : undefined
    if (clipScale !== undefined && scale !== undefined && clipScale !== scale && inputs['clip'] !== undefined) {
      ctx.warn(`strength_clip ${clipScale} differs from strength_model ${scale}; one scale (${scale}) applies to both`)
    }
    return { type: 'UNetLoRA', inputs }
  },
})

type WidgetKind = 'number' | 'text'

/**
 * A converter that renames inputs one to one: `links` maps ComfyUI socket names to ours, `widgets` maps ComfyUI
 * widget names to [our name, the value kind expected].
 */
function mapped(
  type: string,
  outputs: readonly string[],
  links: Readonly<Record<string, string>>,
  widgets: Readonly<Record<string, readonly [string, WidgetKind]>>,
): Converter {
  return {
    outputs,
    convert(ctx) {
      const inputs: Inputs = {}
      for (const [comfy, ours] of Object.entries(links)) setLink(inputs, ctx, comfy, ours)
      for (const [comfy, [ours, kind]] of Object.entries(widgets)) setIfDefined(inputs, ours, kind === 'number' ? num(ctx, comfy) : str(ctx, comfy))
      return { type, inputs }
    },
  }
}

const note: Converter = {
  outputs: [],
  convert: (ctx) => ({ type: 'Note', inputs: { text: str(ctx, 'text') ?? '' } }),
}

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  CheckpointLoaderSimple: {
    outputs: ['unet', 'clip', 'vae'],
    convert(ctx): Converted {
      const ckpt = str(ctx, 'ckpt_name')
      if (ckpt === undefined) return { type: 'LoadPipeline', inputs: {} }
      const SINGLE_FILE = /\.(safetensors|ckpt|pt|pth|bin)$/i
      const model = ckpt.replace(/\\/g, '/').replace(SINGLE_FILE, '')
      if (SINGLE_FILE.test(ckpt)) {
        ctx.warn(`checkpoint "${ckpt}" is a single-file checkpoint; "${model}" must name an ONNX export folder (CLI: --model ${model}=PATH)`)
      }
      return { type: 'LoadPipeline', inputs: { model } }
    },
  },
  LoraLoader: lora(true),
  LoraLoaderModelOnly: lora(false),
  CLIPTextEncode: mapped('CLIPTextEncode', ['conditioning'], { clip: 'clip' }, { text: ['text', 'text'] }),
  EmptyLatentImage: mapped('EmptyLatent', ['latent'], {}, {
    width: ['width', 'number'],
    height: ['height', 'number'],
    batch_size: ['batch', 'number'],
  }),
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
  VAEDecode: mapped('VAEDecode', ['image'], { vae: 'vae', samples: 'latent' }, {}),
  SaveImage: mapped('SaveImage', [], { images: 'image' }, { filename_prefix: ['filename_prefix', 'text'] }),
  PreviewImage: mapped('PreviewImage', [], { images: 'image' }, {}),
  Note: note,
  MarkdownNote: note,
}

/** Nodes whose value is read by the nodes they feed (primitive widgets), rather than converted themselves. */
export const VALUE_NODES: ReadonlySet<string> = new Set([
  'PrimitiveNode', 'PrimitiveInt', 'PrimitiveFloat', 'PrimitiveString', 'PrimitiveStringMultiline', 'PrimitiveBoolean',
])
