// Resizing latents between samplers: the second pass of a "hires fix" (ComfyUI's Upscale Latent and Upscale Latent By).
import { combo, float, InputError, int, output, socket } from '../src/engine/index.js'
import { LATENT_RESIZE_METHODS, upscalePlanes, type Planes } from '../src/imaging/latent-resize.js'
import { roundHalfEven } from '../src/sampling/spacing.js'
import { defineHostNode } from './define.js'
import { VAE_SCALE } from './lib/vae-tiling.js'
import type { Latent, LatentNoiseMask } from './types.js'

const CROPS = ['disabled', 'center'] as const
type Crop = (typeof CROPS)[number]
/** The largest result: what Empty Latent allows (4096 x 4096 px). */
const MAX_LATENT_CELLS = (4096 / VAE_SCALE) ** 2
/** ComfyUI's smallest side for Upscale Latent, in pixels. */
const MIN_SIDE = 64

const METHOD_HELP =
  'nearest-exact, bilinear, area and bicubic compute what torch\'s interpolate does (ComfyUI\'s); bislerp blends neighbouring latent vectors by their direction and length (ComfyUI\'s), which keeps detail that bilinear averages away.'

/**
 * The latent at latentWidth x latentHeight. The noise mask (Set Latent Noise Mask) is resized with it (bilinear, then
 * binarised at 0.5 again); an encoded image's posterior is not, so the sampler uses the resized mean as the image.
 */
function upscaleLatent(latent: Latent, latentWidth: number, latentHeight: number, method: (typeof LATENT_RESIZE_METHODS)[number], crop: Crop): Latent {
  const resized = upscalePlanes(latent, latentWidth, latentHeight, method, crop)
  const { posterior: _posterior, ...encoded } = latent.encoded ?? {}
  // What a saved image says of the pass that made its latent larger (the sampler after this carries it on).
  const upscale = `${method} ${latent.dims[3] * VAE_SCALE}x${latent.dims[2] * VAE_SCALE} to ${latentWidth * VAE_SCALE}x${latentHeight * VAE_SCALE}${crop === 'center' ? ' (centre crop)' : ''}`
  return {
    data: resized.data,
    dims: resized.dims,
    parameters: { ...latent.parameters, upscale },
    ...(latent.encoded ? { encoded } : {}),
    ...(latent.noiseMask ? { noiseMask: upscaleMask(latent.noiseMask, latent.dims, latentWidth, latentHeight, crop) } : {}),
    // Items picked from a batch keep their places (ComfyUI copies batch_index along), so a second pass draws for them.
    ...(latent.batchIndex ? { batchIndex: latent.batchIndex, ...(latent.batchSize ? { batchSize: latent.batchSize } : {}) } : {}),
  }
}

function upscaleMask(mask: LatentNoiseMask, dims: Latent['dims'], latentWidth: number, latentHeight: number, crop: Crop): LatentNoiseMask {
  const planes: Planes = { data: mask.data, dims: [mask.batch, 1, dims[2], dims[3]] }
  const resized = upscalePlanes(planes, latentWidth, latentHeight, 'bilinear', crop)
  return { data: resized.data.map((v) => (v >= 0.5 ? 1 : 0)), batch: mask.batch }
}

function checkSize(latentWidth: number, latentHeight: number, input: string): void {
  if (latentWidth < 1 || latentHeight < 1) throw new InputError(input, `gives a latent of ${latentWidth}x${latentHeight}, which has no cells`)
  if (latentWidth * latentHeight > MAX_LATENT_CELLS) {
    throw new InputError(input, `gives ${latentWidth * VAE_SCALE}x${latentHeight * VAE_SCALE} px, more than the 16 MP (4096x4096) a latent may have`)
  }
}

export const latentUpscale = defineHostNode({
  type: 'LatentUpscale',
  version: 1,
  displayName: 'Upscale Latent',
  category: 'latent',
  description:
    "Resizes a latent to an image size, e.g. a sampler's output to twice its size before a second sampler at denoise 0.4-0.6 redraws the detail (a \"hires fix\"). A width or height of 0 follows the latent's aspect ratio from the other side; both 0 keep it. Sides are at least 64 px, in steps of 8 (one latent cell). crop center first cuts the latent to the new aspect ratio (centred); disabled stretches it.",
  inputs: {
    samples: socket('LATENT'),
    method: combo(LATENT_RESIZE_METHODS, { default: 'nearest-exact', description: METHOD_HELP }),
    width: int({ default: 512, min: 0, max: 4096, step: 8, multipleOf: 8, description: 'Width in pixels (multiple of 8); 0 follows the aspect ratio.' }),
    height: int({ default: 512, min: 0, max: 4096, step: 8, multipleOf: 8, description: 'Height in pixels (multiple of 8); 0 follows the aspect ratio.' }),
    crop: combo(CROPS, { default: 'disabled', description: 'center: cut to the new aspect ratio first; disabled: stretch.' }),
  },
  outputs: { latent: output('LATENT') },
  execute({ samples, method, width, height, crop }) {
    if (width === 0 && height === 0) return { latent: samples }
    const [, , latentH, latentW] = samples.dims
    // ComfyUI's LatentUpscale: a 0 side from the other by the latent's aspect ratio (Python's round), then 64 px at least.
    const pixelWidth = Math.max(MIN_SIDE, width === 0 ? roundHalfEven((latentW * height) / latentH) : width)
    const pixelHeight = Math.max(MIN_SIDE, height === 0 ? roundHalfEven((latentH * width) / latentW) : height)
    const latentWidth = Math.floor(pixelWidth / VAE_SCALE)
    const latentHeight = Math.floor(pixelHeight / VAE_SCALE)
    checkSize(latentWidth, latentHeight, width === 0 ? 'height' : 'width')
    return { latent: upscaleLatent(samples, latentWidth, latentHeight, method, crop) }
  },
})

export const latentUpscaleBy = defineHostNode({
  type: 'LatentUpscaleBy',
  version: 1,
  displayName: 'Upscale Latent By',
  category: 'latent',
  description:
    "Resizes a latent by a factor, e.g. 1.5 or 2 before a second sampler at denoise 0.4-0.6 (a \"hires fix\"). Each side becomes round(side x scale_by) latent cells (8 px each), as ComfyUI's Upscale Latent By computes it.",
  inputs: {
    samples: socket('LATENT'),
    method: combo(LATENT_RESIZE_METHODS, { default: 'nearest-exact', description: METHOD_HELP }),
    scale_by: float({ default: 1.5, min: 0.01, max: 8, step: 0.01, precision: 2, description: 'Factor for both sides; below 1 shrinks.' }),
  },
  outputs: { latent: output('LATENT') },
  execute({ samples, method, scale_by }) {
    const [, , latentH, latentW] = samples.dims
    const latentWidth = roundHalfEven(latentW * scale_by)
    const latentHeight = roundHalfEven(latentH * scale_by)
    checkSize(latentWidth, latentHeight, 'scale_by')
    return { latent: upscaleLatent(samples, latentWidth, latentHeight, method, 'disabled') }
  },
})
