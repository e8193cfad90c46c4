// The denoising loop: scheduler timesteps, UNet calls (with or without CFG), seeded noise, previews.
import { TorchGenerator, applyGuidance, type SamplingScheduler } from '../../src/sampling/index.js'
import { assertFiniteLatents } from './finite-latents.js'
import type { EncodedImageLatent, LatentNoiseMask, LatentPosterior } from '../types.js'

export interface UNetCall {
  /** Runs the UNet on `batch` latents stacked in `sample` with matching conditioning rows. */
  (sample: Float32Array, t: number, batch: number, useNegative: boolean): Promise<Float32Array>
}

export interface DenoiseOptions {
  readonly scheduler: SamplingScheduler
  readonly steps: number
  readonly timesteps?: number[]
  /** Euler only: custom sigmas, the final one included. */
  readonly sigmas?: number[]
  readonly denoise: number
  readonly seed: number
  readonly eta?: number
  readonly cfg: number
  readonly guidanceRescale: number
  /** Input latent (NCHW); its contents matter when denoise < 1, or when it is an encoded image. */
  readonly latent: Float32Array
  /** Set when the input latent is an encoded image (VAE Encode): img2img at any denoise. */
  readonly encoded?: EncodedImageLatent
  /** Inpainting (Set Latent Noise Mask): after each step, outside the mask the image latent comes back. */
  readonly noiseMask?: LatentNoiseMask
  /** Which items of a larger batch these latents are (Latent From Batch): each gets that item's random draws. */
  readonly batchIndex?: readonly number[]
  /** The size of that larger batch. */
  readonly batchSize?: number
  readonly batch: number
  readonly unet: UNetCall
  readonly onStep: (index: number, total: number, latents: Float32Array) => void
  readonly checkCancelled: () => void
}

/** What the loop starts from; with a noise mask, also what it blends back in after each step. */
export interface SamplingStart {
  readonly timesteps: number[]
  readonly generator: NormalSource
  readonly latents: Float32Array
  /** The image latent (drawn from its posterior where there is one) and the noise added to it. */
  readonly image: Float32Array
  readonly noise: Float32Array
}

/**
 * The schedule, the seeded generator and the starting latents, with the same random draws as diffusers with a CPU
 * torch.Generator: text-to-image starts from pure noise (scaled by the scheduler's init sigma) unless denoise < 1;
 * an encoded image (img2img) is first drawn from its posterior where the encoder gave one, then noised to the first
 * timestep at any denoise; per-step noise follows from the same generator. Inpainting follows diffusers' inpainting
 * pipeline instead: pure noise at denoise 1, and one more posterior draw (its masked-image encode, which a 4-channel
 * UNet does not use) before the steps.
 */
export function startSampling(options: Omit<DenoiseOptions, 'unet' | 'onStep' | 'checkCancelled'>): SamplingStart {
  const { scheduler } = options
  const timestepOptions = {
    ...(options.timesteps ? { timesteps: options.timesteps } : {}),
    ...(options.sigmas ? { sigmas: options.sigmas } : {}),
    ...(options.denoise < 1 ? { strength: options.denoise } : {}),
  }
  scheduler.setTimesteps(options.steps, timestepOptions)
  const timesteps = scheduler.timesteps
  const generator = options.batchIndex ? new BatchItemDraws(new TorchGenerator(options.seed), options.batchIndex, options.batchSize ?? 0) : new TorchGenerator(options.seed)
  const size = options.latent.length
  const posterior = options.encoded?.posterior
  const image = posterior ? samplePosterior(posterior, generator) : options.latent
  const noise = generator.randn(size)
  let latents: Float32Array
  if (options.denoise < 1 || (options.encoded && !options.noiseMask)) {
    latents = scheduler.addNoise(image, noise, timesteps[0]!)
  } else {
    latents = noise.slice()
    const sigma = scheduler.initNoiseSigma
    if (sigma !== 1) for (let i = 0; i < size; i++) latents[i] = latents[i]! * sigma
  }
  if (options.noiseMask && posterior) generator.randn(posterior.mean.length)
  return { timesteps, generator, latents, image, noise }
}

