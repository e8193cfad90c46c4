// VAE encoding: RGB images -> latents for img2img, with the pipeline's vae_encoder/ (diffusers' VaeImageProcessor
// preprocessing, then encode and scale).
import { combo, InputError, int, output, socket, type NodeContext } from '../src/engine/index.js'
import { cropToMultiple, type CropRect } from '../src/imaging/crop.js'
import { encodeTiled, type DecodedTile } from '../src/imaging/tiling.js'
import { defineHostNode } from './define.js'
import { concatFloat32 } from './lib/concat.js'
import { float32, sessionFor } from './lib/run-model.js'
import { latentTiling, TILING_MODES, usesTiles, VAE_SCALE, WHEN_TILING } from './lib/vae-tiling.js'
import type { NodeServices } from './services.js'
import type { ImageBatch, Latent, LatentPosterior, Parameters, VaeModel } from './types.js'
import type { ModelSession } from '../src/runtime/types.js'

const LATENT_CHANNELS = 4

/** RGBA8 (the crop of it) -> NCHW float32 in [-1, 1]: diffusers' `x / 255` then `2x - 1`, in float32 as numpy and torch do. */
export function imageToSample(rgba: Uint8ClampedArray, fullWidth: number, crop: CropRect): Float32Array {
  const plane = crop.width * crop.height
  const out = new Float32Array(3 * plane)
  for (let y = 0; y < crop.height; y++) {
    for (let x = 0; x < crop.width; x++) {
      const src = ((crop.y + y) * fullWidth + crop.x + x) * 4
      for (let c = 0; c < 3; c++) out[c * plane + y * crop.width + x] = Math.fround(2 * Math.fround(rgba[src + c]! / 255) - 1)
    }
  }
  return out
}

export interface Encoded {
  /** Scaled (the posterior's mean when it has one). */
  readonly latent: Float32Array
  readonly posterior?: Omit<LatentPosterior, 'scalingFactor'>
}

/** The encoder's raw output for one image or tile: the posterior's parameters (mean, then log-variance) or a sample. */
interface RawEncoding extends DecodedTile {
  readonly kind: 'latent_parameters' | 'latent_sample'
}

/**
 * One image (or tile) through the encoder. Optimum exports either `latent_parameters` (the posterior's mean and
 * log-variance, newer) or `latent_sample` (a sample or mean taken inside the model, older): both are read.
 */
async function runEncoder(encoder: ModelSession, sample: Float32Array, height: number, width: number): Promise<RawEncoding> {
  const out = await encoder.run({ sample: { dtype: 'float32', dims: [1, 3, height, width], data: sample } })
  const size = { height: height / VAE_SCALE, width: width / VAE_SCALE }
  const plane = LATENT_CHANNELS * size.height * size.width
  if (out.latent_parameters) {
    const data = float32('latent_parameters', out.latent_parameters)
    if (data.length !== 2 * plane) throw new Error(`VAE encoder gave ${data.length} latent_parameters values, expected ${2 * plane} (mean and log-variance)`)
    return { kind: 'latent_parameters', data, channels: 2 * LATENT_CHANNELS, ...size }
  }
  if (!out.latent_sample) throw new Error(`VAE encoder gave neither latent_parameters nor latent_sample (outputs: ${Object.keys(out).join(', ')})`)
  const data = float32('latent_sample', out.latent_sample)
  if (data.length !== plane) throw new Error(`VAE encoder gave ${data.length} latent_sample values, expected ${plane}`)
  return { kind: 'latent_sample', data, channels: LATENT_CHANNELS, ...size }
}

/** Scaled, with the posterior where the encoder gave its parameters (diffusers' DiagonalGaussianDistribution). */
function finishEncoding(raw: RawEncoding, vae: VaeModel): Encoded {
  const scale = (values: Float32Array) => values.map((v) => Math.fround(vae.scalingFactor * v))
  if (raw.kind === 'latent_sample') return { latent: scale(raw.data) }
  const plane = raw.data.length / 2
  const mean = raw.data.slice(0, plane)
  // logvar clamped to [-30, 20], std = exp(logvar / 2).
  const std = raw.data.slice(plane).map((logvar) => Math.exp(0.5 * Math.min(20, Math.max(-30, logvar))))
  return { latent: scale(mean), posterior: { mean, std } }
}

/** Tiles in latent cells, or undefined to encode whole. */
export type EncodeTiling = { readonly tile: number; readonly overlap: number } | undefined

/**
 * One image through the encoder, whole or in feathered tiles (their raw outputs blended, the posterior's parameters
 * included, as diffusers' tiled_encode blends its moments). `onTile` reports tiles done.
 */
