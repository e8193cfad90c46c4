// Converts a VAE decoder output (NCHW float in [-1, 1]) into 8-bit RGBA images.
import { roundHalfEven } from '../sampling/spacing.js'

/**
 * diffusers' postprocess: (x / 2 + 0.5).clamp(0, 1), then * 255 and round. Rounding matters:
 * numpy's `(x * 255).round()` is used by diffusers' `numpy_to_pil`, so we round half to even.
 */
export function decodedToRgba(sample: Float32Array, dims: readonly number[]): { width: number; height: number; images: Uint8ClampedArray[] } {
  const [batch = 1, channels = 3, height = 0, width = 0] = dims
  if (channels < 3) throw new Error(`expected a 3-channel image tensor, got ${channels} channels`)
  const plane = width * height
  const images: Uint8ClampedArray[] = []
  for (let n = 0; n < batch; n++) {
    const base = n * channels * plane
    const rgba = new Uint8ClampedArray(plane * 4)
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        const v = Math.min(1, Math.max(0, sample[base + c * plane + p]! / 2 + 0.5)) * 255
        rgba[p * 4 + c] = roundHalfEven(v)
      }
      rgba[p * 4 + 3] = 255
    }
    images.push(rgba)
  }
  return { width, height, images }
}
