// Masks for inpainting: read from an image's channel (ComfyUI's LoadImage / LoadImageMask), and brought to a latent's
// size the way diffusers' inpainting pipelines do (VaeImageProcessor's mask preprocessing, then prepare_mask_latents).
import { resizeRgba, type RgbaImage } from './resize.js'

export const MASK_CHANNELS = ['alpha', 'red', 'green', 'blue'] as const
export type MaskChannel = (typeof MASK_CHANNELS)[number]

const CHANNEL_OFFSET: Readonly<Record<MaskChannel, number>> = { red: 0, green: 1, blue: 2, alpha: 3 }

/** A single-channel plane in [0, 1], row-major. */
export interface MaskPlane {
  readonly width: number
  readonly height: number
  readonly data: Float32Array
}

/**
 * One channel of an RGBA8 image as a mask, as ComfyUI reads it: alpha is inverted (a transparent pixel, 1, is to be
 * repainted: image editors erase what should change), a colour channel is taken as it is (white repaints).
 */
export function channelMask(image: RgbaImage, channel: MaskChannel): MaskPlane {
  const offset = CHANNEL_OFFSET[channel]
  const plane = new Float32Array(image.width * image.height)
  for (let i = 0; i < plane.length; i++) {
    const value = Math.fround(image.data[i * 4 + offset]! / 255)
    plane[i] = channel === 'alpha' ? Math.fround(1 - value) : value
  }
  return { width: image.width, height: image.height, data: plane }
}

/** Whether any pixel of the mask is to be repainted. */
export function maskIsEmpty(mask: MaskPlane): boolean {
  return mask.data.every((v) => v === 0)
}

/** The centred crop of a plane, as VAE Encode crops images to a multiple of 8. */
function cropPlane(mask: MaskPlane, width: number, height: number): MaskPlane {
  const x0 = Math.floor((mask.width - width) / 2)
  const y0 = Math.floor((mask.height - height) / 2)
  const data = new Float32Array(width * height)
  for (let y = 0; y < height; y++) data.set(mask.data.subarray((y0 + y) * mask.width + x0, (y0 + y) * mask.width + x0 + width), y * width)
  return { width, height, data }
}

/** Resized as diffusers resizes a PIL mask: an 8-bit grey image through Pillow's lanczos. */
function resizePlane(mask: MaskPlane, width: number, height: number): MaskPlane {
  const rgba = new Uint8ClampedArray(mask.data.length * 4)
  for (let i = 0; i < mask.data.length; i++) {
    const grey = Math.round(mask.data[i]! * 255)
    rgba[i * 4] = grey
    rgba[i * 4 + 3] = 255
  }
  const resized = resizeRgba({ width: mask.width, height: mask.height, data: rgba }, width, height, 'lanczos')
  const data = new Float32Array(width * height)
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(resized.data[i * 4]! / 255)
  return { width, height, data }
}

export interface FittedMask {
  readonly plane: MaskPlane
  /** How the mask was brought to the image's size, when it was not that size already. */
  readonly adjusted?: 'cropped' | 'resized'
}

/**
 * The mask at the image's size in pixels: as it is, centred-cropped when that is how VAE Encode cut its image to a
 * multiple of 8 (the same Load Image gave both), otherwise resized.
 */
export function fitMask(mask: MaskPlane, width: number, height: number, multiple: number): FittedMask {
  if (mask.width === width && mask.height === height) return { plane: mask }
  const cropW = mask.width - (mask.width % multiple)
  const cropH = mask.height - (mask.height % multiple)
  if (cropW === width && cropH === height) return { plane: cropPlane(mask, width, height), adjusted: 'cropped' }
  return { plane: resizePlane(mask, width, height), adjusted: 'resized' }
}

/**
 * The latent-size mask the sampler blends with: diffusers binarises the image-size mask (< 0.5 -> 0, else 1), then
 * torch's nearest interpolation down by the VAE's scale reads pixel (scale * y, scale * x).
 */
export function latentMask(mask: MaskPlane, scale: number): Float32Array {
  const width = mask.width / scale
  const height = mask.height / scale
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = mask.data[y * scale * mask.width + x * scale]! < 0.5 ? 0 : 1
  }
  return out
}

/** 1 - mask (ComfyUI's InvertMask). */
export function invertMask(mask: MaskPlane): MaskPlane {
  return { ...mask, data: mask.data.map((v) => Math.fround(1 - v)) }
}
