// The TSCD sampler: Hyper-SD's few-step schedules over the UNet, with CFG, seeds and live previews.
import { combo, float, InputError, int, optionalSocket, output, seed, socket, string } from '../src/engine/index.js'
import { latentToPreview } from '../src/imaging/latent-preview.js'
import { createScheduler, EulerScheduler, findPreset, float32Text, HYPER_SD_PRESETS, presetConfig, type HyperSdPreset } from '../src/sampling/index.js'
import { defineHostNode } from './define.js'
import { denoise } from './lib/denoise.js'
import { denoiseOnDevice, deviceLoopRefusal } from './lib/denoise-device.js'
import { DeviceOps } from './lib/device-ops.js'
import { parseSigmas, parseTimesteps } from './lib/timesteps-text.js'
import type { Conditioning } from './types.js'
import { createUNetCaller } from './lib/unet-call.js'
import { unetSession } from './lib/lora-sessions.js'

const PRESET_IDS = HYPER_SD_PRESETS.map((p) => p.id)

/** Presets whose sampler is `scheduler`, for inputs only that sampler reads. */
function presetsUsing(scheduler: HyperSdPreset['scheduler']): string[] {
  return HYPER_SD_PRESETS.filter((p) => p.scheduler === scheduler).map((p) => p.id)
}

/** A preset's own timesteps (LCM from 800) apply when the step count matches them; otherwise its schedule does. */
function presetTimesteps(preset: HyperSdPreset, steps: number): number[] | undefined {
  return preset.timesteps && preset.timesteps.length === steps ? [...preset.timesteps] : undefined
}

/** The eta widget is TCD's gamma; the other presets use their own (DDIM: 0, as Hyper-SD runs it). */
function etaFor(preset: HyperSdPreset, widget: number, steps: number): number {
  return preset.scheduler === 'tcd' ? widget : preset.eta(steps)
}

/** diffusers' negative conditioning for "no negative prompt" when force_zeros_for_empty_prompt is set. */
function zerosLike(positive: Conditioning): Conditioning {
  return {
    hiddenStates: new Float32Array(positive.hiddenStates.length),
    dims: positive.dims,
    ...(positive.pooled ? { pooled: new Float32Array(positive.pooled.length) } : {}),
    prompt: '',
  }
}

function failOn<T>(input: string, action: () => T): T {
  try {
    return action()
  } catch (error) {
    throw new InputError(input, error instanceof Error ? error.message : String(error))
  }
}

