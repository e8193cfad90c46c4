// diffusers' dynamic thresholding (_threshold_sample, from Imagen): per image, s is the `ratio` quantile of |x0|
// (torch.quantile's linear interpolation), clamped to [1, max_value]; x0 is then clamped to [-s, s] and divided by
// s. Meant for pixel-space models; latent models (SD) leave it off, as their configs do.
import { SchedulerArgumentError } from './spacing.js'

/** torch.quantile(values, q) with the default linear interpolation, for sorted values. */
function sortedQuantile(sorted: Float32Array, q: number): number {
  const position = q * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(below + 1, sorted.length - 1)
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
}

/** Thresholds `x0` (in place) as `images` equal rows, each one image's channels x height x width. */
export function dynamicThreshold(x0: Float32Array, images: number, ratio: number, maxValue: number): Float32Array {
  if (!Number.isInteger(images) || images < 1 || x0.length % images !== 0) {
    throw new SchedulerArgumentError('batch', `thresholding needs the batch size: ${images} does not divide a sample of ${x0.length} values`)
  }
  const size = x0.length / images
  for (let b = 0; b < images; b++) {
    const row = x0.subarray(b * size, (b + 1) * size)
    const magnitudes = Float32Array.from(row, Math.abs).sort()
    const s = Math.fround(Math.min(Math.max(sortedQuantile(magnitudes, ratio), 1), maxValue))
    for (let i = 0; i < size; i++) row[i] = Math.min(Math.max(row[i]!, -s), s) / s
  }
  return x0
}
