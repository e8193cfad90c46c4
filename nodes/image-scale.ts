// Resizing images between nodes: a photo brought to the model's size before VAE Encode (ComfyUI's "Upscale Image").
import { combo, float, InputError, int, output, socket } from '../src/engine/index.js'
import { cropToAspect, resizeRgba, RESIZE_METHODS, type ResizeMethod } from '../src/imaging/resize.js'
import { roundHalfEven } from '../src/sampling/spacing.js'
import { defineHostNode } from './define.js'
import type { ImageBatch } from './types.js'

const CROPS = ['disabled', 'center'] as const
/** The largest result, in pixels: what Empty Latent allows (4096 x 4096). */
const MAX_PIXELS = 4096 * 4096

/** The output size: a 0 side follows the image's aspect ratio from the other; both 0 keep the size. */
export function targetSize(width: number, height: number, image: { width: number; height: number }): { width: number; height: number } {
  if (width === 0 && height === 0) return { width: image.width, height: image.height }
  if (width === 0) return { width: Math.max(1, Math.round((image.width * height) / image.height)), height }
  if (height === 0) return { width, height: Math.max(1, Math.round((image.height * width) / image.width)) }
  return { width, height }
}

const METHOD_HELP = 'lanczos: sharp and antialiased (PIL\'s), best for shrinking photos. nearest-exact, bilinear, bicubic and area compute what torch\'s interpolate does (ComfyUI\'s).'

function checkPixels(size: { width: number; height: number }, input: string): void {
  if (size.width < 1 || size.height < 1) throw new InputError(input, `gives a ${size.width}x${size.height} px image, which has no pixels`)
  if (size.width * size.height > MAX_PIXELS) throw new InputError(input, `${size.width}x${size.height} px is more than the ${MAX_PIXELS / 2 ** 20} MP a scaled image may have`)
}

function scaled(image: ImageBatch, size: { width: number; height: number }, method: ResizeMethod, crop: 'disabled' | 'center', checkCancelled: () => void): ImageBatch {
  const images = image.images.map((data) => {
    checkCancelled()
    const source = { width: image.width, height: image.height, data }
    return resizeRgba(crop === 'center' ? cropToAspect(source, size.width, size.height) : source, size.width, size.height, method).data
  })
  return { ...size, images, parameters: image.parameters }
}

export const imageScale = defineHostNode({
  type: 'ImageScale',
  version: 1,
  displayName: 'Scale Image',
  category: 'image',
  description:
    "Resizes images, e.g. a photo to the model's size before VAE Encode. A width or height of 0 follows the image's aspect ratio from the other side. crop center first cuts the image to the new aspect ratio (centred); disabled stretches it.",
  inputs: {
    image: socket('IMAGE'),
    method: combo(RESIZE_METHODS, { default: 'lanczos', description: METHOD_HELP }),
    width: int({ default: 512, min: 0, max: 4096, step: 8, description: 'Width in pixels; 0 follows the aspect ratio.' }),
    height: int({ default: 512, min: 0, max: 4096, step: 8, description: 'Height in pixels; 0 follows the aspect ratio.' }),
    crop: combo(CROPS, { default: 'disabled', description: 'center: cut to the new aspect ratio first; disabled: stretch.' }),
  },
  outputs: { image: output('IMAGE') },
  execute({ image, method, width, height, crop }, ctx) {
    const size = targetSize(width, height, image)
    checkPixels(size, width === 0 ? 'height' : 'width')
    return { image: scaled(image, size, method, crop, () => ctx.checkCancelled()) }
  },
})

export const imageScaleBy = defineHostNode({
  type: 'ImageScaleBy',
  version: 1,
  displayName: 'Scale Image By',
  category: 'image',
  description: "Resizes images by a factor: each side becomes round(side x scale_by) pixels, as ComfyUI's Upscale Image By computes it.",
  inputs: {
    image: socket('IMAGE'),
    method: combo(RESIZE_METHODS, { default: 'lanczos', description: METHOD_HELP }),
    scale_by: float({ default: 1, min: 0.01, max: 8, step: 0.01, precision: 2, description: 'Factor for both sides; below 1 shrinks.' }),
  },
  outputs: { image: output('IMAGE') },
  execute({ image, method, scale_by }, ctx) {
    // Python's round, as ComfyUI's.
    const size = { width: roundHalfEven(image.width * scale_by), height: roundHalfEven(image.height * scale_by) }
    checkPixels(size, 'scale_by')
    return { image: scaled(image, size, method, 'disabled', () => ctx.checkCancelled()) }
  },
})
