// The ComfyUI nodes that feed a sampler without becoming nodes of ours: model-sampling patches (whose MODEL passes
// through), sampler selectors and sigma schedulers. Each is read into numbers here (the model's noise table, the
// sampler name, the schedule) for comfyui-sampler-translation.ts, and reported as folded into the sampler.
import { num, str } from './comfyui-convert.js'
import type { ConvertContext } from './comfyui-convert.js'
import type { ComfyNode } from './comfyui-read.js'
import {
  alignYourStepsSigmas,
  betaSchedule,
  calculateSigmas,
  hyperSdxl1StepSigmas,
  isComfyScheduler,
  modelSampling,
  sdTurboSigmas,
  tcdSigmas,
  withDenoise,
} from './comfyui-schedule.js'
import type { ModelSampling, ModelSamplingKind, PartialSchedule } from './comfyui-schedule.js'

/** Nodes whose MODEL output (slot 0) is their `model` input: links pass through them. */
export const MODEL_PASS_THROUGH: ReadonlySet<string> = new Set(['ModelSamplingDiscrete', 'TCDModelSamplingDiscrete'])

/** Nodes folded into the sampler they feed (never placeholders). */
export const SAMPLING_HELPER_NODES: ReadonlySet<string> = new Set([
  ...MODEL_PASS_THROUGH,
  'KSamplerSelect',
  'BasicScheduler',
  'SDTurboScheduler',
  'BetaSamplingScheduler',
  'AlignYourStepsScheduler',
  'HyperSDXL1StepUnetScheduler',
  'RandomNoise',
  'DisableNoise',
  'CFGGuider',
  'BasicGuider',
])

const MAX_HOPS = 256

/**
 * The noise table of the model feeding `input` of ctx's node: the model-sampling patch nearest the sampler wins (as
 * ComfyUI's object patches do). Walks reroutes, bypassed nodes and anything with a `model` input (LoRA loaders).
 */
export function modelSamplingOf(ctx: ConvertContext, input = 'model'): ModelSampling {
  const doc = ctx.document
  let ref = Object.hasOwn(ctx.node.links, input) ? ctx.node.links[input] : undefined
  for (let hops = 0; ref && hops < MAX_HOPS; hops++) {
    const node: ComfyNode | undefined = doc.nodes.get(ref.node)
    if (!node) break
    const active = node.mode !== 2 && node.mode !== 4
    if (active && node.type === 'TCDModelSamplingDiscrete') return modelSampling('distilled')
    if (active && node.type === 'ModelSamplingDiscrete') return modelSampling(discreteKind(ctx.contextOf(node)))
    ref = node.type === 'Reroute' ? Object.values(node.links)[0] : Object.hasOwn(node.links, 'model') ? node.links['model'] : undefined
  }
  return modelSampling('discrete')
}

/** ModelSamplingDiscrete's `sampling`: lcm switches to the distilled table; the prediction type is the model's. */
function discreteKind(ctx: ConvertContext): ModelSamplingKind {
  const sampling = str(ctx, 'sampling') ?? 'eps'
  if (sampling !== 'eps' && sampling !== 'lcm') {
    ctx.warn(`sampling "${sampling}" is not applied: our sampler takes the prediction type from the model folder's scheduler_config.json (prediction_type)`)
  }
  if (ctx.widget('zsnr') === true) ctx.warn('zsnr is not applied: set rescale_betas_zero_snr in the model folder\'s scheduler_config.json')
  return sampling === 'lcm' ? 'distilled' : 'discrete'
}

export interface SamplerSource {
  readonly sampler: string
  readonly eta?: number
}

/** The SAMPLER input: KSamplerSelect's name, or TCDModelSamplingDiscrete's TCD sampler with its eta. */
export function samplerSource(ctx: ConvertContext, input = 'sampler'): SamplerSource | undefined {
  const origin = ctx.origin(input)
  if (!origin) return undefined
  const node = origin.node
  const nodeCtx = ctx.contextOf(node)
  if (node.type === 'KSamplerSelect') {
    ctx.fold(input)
    const name = str(nodeCtx, 'sampler_name')
    return name === undefined ? undefined : { sampler: name }
  }
  if (node.type === 'TCDModelSamplingDiscrete' && origin.slot === 1) {
    ctx.fold(input)
    return { sampler: 'tcd', eta: num(nodeCtx, 'eta') ?? 0.3 }
  }
  ctx.warn(`sampler from node ${node.id} (${node.type}) is not understood; the preset's default sampler is used`)
  return undefined
}