export const tscdSampler = defineHostNode({
  type: 'TSCDSampler',
  version: 1,
  displayName: 'TSCD Sampler',
  category: 'sampling',
  description:
    'Few-step sampling for Hyper-SD: DDIM-trailing for the N-step LoRAs, TCD for the unified LoRA, LCM from t=800 for the 1-step UNet (with 1 step), DDIM-trailing with CFG for the CFG LoRAs, Euler-trailing, or DDPM-trailing with CFG (DDIM with eta 1, fresh noise each step) for the base model without a LoRA at 25 to 50 steps. One UNet pass per step when cfg <= 1. Advanced: custom timesteps, or (euler only) custom sigmas, whose count - 1 is then the step count.',
  inputs: {
    model: socket('UNET'),
    positive: socket('CONDITIONING'),
    negative: optionalSocket('CONDITIONING', {
      description: 'Used when cfg > 1. Left unconnected, SDXL pipelines guide against zeros (force_zeros_for_empty_prompt, as diffusers does without a negative prompt); SD1.5 needs one (an empty prompt is fine).',
    }),
    latent: socket('LATENT'),
    steps: int({ default: 4, min: 1, max: 50, description: 'Hyper-SD LoRAs are trained for 1 to 8 steps.' }),
    scheduler: combo(PRESET_IDS, { default: 'ddim-trailing', description: 'Scheduler preset per Hyper-SD variant.' }),
    eta: float({
      default: 0.3,
      min: 0,
      max: 1,
      step: 0.05,
      precision: 2,
      snap: true,
      description: 'TCD gamma: 1 for one step, 0.3-0.8 for more.',
      // The other presets run their own eta (DDIM: 0), see etaFor.
      activeWhen: { input: 'scheduler', in: presetsUsing('tcd') },
    }),
    cfg: float({ default: 1, min: 0, max: 20, step: 0.5, precision: 1, description: 'Classifier-free guidance; <= 1 turns it off.' }),
    guidance_rescale: float({ default: 0, min: 0, max: 1, step: 0.05, precision: 2, snap: true, advanced: true }),
    seed: seed({ controlAfterRun: 'fixed' }),
    denoise: float({ default: 1, min: 0.01, max: 1, step: 0.01, precision: 2, description: "Strength (img2img): how much of the input latent is redrawn; below 1 starts part-way down the schedule and keeps the input's layout." }),
    timesteps: string({ default: '', description: 'Custom timesteps, e.g. "800" or "999,499"; empty uses the schedule.', advanced: true }),
    sigmas: string({
      default: '',
      description:
        'euler-trailing only: custom descending sigmas with the final sigma, e.g. "14.61,3.05,0" (a ComfyUI schedule); steps is then their count - 1. Empty uses the schedule.',
      advanced: true,
    }),
  },
  // The UNet session (with its LoRAs) is the slowest load of a first run; it needs only the model.
  warmUp: {
    inputs: ['model'],
    async load({ model }, ctx) {
      await unetSession(ctx, model)
    },
  },
  outputs: { latent: output('LATENT') },
  async execute(inputs, ctx) {
    const { model, positive, negative, latent } = inputs
    const [batch, channels, h, w] = latent.dims
    if (channels !== model.inChannels) {
      const inpaintingUNet = model.inChannels === 9 ? ' (an inpainting UNet, which also takes the mask and the masked image: not supported yet; use the base model with Set Latent Noise Mask)' : ''
      throw new InputError('latent', `has ${channels} channels but the UNet takes ${model.inChannels}${inpaintingUNet}`)
    }
    if (h % model.latentMultiple !== 0 || w % model.latentMultiple !== 0) {
      const px = model.latentMultiple * model.vaeScaleFactor
      throw new InputError('latent', `size ${w * model.vaeScaleFactor}x${h * model.vaeScaleFactor} px is not a multiple of ${px} px, which this UNet needs`)
    }
    const guidedAgainst = inputs.cfg > 1 ? (negative ?? (model.forceZerosForEmptyPrompt ? zerosLike(positive) : undefined)) : undefined
    if (inputs.cfg > 1 && !guidedAgainst) {
      throw new InputError('negative', `cfg ${inputs.cfg} > 1 needs a negative conditioning (connect a CLIP Text Encode, an empty prompt is fine)`)
    }
    const preset = failOn('scheduler', () => findPreset(inputs.scheduler))
    const scheduler = failOn('scheduler', () => createScheduler(preset.scheduler, presetConfig(preset, { ...model.schedulerConfig })))
    const customSigmas = failOn('sigmas', () => parseSigmas(inputs.sigmas))
    if (customSigmas && preset.scheduler !== 'euler') {
      throw new InputError('sigmas', `custom sigmas need an euler preset (${presetsUsing('euler').join(', ')}); "${inputs.scheduler}" takes timesteps`)
    }
    if (customSigmas && inputs.timesteps.trim()) throw new InputError('sigmas', 'set custom timesteps or custom sigmas, not both')
    // With custom sigmas the step count is theirs (the final sigma is not a step).
    const steps = customSigmas ? customSigmas.length - 1 : inputs.steps
    const customTimesteps = customSigmas ? undefined : (failOn('timesteps', () => parseTimesteps(inputs.timesteps)) ?? presetTimesteps(preset, steps))
    const eta = etaFor(preset, inputs.eta, steps)
    // Schedule problems (bad custom timesteps or sigmas, steps beyond original_inference_steps) blame the input at fault.
    failOn(customSigmas ? 'sigmas' : inputs.timesteps.trim() ? 'timesteps' : 'steps', () =>
      scheduler.setTimesteps(steps, {
        ...(customTimesteps ? { timesteps: customTimesteps } : {}),
        ...(customSigmas ? { sigmas: customSigmas } : {}),
        ...(inputs.denoise < 1 ? { strength: inputs.denoise } : {}),
      }),
    )
    ctx.stage('Sampling…')
    // On a GPU the loop keeps its tensors there (denoise-device.ts) unless the UNet or the schedule cannot.
    const gpu = ctx.services.backend.device?.kind === 'gpu' ? ctx.services.backend.device : undefined
    const deviceOps = gpu ? new DeviceOps(ctx.services.sessions, gpu) : undefined
    const unet = await createUNetCaller(ctx, model, positive, guidedAgainst, [h, w], deviceOps)
    const format = model.variant
    const loop = {
      scheduler,
      steps,
      ...(customTimesteps ? { timesteps: customTimesteps } : {}),
      ...(customSigmas ? { sigmas: customSigmas } : {}),
      denoise: inputs.denoise,
      seed: inputs.seed,
      eta,
      cfg: inputs.cfg,
      guidanceRescale: inputs.guidance_rescale,
      latent: latent.data,
      ...(latent.encoded ? { encoded: latent.encoded } : {}),
      ...(latent.noiseMask ? { noiseMask: latent.noiseMask } : {}),
      ...(latent.batchIndex ? { batchIndex: latent.batchIndex, ...(latent.batchSize ? { batchSize: latent.batchSize } : {}) } : {}),
      batch,
      checkCancelled: () => ctx.checkCancelled(),
    }
    const hostOnly = gpu && (unet.hostOnlyBecause ?? deviceLoopRefusal({ scheduler, eta }) ?? (latent.noiseMask ? 'the inpainting mask blends the image back in after each step' : undefined))
    // On a GPU, a loop that must read the latents back every step says why (e.g. a schedule that clips x0).
    if (hostOnly) ctx.warn(`sampling reads the latents back from the GPU every step: ${hostOnly}`)
    const ops = hostOnly ? undefined : deviceOps
    let samples: Float32Array
    try {
      samples = ops && unet.onDevice
        ? await denoiseOnDevice({
            ...loop,
            unet: unet.onDevice,
            ops,
            dims: latent.dims,
            preview: { device: (latents) => ops.preview(latents, format), host: (latents) => latentToPreview(latents, latent.dims, format) },
            onStep: (i, total, preview) => ctx.progress(i + 1, total, preview ?? undefined),
          })
        : await denoise({ ...loop, unet, onStep: (i, total, latents) => ctx.progress(i + 1, total, latentToPreview(latents, latent.dims, format)) })
    } finally {
      unet.release()
    }
    const parameters = {
      seed: inputs.seed,
      steps,
      scheduler: inputs.scheduler,
      timesteps: scheduler.timesteps.join(','),
      // Euler runs in sigma space: the sigmas it stepped through, the final one included.
      ...(scheduler instanceof EulerScheduler ? { sigmas: Array.from(scheduler.sigmas, float32Text).join(',') } : {}),
      eta,
      cfg: inputs.cfg,
      denoise: inputs.denoise,
      ...(latent.encoded && latent.parameters?.['init_image'] !== undefined ? { init_image: latent.parameters['init_image'] } : {}),
      ...(latent.noiseMask ? { inpaint: true } : {}),
      ...(latent.parameters?.['upscale'] !== undefined ? { upscale: latent.parameters['upscale'] } : {}),
      prompt: positive.prompt,
      ...(negative && inputs.cfg > 1 ? { negative_prompt: negative.prompt } : {}),
      model: model.pipelineName,
      ...(model.weights ? { unet_weights: model.weights } : {}),
      ...Object.fromEntries(model.loras.map((l, i) => [`lora_${i + 1}`, `${l.name}:${l.scale}:${l.mode}`])),
    }
    // As in ComfyUI, the mask stays with the latent: a second sampler keeps to the same area.
    // The batch items it stands for stay with it, as ComfyUI's KSampler keeps batch_index: a second pass draws for them too.
    return { latent: { data: samples, dims: latent.dims, parameters, ...(latent.noiseMask ? { noiseMask: latent.noiseMask } : {}), ...(latent.batchIndex ? { batchIndex: latent.batchIndex, ...(latent.batchSize ? { batchSize: latent.batchSize } : {}) } : {}) } }
  },
})
