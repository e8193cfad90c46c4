// Masks for inpainting: read from an image's channel (ComfyUI's LoadImage / LoadImageMask), and brought to a latent's
// size the way diffusers' inpainting pipelines do (VaeImageProcessor's mask preprocessing, then prepare_mask_latents).
import { cropToMultiple, type CropRect } from './crop.js'
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

/** The part of a plane inside `rect` (the crop VAE Encode cuts its image to). */
export function cropPlane(mask: MaskPlane, rect: CropRect): MaskPlane {
  const data = new Float32Array(rect.width * rect.height)
  for (let y = 0; y < rect.height; y++) {
    const from = (rect.y + y) * mask.width + rect.x
    data.set(mask.data.subarray(from, from + rect.width), y * rect.width)
  }
  return { width: rect.width, height: rect.height, data }
}

/**
 * Resized through an 8-bit grey image: with lanczos as diffusers resizes a PIL mask; with bilinear as ComfyUI's
 * VAEEncodeForInpaint interpolates one (to within 1/255, which its rounding to 0 or 1 then removes).
 */
export function resizePlane(mask: MaskPlane, width: number, height: number, method: 'lanczos' | 'bilinear' = 'lanczos'): MaskPlane {
  const rgba = new Uint8ClampedArray(mask.data.length * 4)
  for (let i = 0; i < mask.data.length; i++) {
    const grey = Math.round(mask.data[i]! * 255)
    rgba[i * 4] = grey
    rgba[i * 4 + 3] = 255
  }
  const resized = resizeRgba({ width: mask.width, height: mask.height, data: rgba }, width, height, method)
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
  const crop = cropToMultiple(mask.width, mask.height, multiple)
  if (crop.width === width && crop.height === height) return { plane: cropPlane(mask, crop), adjusted: 'cropped' }
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

/** torch.round on [0, 1]: half to even, so 0.5 rounds to 0. */
const roundMask = (v: number): number => (v > 0.5 ? 1 : 0)

/**
 * ComfyUI's GrowMask: `expand` times a grey dilation (erosion when negative) over a 3x3 footprint, a cross when
 * `taperedCorners`, with scipy's default reflected border (for a 3x3 footprint, the edge pixel repeated).
 */
export function growMask(mask: MaskPlane, expand: number, taperedCorners: boolean): MaskPlane {
  const { width, height } = mask
  const offsets: [number, number][] = []
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (!taperedCorners || dx === 0 || dy === 0) offsets.push([dx, dy])
  const pick = expand < 0 ? Math.min : Math.max
  let data = mask.data
  for (let pass = 0; pass < Math.abs(expand); pass++) {
    const next = new Float32Array(data.length)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let value = data[y * width + x]!
        for (const [dx, dy] of offsets) {
          const sx = Math.min(width - 1, Math.max(0, x + dx))
          const sy = Math.min(height - 1, Math.max(0, y + dy))
          value = pick(value, data[sy * width + sx]!)
        }
        next[y * width + x] = value
      }
    }
    data = next
  }
  return { width, height, data }
}

/**
 * ComfyUI's VAEEncodeForInpaint growth: the rounded mask convolved with a `size` x `size` box of ones (zero padding
 * ceil((size - 1) / 2), so an even box reaches one pixel further up and left), clamped to 1.
 */
export function growMaskBox(mask: MaskPlane, size: number): MaskPlane {
  const { width, height } = mask
  if (size === 0) return mask
  const pad = Math.ceil((size - 1) / 2)
  const data = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let hit = 0
      for (let ky = 0; ky < size && hit === 0; ky++) {
        const sy = y - pad + ky
        if (sy < 0 || sy >= height) continue
        for (let kx = 0; kx < size; kx++) {
          const sx = x - pad + kx
          if (sx >= 0 && sx < width && roundMask(mask.data[sy * width + sx]!) === 1) {
            hit = 1
            break
          }
        }
      }
      data[y * width + x] = hit
    }
  }
  return { width, height, data }
}

/** The rounded mask (0 or 1), as ComfyUI rounds a mask before greying the pixels under it. */
export function roundedMask(mask: MaskPlane): MaskPlane {
  return { ...mask, data: mask.data.map(roundMask) }
}