export interface SigmasSource {
  readonly schedule: PartialSchedule
  /** e.g. `BasicScheduler (karras, 4 steps)`, for report lines. */
  readonly label: string
}

/** The SIGMAS input, computed as its scheduler node computes it; undefined (warned) where we do not know it. */
export function sigmasSource(ctx: ConvertContext, input = 'sigmas'): SigmasSource | undefined {
  const origin = ctx.origin(input)
  if (!origin) return undefined
  const node = origin.node
  const nodeCtx = ctx.contextOf(node)
  const schedule = scheduleOf(node, origin.slot, nodeCtx)
  if (!schedule) {
    ctx.warn(`sigmas from node ${node.id} (${node.type}) are not understood; the preset's default schedule is used`)
    return undefined
  }
  ctx.fold(input)
  return { schedule, label: node.type }
}

function scheduleOf(node: ComfyNode, slot: number, ctx: ConvertContext): PartialSchedule | undefined {
  const steps = (fallback: number): number => Math.max(1, Math.trunc(num(ctx, 'steps') ?? fallback))
  const denoise = (): number => num(ctx, 'denoise') ?? 1
  switch (node.type) {
    case 'BasicScheduler': {
      const name = str(ctx, 'scheduler') ?? 'normal'
      const scheduler = isComfyScheduler(name) ? name : undefined
      if (!scheduler) {
        ctx.warn(`scheduler "${name}" has no equivalent; its sigmas are not known here`)
        return undefined
      }
      const ms = modelSamplingOf(ctx)
      return withDenoise(steps(20), denoise(), (total) => calculateSigmas(ms, scheduler, total))
    }
    case 'SDTurboScheduler':
      return sdTurboSigmas(modelSamplingOf(ctx), steps(1), denoise())
    case 'BetaSamplingScheduler': {
      const ms = modelSamplingOf(ctx)
      return { sigmas: betaSchedule(ms, steps(20), num(ctx, 'alpha') ?? 0.6, num(ctx, 'beta') ?? 0.6), start: 0 }
    }
    case 'AlignYourStepsScheduler': {
      const type = str(ctx, 'model_type') ?? 'SD1'
      if (type !== 'SD1' && type !== 'SDXL') {
        ctx.warn(`model_type "${type}" is not an SD1.5/SDXL table`)
        return undefined
      }
      return alignYourStepsSigmas(type, steps(10), denoise())
    }
    case 'HyperSDXL1StepUnetScheduler':
      return { sigmas: hyperSdxl1StepSigmas(modelSamplingOf(ctx)), start: 0 }
    case 'TCDModelSamplingDiscrete': {
      if (slot !== 2) return undefined
      const name = str(ctx, 'scheduler') ?? 'simple'
      if (name !== 'simple' && name !== 'sgm_uniform') {
        ctx.warn(`scheduler "${name}" is not one TCDModelSamplingDiscrete offers (simple, sgm_uniform)`)
        return undefined
      }
      return tcdSigmas(steps(4), name, denoise())
    }
    default:
      return undefined
  }
}

/** A KSampler's scheduler widget as a schedule; an unknown name falls back to "simple" (warned). */
export function ksamplerSchedule(ctx: ConvertContext, ms: ModelSampling, steps: number, denoise: number, name: string | undefined): PartialSchedule {
  const scheduler = name ?? 'normal'
  const known = isComfyScheduler(scheduler) ? scheduler : 'simple'
  if (known !== scheduler) ctx.warn(`scheduler "${scheduler}" has no equivalent; using "simple" (trailing timesteps)`)
  return withDenoise(steps, denoise, (total) => calculateSigmas(ms, known, total))
}
