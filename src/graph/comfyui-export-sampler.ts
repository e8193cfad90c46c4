// Our TSCD sampler as ComfyUI nodes, by preset: DDIM/Euler trailing as KSampler with the "simple" schedule, TCD as
// TCDModelSamplingDiscrete (the ComfyUI-TCD extension) feeding SamplerCustom, LCM from t=800 as the Hyper-SD
// authors' HyperSDXL1StepUnetScheduler + KSamplerSelect "lcm" + SamplerCustom. What ComfyUI would run differently
// is said in a warning, with the numbers.
import type { ExportContext, OutInput, OutNode } from './comfyui-export-model.js'
import { calculateSigmas, discreteSampling } from './comfyui-schedule.js'
import { translateSampling } from './comfyui-sampler-translation.js'
import { isGraphLink, type GraphLink, type InputValue } from './schema.js'
import { roundHalfEven } from '../sampling/spacing.js'

const TRAIN_STEPS = 1000

/** Diffusers' trailing spacing (our DDIM and Euler presets): round(1000 - i * 1000/steps) - 1, numpy's round-half-even. */
export function trailingTimesteps(steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => roundHalfEven(TRAIN_STEPS - i * (TRAIN_STEPS / steps)) - 1)
}

/** ComfyUI's "simple" scheduler on ModelSamplingDiscrete: sigmas[-(1 + int(x * 1000/steps))], as UNet timesteps. */
export function comfySimpleTimesteps(steps: number): number[] {
  return Array.from({ length: steps }, (_, x) => TRAIN_STEPS - 1 - Math.floor(x * (TRAIN_STEPS / steps)))
}

function sameTimesteps(a: string, b: string): boolean {
  const list = (text: string): string => text.split(',').map((t) => t.trim()).filter((t) => t !== '').map(Number).join(',')
  return list(a) === list(b)
}


