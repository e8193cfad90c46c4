// Socket value types shared by the node families. Values are plain descriptions (no sessions),
// so the engine can cache and hash around them; sessions live in the host's SessionCache.
import type { LocalModelFile, ModelSource } from '../src/runtime/types.js'
import type { LoraMode } from '../src/lora/index.js'
import type { TokenizerFileTexts } from '../src/text/index.js'

/** A model file that is read only when first needed (the UNet is not read to encode a prompt). */
export interface LazyModel {
  /** Stable identity: folder + relative path. Used for session caching. */
  readonly key: string
  load(): Promise<ModelSource>
  /** Bytes `load` would read, from file sizes alone (lets the memory preflight refuse before reading). */
  fileBytes?(): Promise<number | undefined>
  /** The model as a local file, for backends that open it themselves. */
  localFile?(): Promise<LocalModelFile | undefined>
}

export type PipelineVariant = 'sd15' | 'sdxl'

export interface LoraBinding {
  /** Model name as written in the graph (resolved by the host). */
  readonly name: string
  readonly scale: number
  readonly mode: LoraMode
}

export interface UNetModel {
  readonly variant: PipelineVariant
  readonly pipelineName: string
  readonly model: LazyModel
  /** diffusers scheduler_config.json of the pipeline folder; samplers merge presets over it. */
  readonly schedulerConfig: Readonly<Record<string, unknown>>
  readonly inChannels: number
  /** Latent spatial size divisor: image px = latent px * vaeScale. */
  readonly vaeScaleFactor: number
  /** A full UNet state dict (.safetensors, diffusers names) written over the model's weights; LoRAs apply on top. */
  readonly weights?: string
  readonly loras: readonly LoraBinding[]
  /** Latent height and width must be multiples of this (2^(down blocks - 1)). */
  readonly latentMultiple: number
  /** SDXL's UNet also takes pooled text embeds and size/crop time ids. */
  readonly needsTimeIds: boolean
  /** With guidance and no negative conditioning, guide against zeros (diffusers' force_zeros_for_empty_prompt). */
  readonly forceZerosForEmptyPrompt: boolean
}

export interface TextEncoderModel {
  readonly variant: PipelineVariant
  readonly pipelineName: string
  readonly encoders: readonly {
    readonly model: LazyModel
    /** The texts of this encoder's tokenizer folder (vocab.json + merges.txt or tokenizer.json, configs). */
    readonly tokenizer: TokenizerFileTexts
    /** SDXL's second encoder gives the penultimate hidden state and pooled text_embeds. */
    readonly role: 'primary' | 'secondary'
  }[]
  readonly loras: readonly LoraBinding[]
}

export interface VaeModel {
  readonly pipelineName: string
  readonly decoder: LazyModel
  /** vae_encoder/ of the pipeline folder (img2img); read only when a VAE Encode runs. */
  readonly encoder: LazyModel
  readonly scalingFactor: number
}

export interface Conditioning {
  /** [batch, 77 per window, dim]: one window, or as many as a long prompt needs (syntax comfyui). */
  readonly hiddenStates: Float32Array
  readonly dims: readonly [number, number, number]
  /** SDXL: pooled text embeds [batch, 1280]. */
  readonly pooled?: Float32Array
  readonly prompt: string
}

export type Parameters = Readonly<Record<string, string | number | boolean>>

export interface Latent {
  /** NCHW float32. */
  readonly data: Float32Array
  readonly dims: readonly [number, number, number, number]
  /** What produced it (seed, steps, scheduler, ...), carried through to saved images. */
  readonly parameters?: Parameters
  /**
   * An encoded image (VAE Encode): the sampler noises it to its first timestep at any denoise, as diffusers'
   * img2img pipelines do, where an empty latent at denoise 1 starts from pure noise (text-to-image).
   */
  readonly encoded?: EncodedImageLatent
  /**
   * Set Latent Noise Mask: where the sampler may draw (1) and where it keeps the input latent (0), at latent size.
   * Only the sampler reads it; Upscale Latent resizes it with the latent.
   */
  readonly noiseMask?: LatentNoiseMask
  /**
   * ComfyUI's batch_index: which items of a larger batch these latents are (Latent From Batch). The sampler gives each
   * the random draws that item gets in the whole batch.
   */
  readonly batchIndex?: readonly number[]
  /** The size of the batch batchIndex counts in: every random draw of the loop is made for all of it, then cut. */
  readonly batchSize?: number
}

export interface LatentNoiseMask {
  /** [1 or batch, height, width] at latent resolution, values 0 or 1 (diffusers binarises inpainting masks). */
  readonly data: Float32Array
  readonly batch: number
}

export interface EncodedImageLatent {
  /**
   * From an encoder that exports `latent_parameters` (mean and log-variance): the sampler draws the image latent
   * from this posterior with the run's seed before the noise it adds, in diffusers' order and arithmetic
   * (retrieve_latents' sample, scaled, then randn_tensor, one generator). `data` holds the scaled mean.
   */
  readonly posterior?: LatentPosterior
}

export interface LatentPosterior {
  /** Unscaled, NCHW like `data`. */
  readonly mean: Float32Array
  readonly std: Float32Array
  readonly scalingFactor: number
}

export interface ImageBatch {
  readonly width: number
  readonly height: number
  /** One RGBA Uint8ClampedArray per image. */
  readonly images: readonly Uint8ClampedArray[]
  /** Parameters that produced the images (seed, steps, scheduler, ...), written into PNG metadata. */
  readonly parameters: Parameters
}

/** ComfyUI's MASK: one float plane per image, 1 where the image is to be repainted, 0 where it is kept. */
export interface MaskBatch {
  readonly width: number
  readonly height: number
  /** One [height * width] Float32Array in [0, 1] per mask. */
  readonly masks: readonly Float32Array[]
}

declare module '../src/engine/spec.js' {
  interface SocketTypes {
    UNET: UNetModel
    CLIP: TextEncoderModel
    VAE: VaeModel
    CONDITIONING: Conditioning
    LATENT: Latent
    IMAGE: ImageBatch
    MASK: MaskBatch
    FLOAT: number
    INT: number
    STRING: string
  }
}
