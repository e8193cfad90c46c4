// CLIP image preprocessing as transformers' CLIPImageProcessor does it: convert to RGB, resize the shortest side to
// `shortestEdge` with PIL bicubic, centre crop, rescale by 1/255, normalise per channel, NCHW float32.
import { resizeBicubic, type PixelBuffer } from './pil-resample.js'

export interface ClipPreprocessConfig {
  readonly shortestEdge: number
  readonly cropHeight: number
  readonly cropWidth: number
  readonly mean: readonly [number, number, number]
  readonly std: readonly [number, number, number]
}

/** openai/clip-vit-large-patch14's preprocessor_config.json. */
export const CLIP_PREPROCESS: ClipPreprocessConfig = {
  shortestEdge: 224,
  cropHeight: 224,
  cropWidth: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
}

/** transformers' get_resize_output_image_size(default_to_square=False): the long side is truncated, not rounded. */
export function resizedSize(width: number, height: number, shortestEdge: number): { width: number; height: number } {
  const short = Math.min(width, height)
  const long = Math.max(width, height)
  const newLong = Math.trunc((shortestEdge * long) / short)
  return width <= height ? { width: shortestEdge, height: newLong } : { width: newLong, height: shortestEdge }
}

/** RGB bytes of an RGBA image (alpha dropped, as PIL's RGBA -> RGB conversion does). */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): PixelBuffer {
  if (rgba.length !== width * height * 4) throw new Error(`RGBA image holds ${rgba.length} bytes, expected ${width}x${height}x4`)
  const rgb = new Uint8Array(width * height * 3)
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    rgb[q] = rgba[p]!
    rgb[q + 1] = rgba[p + 1]!
    rgb[q + 2] = rgba[p + 2]!
  }
  return { width, height, channels: 3, data: rgb }
}

/** Resize + centre crop (transformers' center_crop: offsets floor((size - crop) / 2)); 8-bit RGB out. */
export function resizeAndCrop(rgb: PixelBuffer, config: ClipPreprocessConfig = CLIP_PREPROCESS): PixelBuffer {
  if (rgb.channels !== 3) throw new Error(`expected 3 channels, got ${rgb.channels}`)
  const size = resizedSize(rgb.width, rgb.height, config.shortestEdge)
  const resized = resizeBicubic(rgb, size.width, size.height)
  const { cropWidth: cw, cropHeight: ch } = config
  if (cw > resized.width || ch > resized.height) {
    throw new Error(`crop ${cw}x${ch} is larger than the resized ${resized.width}x${resized.height} image`)
  }
  const top = Math.floor((resized.height - ch) / 2)
  const left = Math.floor((resized.width - cw) / 2)
  const out = new Uint8Array(cw * ch * 3)
  for (let y = 0; y < ch; y++) {
    const from = ((top + y) * resized.width + left) * 3
    out.set(resized.data.subarray(from, from + cw * 3), y * cw * 3)
  }
  return { width: cw, height: ch, channels: 3, data: out }
}

/** Rescale and normalise an 8-bit RGB crop into CHW float32, written at `offset` of `out`. */
export function normalizeToChw(crop: PixelBuffer, config: ClipPreprocessConfig, out: Float32Array, offset = 0): void {
  const plane = crop.width * crop.height
  for (let c = 0; c < 3; c++) {
    const mean = config.mean[c]!
    const std = config.std[c]!
    for (let p = 0; p < plane; p++) out[offset + c * plane + p] = (crop.data[p * 3 + c]! / 255 - mean) / std
  }
}

/** pixel_values [batch, 3, cropHeight, cropWidth] for a batch of same-sized RGBA images. */
export function clipPixelValues(
  images: readonly (Uint8ClampedArray | Uint8Array)[],
  width: number,
  height: number,
  config: ClipPreprocessConfig = CLIP_PREPROCESS,
): { data: Float32Array; dims: [number, number, number, number] } {
  const plane = config.cropWidth * config.cropHeight
  const data = new Float32Array(images.length * 3 * plane)
  images.forEach((rgba, n) => normalizeToChw(resizeAndCrop(rgbaToRgb(rgba, width, height), config), config, data, n * 3 * plane))
  return { data, dims: [images.length, 3, config.cropHeight, config.cropWidth] }
}