/**
 * diffusers' inpainting blend after step `index`: `(1 - mask) * image_noised + mask * latents`, where the image latent
 * is noised to the next timestep with the starting noise, and is clean after the last step. In float32, per op.
 */
export function blendOutsideMask(latents: Float32Array, start: SamplingStart, mask: LatentNoiseMask, index: number, scheduler: SamplingScheduler, batch: number): Float32Array {
  const next = start.timesteps[index + 1]
  const kept = next === undefined ? start.image : scheduler.addNoise(start.image, start.noise, next)
  const plane = mask.data.length / mask.batch
  const perImage = latents.length / batch
  const out = new Float32Array(latents.length)
  for (let b = 0; b < batch; b++) {
    const row = mask.batch === 1 ? 0 : b
    for (let i = 0; i < perImage; i++) {
      const m = mask.data[row * plane + (i % plane)]!
      const at = b * perImage + i
      out[at] = Math.fround(Math.fround(Math.fround(1 - m) * kept[at]!) + Math.fround(m * latents[at]!))
    }
  }
  return out
}

/** Where the loop's standard normal draws come from. */
export interface NormalSource {
  randn(count: number): Float32Array
}

/**
 * The draws items `indices` of a batch of `size` get when the whole batch is drawn at once (ComfyUI's prepare_noise
 * gives a batch_index its item's noise the same way): so item 2 of a batch of 4, sampled alone, is that batch's item 2.
 * Every draw of the loop is per item (noise, step noise, posterior samples) and for the whole batch in diffusers, so
 * each is made for the whole batch and cut.
 */
export class BatchItemDraws implements NormalSource {
  private readonly items: number

  constructor(
    private readonly source: TorchGenerator,
    private readonly indices: readonly number[],
    size: number,
  ) {
    this.items = Math.max(size, Math.max(...indices) + 1)
  }

  randn(count: number): Float32Array {
    const per = count / this.indices.length
    const all = this.source.randn(per * this.items)
    const out = new Float32Array(count)
    this.indices.forEach((item, i) => out.set(all.subarray(item * per, (item + 1) * per), i * per))
    return out
  }
}

/** diffusers' `scaling_factor * latent_dist.sample(generator)`, in float32 as torch computes it. */
function samplePosterior(posterior: LatentPosterior, generator: NormalSource): Float32Array {
  const eps = generator.randn(posterior.mean.length)
  const out = new Float32Array(posterior.mean.length)
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.fround(posterior.scalingFactor * Math.fround(posterior.mean[i]! + Math.fround(posterior.std[i]! * eps[i]!)))
  }
  return out
}

export async function denoise(options: DenoiseOptions): Promise<Float32Array> {
  const { scheduler, batch } = options
  const size = options.latent.length
  const start = startSampling(options)
  const { timesteps, generator } = start
  let latents = start.latents
  const useCfg = options.cfg > 1
  for (let i = 0; i < timesteps.length; i++) {
    options.checkCancelled()
    const t = timesteps[i]!
    const modelInput = scheduler.scaleModelInput(latents, t)
    let modelOutput: Float32Array
    if (useCfg) {
      const stacked = new Float32Array(size * 2)
      stacked.set(modelInput, 0)
      stacked.set(modelInput, size)
      const both = await options.unet(stacked, t, batch * 2, true)
      // Row order [uncond, cond] as diffusers builds it.
      modelOutput = applyGuidance(both.subarray(size), both.subarray(0, size), options.cfg, options.guidanceRescale, batch)
    } else {
      modelOutput = await options.unet(modelInput, t, batch, false)
    }
    options.checkCancelled()
    const eta = options.eta
    const stepNoise = scheduler.needsNoise(t, eta) ? generator.randn(size) : undefined
    latents = scheduler.step(modelOutput, t, latents, { batch, ...(eta !== undefined ? { eta } : {}), ...(stepNoise ? { noise: stepNoise } : {}) })
    if (options.noiseMask) latents = blendOutsideMask(latents, start, options.noiseMask, i, scheduler, batch)
    assertFiniteLatents(latents, i, timesteps.length, t)
    options.onStep(i, timesteps.length, latents)
  }
  return latents
}