export async function encodeOne(
  encoder: ModelSession,
  vae: VaeModel,
  sample: Float32Array,
  height: number,
  width: number,
  tiling?: EncodeTiling,
  onTile?: (done: number, total: number) => void,
): Promise<Encoded> {
  if (!tiling) return finishEncoding(await runEncoder(encoder, sample, height, width), vae)
  let kind: RawEncoding['kind'] | undefined
  const blended = await encodeTiled(sample, { channels: 3, height, width }, { ...tiling, scale: VAE_SCALE }, async (tileImage, tile, index, count) => {
    const raw = await runEncoder(encoder, tileImage, tile.height * VAE_SCALE, tile.width * VAE_SCALE)
    kind = raw.kind
    onTile?.(index + 1, count)
    return raw
  })
  return finishEncoding({ ...blended, kind: kind! }, vae)
}

/** The encoder's session, or an error saying that this pipeline folder has no encoder and what needs one. */
export async function encoderSession(ctx: NodeContext<NodeServices>, vae: VaeModel): Promise<ModelSession> {
  try {
    return await sessionFor(ctx, vae.encoder)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (!/file not found/.test(message)) throw error
    throw new InputError('vae', `${message}: pipeline "${vae.pipelineName}" has no VAE encoder (vae_encoder/model.onnx), which img2img needs; Optimum's ONNX export writes one`)
  }
}

export const vaeEncode = defineHostNode({
  type: 'VAEEncode',
  version: 1,
  displayName: 'VAE Encode',
  category: 'latent',
  description:
    "Encodes images into latents with the pipeline's VAE encoder (vae_encoder/), scaled by its scaling factor, for img2img: connect the latent to a sampler and set its denoise (strength) below 1. A size that is not a multiple of 8 is cropped to one, centred.",
  inputs: {
    vae: socket('VAE'),
    image: socket('IMAGE'),
    tiling: combo(TILING_MODES, {
      default: 'auto',
      description: "auto: tile when the image is larger than tile_size on either side, so a 1024x1024 encode fits in the browser's memory. Tiles differ slightly from a whole encode (the VAE normalises per tile).",
    }),
    tile_size: int({ default: 512, min: 64, max: 4096, step: 64, multipleOf: VAE_SCALE, description: 'Tile edge in pixels.', advanced: true, activeWhen: WHEN_TILING }),
    tile_overlap: int({ default: 128, min: 0, max: 1024, step: 8, multipleOf: VAE_SCALE, description: 'Pixels shared by neighbouring tiles, blended linearly.', advanced: true, activeWhen: WHEN_TILING }),
  },
  // The encoder's session needs only the pipeline: built while the graph is looked at, as the decoder's is.
  warmUp: {
    inputs: ['vae'],
    async load({ vae }, ctx) {
      await sessionFor(ctx, vae.encoder)
    },
  },
  outputs: { latent: output('LATENT') },
  async execute({ vae, image, tiling, tile_size, tile_overlap }, ctx) {
    ctx.stage('Encoding…')
    const plan = latentTiling(tile_size, tile_overlap)
    const crop = cropToMultiple(image.width, image.height, VAE_SCALE)
    if (crop.width === 0 || crop.height === 0) throw new InputError('image', `${image.width}x${image.height} px is smaller than ${VAE_SCALE}x${VAE_SCALE}`)
    if (crop.width !== image.width || crop.height !== image.height) {
      ctx.warn(`image ${image.width}x${image.height} px cropped to ${crop.width}x${crop.height} (the VAE needs multiples of ${VAE_SCALE})`)
    }
    const encoder = await encoderSession(ctx, vae)
    const tiles = usesTiles(tiling, plan, crop.height / VAE_SCALE, crop.width / VAE_SCALE) ? plan : undefined
    const count = image.images.length
    const encoded: Encoded[] = []
    for (const [n, rgba] of image.images.entries()) {
      ctx.checkCancelled()
      const onTile = (done: number, total: number) => {
        ctx.checkCancelled()
        ctx.progress(n * total + done, count * total)
      }
      encoded.push(await encodeOne(encoder, vae, imageToSample(rgba, image.width, crop), crop.height, crop.width, tiles, onTile))
      if (!tiles) ctx.progress(n + 1, count)
    }
    return { latent: stackEncoded(encoded, image, crop, vae.scalingFactor) }
  },
})

export function stackEncoded(encoded: readonly Encoded[], image: ImageBatch, crop: { width: number; height: number }, scalingFactor: number): Latent {
  const dims = [encoded.length, LATENT_CHANNELS, crop.height / VAE_SCALE, crop.width / VAE_SCALE] as const
  const posteriors = encoded.map((e) => e.posterior)
  const posterior = posteriors.every((p) => p !== undefined)
    ? { mean: concatFloat32(posteriors.map((p) => p.mean)), std: concatFloat32(posteriors.map((p) => p.std)), scalingFactor }
    : undefined
  const initImage = image.parameters['init_image']
  const parameters: Parameters = initImage !== undefined ? { init_image: initImage } : {}
  return { data: concatFloat32(encoded.map((e) => e.latent)), dims, parameters, encoded: posterior ? { posterior } : {} }
}