function numberOr(value: InputValue | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

function textOf(value: InputValue | undefined): string {
  return typeof value === 'string' ? value.trim() : ''
}

export function exportSampler(ctx: ExportContext): void {
  const inputs = ctx.node.inputs
  const preset = typeof inputs['scheduler'] === 'string' ? inputs['scheduler'] : 'ddim-trailing'
  const steps = Math.max(1, Math.round(numberOr(inputs['steps'], 4)))
  const cfgValue = numberOr(inputs['cfg'], 1)
  const denoise = numberOr(inputs['denoise'], 1)
  const timesteps = textOf(inputs['timesteps'])
  const sigmas = textOf(inputs['sigmas'])
  const seed = numberOr(inputs['seed'], 0)
  const control = ctx.layout?.controls?.['seed'] ?? 'fixed'

  let cfg = cfgValue
  if (cfgValue < 1) {
    cfg = 1
    ctx.warn(`cfg ${cfgValue} turns guidance off here; ComfyUI would guide at that scale, so cfg 1 is written`)
  }
  if (numberOr(inputs['guidance_rescale'], 0) > 0) ctx.warn(`guidance_rescale ${String(inputs['guidance_rescale'])} is left out (ComfyUI needs a RescaleCFG node for it)`)
  if (sigmas) ctx.warn(`custom sigmas "${sigmas}" cannot be set on ComfyUI's core samplers; the preset's own schedule is exported`)

  const negative = negativeSource(ctx, cfgValue)
  const core: OutInput[] = [
    { name: 'positive', type: 'CONDITIONING', ...ctx.link('positive') },
    { name: 'negative', type: 'CONDITIONING', ...(negative ? { source: negative } : {}) },
    { name: 'latent_image', type: 'LATENT', ...ctx.link('latent', 'latent_image') },
  ]

  if (denoise < 1 && preset === 'tcd') {
    ctx.warn(`denoise ${denoise}: TCDModelSamplingDiscrete shortens its schedule to int(${steps}/${denoise}) steps and runs the last ${steps}, which can differ from our strength schedule`)
  }

  if (preset === 'tcd') {
    if (timesteps) ctx.warn(`custom timesteps "${timesteps}" cannot be set on TCDModelSamplingDiscrete; its "simple" schedule for ${steps} steps is exported`)
    const eta = numberOr(inputs['eta'], 0.3)
    const sampler = ctx.primary('SamplerCustom', [], [], [])
    const tcd = ctx.helper('TCDModelSamplingDiscrete', [{ name: 'model', type: 'MODEL', ...ctx.link('model') }], [
      ['steps', steps], ['scheduler', 'simple'], ['denoise', denoise], ['eta', eta],
    ], [{ name: 'MODEL', type: 'MODEL' }, { name: 'SAMPLER', type: 'SAMPLER' }, { name: 'SIGMAS', type: 'SIGMAS' }])
    fillSamplerCustom(ctx, sampler, { node: tcd.id, slot: 0 }, { node: tcd.id, slot: 1 }, { node: tcd.id, slot: 2 }, core, seed, control, cfg)
    return
  }
  if (preset === 'lcm-800' && steps === 1 && (timesteps === '' || timesteps === '800')) {
    const sampler = ctx.primary('SamplerCustom', [], [], [])
    const select = ctx.helper('KSamplerSelect', [], [['sampler_name', 'lcm']], [{ name: 'SAMPLER', type: 'SAMPLER' }])
    const modelLink = ctx.link('model')
    const schedule = ctx.helper('HyperSDXL1StepUnetScheduler', [{ name: 'model', type: 'MODEL', ...modelLink }], [['steps', 1]], [{ name: 'SIGMAS', type: 'SIGMAS' }])
    fillSamplerCustom(ctx, sampler, modelLink.source, { node: select.id, slot: 0 }, { node: schedule.id, slot: 0 }, core, seed, control, cfg)
    return
  }

  let samplerName: string
  let schedulerName = 'simple'
  if (preset === 'euler-trailing') samplerName = 'euler'
  else if (preset === 'lcm-800') {
    samplerName = 'lcm'
    // The ComfyUI schedule our import turns into these timesteps, if one does; else the nearest, "simple".
    const timestepsOf = (name: 'simple' | 'sgm_uniform'): string =>
      translateSampling({ sampler: 'lcm', sampling: discreteSampling(), sigmas: calculateSigmas(discreteSampling(), name, steps) }, () => undefined).timesteps ?? ''
    const exact = (['simple', 'sgm_uniform'] as const).find((name) => sameTimesteps(timestepsOf(name), timesteps))
    schedulerName = exact ?? 'simple'
    if (exact) {
      ctx.warn('ComfyUI\'s lcm sampler on a model without LCM model sampling skips the c_skip/c_out boundary condition (negligible)')
    } else {
      ctx.warn(`LCM${timesteps ? ` from timesteps "${timesteps}"` : ` at ${steps} step(s)`} has no ComfyUI scheduler with the same timesteps; exported as KSampler "lcm" with the "simple" schedule (timesteps ${timestepsOf('simple') || 'those of our preset'})`)
    }
  } else if (preset === 'ddpm-trailing-cfg') {
    samplerName = 'ddpm'
    ctx.warn('ComfyUI\'s "ddpm" takes the last step to sigma 0 and draws its step noise in its own order; ours ends at alpha_0 = acp[0] (sigma 0.0292): the same sampler, not the same image for a seed')
  } else {
    samplerName = 'ddim'
    ctx.warn('ComfyUI\'s "ddim" takes the last step to sigma 0; ours ends at alpha_0 = acp[0] (sigma 0.0292), a small difference in the final image')
  }
  if (preset !== 'lcm-800') {
    const ours = trailingTimesteps(steps)
    const theirs = comfySimpleTimesteps(steps)
    if (timesteps && timesteps.split(',').map((t) => Number(t.trim())).join(',') !== theirs.join(',')) {
      ctx.warn(`custom timesteps "${timesteps}" cannot be set on KSampler; exported with the "simple" schedule (timesteps ${theirs.join(', ')})`)
    } else if (!timesteps) {
      const differ = Math.max(...ours.map((t, i) => Math.abs(t - theirs[i]!)))
      if (differ > 0) ctx.warn(`ComfyUI's "simple" schedule at ${steps} steps runs timesteps ${theirs.join(', ')}; ours ${ours.join(', ')} (differ by up to ${differ})`)
    }
  }
  const partial = comfyDenoise(steps, denoise)
  ctx.primary(
    'KSampler',
    [{ name: 'model', type: 'MODEL', ...ctx.link('model') }, ...core],
    [['seed', seed], ['control_after_generate', control], ['steps', partial.steps], ['cfg', cfg], ['sampler_name', samplerName], ['scheduler', schedulerName], ['denoise', partial.denoise]],
    [{ name: 'LATENT', type: 'LATENT' }],
  )
  ctx.output('latent', 0)
}

function fillSamplerCustom(
  ctx: ExportContext,
  sampler: OutNode,
  model: OutInput['source'],
  samplerSlot: OutInput['source'],
  sigmasSlot: OutInput['source'],
  core: OutInput[],
  seed: number,
  control: string,
  cfg: number,
): void {
  sampler.inputs.push(
    { name: 'model', type: 'MODEL', ...(model ? { source: model } : {}) },
    core[0]!,
    core[1]!,
    { name: 'sampler', type: 'SAMPLER', ...(samplerSlot ? { source: samplerSlot } : {}) },
    { name: 'sigmas', type: 'SIGMAS', ...(sigmasSlot ? { source: sigmasSlot } : {}) },
    core[2]!,
  )
  sampler.widgets.push(['add_noise', true], ['noise_seed', seed], ['control_after_generate', control], ['cfg', cfg])
  sampler.outputs.push({ name: 'output', type: 'LATENT' }, { name: 'denoised_output', type: 'LATENT' })
  ctx.output('latent', 0)
}

/**
 * ComfyUI's samplers need a negative conditioning: ours, or an empty prompt on the positive prompt's text encoder
 * (cfg 1 ignores it; with guidance our SDXL sampler guides against zeros instead, which is said).
 */
function negativeSource(ctx: ExportContext, cfg: number): GraphLink | OutInput['source'] {
  const ours = ctx.node.inputs['negative']
  if (isGraphLink(ours)) {
    ctx.recordLink('negative', 'negative')
    return ours
  }
  const positive = ctx.node.inputs['positive']
  // Guidance with no negative runs only where the pipeline guides against zeros (SDXL's force_zeros_for_empty_prompt):
  // ComfyUI's ConditioningZeroOut of the positive is that negative.
  if (cfg > 1 && isGraphLink(positive)) {
    const zeros = ctx.helper('ConditioningZeroOut', [{ name: 'conditioning', type: 'CONDITIONING', source: positive }], [], [{ name: 'CONDITIONING', type: 'CONDITIONING' }])
    return { node: zeros.id, slot: 0 }
  }
  const encoder = isGraphLink(positive) ? ctx.ourNode(positive.from[0]) : undefined
  const clip = encoder?.type === 'CLIPTextEncode' ? encoder.inputs['clip'] : undefined
  if (!isGraphLink(clip)) {
    ctx.warn('negative is not connected and no text encoder was found for an empty one; ComfyUI will ask for a negative')
    return undefined
  }
  const empty = ctx.helper('CLIPTextEncode', [{ name: 'clip', type: 'CLIP', source: clip }], [['text', '']], [{ name: 'CONDITIONING', type: 'CONDITIONING' }])
  return { node: empty.id, slot: 0 }
}

/**
 * Our strength as KSampler's denoise: we run the last min(int(steps * d), steps) of the steps-step schedule (diffusers'
 * img2img); ComfyUI runs `steps` of a schedule for int(steps / denoise) steps. So ComfyUI gets the steps we run, and a
 * denoise that makes its schedule ours: two decimals where one does, as its widget shows them.
 */
export function comfyDenoise(steps: number, denoise: number): { steps: number; denoise: number } {
  if (denoise >= 1) return { steps, denoise: 1 }
  const kept = Math.max(1, Math.min(Math.floor(steps * denoise), steps))
  if (kept === steps) return { steps, denoise: 1 }
  const makesOurs = (d: number) => Math.trunc(kept / d) === steps
  for (let hundredths = Math.floor((kept / steps) * 100); hundredths > 0 && hundredths / 100 > kept / (steps + 1); hundredths--) {
    if (makesOurs(hundredths / 100)) return { steps: kept, denoise: hundredths / 100 }
  }
  let exact = kept / steps
  while (!makesOurs(exact)) exact -= Number.EPSILON * exact
  return { steps: kept, denoise: exact }
}
