// The object's pixels: those far from the background colour, kept to the largest 4-connected region so specks of
// sampling noise elsewhere do not stretch the bounding box.
import type { Rgb } from './domain.js'
import type { RgbaImage } from './image.js'

/** Below this share of the image a region is noise, not an object (the smallest scene object covers ~3%). */
export const MIN_OBJECT_FRACTION = 0.005

export interface ObjectMask {
  /** 1 inside the object's region. */
  readonly inside: Uint8Array
  readonly area: number
  /** Inclusive pixel bounds. */
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
  /** Each pixel's RGB distance from the background colour, smoothed over its 3x3 neighbourhood. */
  readonly distance: Float32Array
  /** How far the object stands out: the distance that only the top MIN_OBJECT_FRACTION of pixels exceed. */
  readonly contrast: number
}

export function distancesFrom(image: RgbaImage, background: Rgb): Float32Array {
  const { data } = image
  const out = new Float32Array(image.width * image.height)
  for (let p = 0; p < out.length; p++) {
    out[p] = Math.hypot(data[p * 4]! - background[0], data[p * 4 + 1]! - background[1], data[p * 4 + 2]! - background[2])
  }
  return out
}

/**
 * 3x3 mean of the distance map: per-pixel noise averages out before thresholding, so a noisy edge does not grow
 * one-pixel spurs that widen the bounding box. Straight edges keep their place (the mean is symmetric).
 */
function smooth(distance: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(distance.length)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0
      let n = 0
      for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++, n++) sum += distance[yy * width + xx]!
      }
      out[y * width + x] = sum / n
    }
  }
  return out
}

function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** The pixels of the largest 4-connected region of `candidate`, found by flood fill. */
function largestRegion(candidate: Uint8Array, width: number, height: number): { pixels: number[] } {
  const label = new Int32Array(candidate.length)
  let best: number[] = []
  let next = 0
  const stack: number[] = []
  for (let start = 0; start < candidate.length; start++) {
    if (!candidate[start] || label[start]) continue
    next++
    const pixels: number[] = []
    label[start] = next
    stack.push(start)
    while (stack.length > 0) {
      const p = stack.pop()!
      pixels.push(p)
      const x = p % width
      const neighbours = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p >= width ? p - width : -1, p < width * (height - 1) ? p + width : -1]
      for (const n of neighbours) {
        if (n < 0 || !candidate[n] || label[n]) continue
        label[n] = next
        stack.push(n)
      }
    }
    if (pixels.length > best.length) best = pixels
  }
  return { pixels: best }
}

/**
 * Thresholds the distance map halfway between background and object: a blurred edge is split where the sharp
 * edge was, so the region keeps the true outline, size and position.
 */
export function objectMask(image: RgbaImage, background: Rgb, minContrast: number): ObjectMask | null {
  const { width, height } = image
  const distance = smooth(distancesFrom(image, background), width, height)
  const contrast = quantile(distance, 1 - MIN_OBJECT_FRACTION)
  if (contrast < minContrast) return null
  const threshold = contrast / 2
  const candidate = new Uint8Array(distance.length)
  for (let p = 0; p < distance.length; p++) candidate[p] = distance[p]! >= threshold ? 1 : 0
  const { pixels } = largestRegion(candidate, width, height)
  if (pixels.length < MIN_OBJECT_FRACTION * width * height) return null
  const inside = new Uint8Array(distance.length)
  let [x0, y0, x1, y1] = [width, height, -1, -1]
  for (const p of pixels) {
    inside[p] = 1
    const x = p % width
    const y = (p - x) / width
    x0 = Math.min(x0, x)
    x1 = Math.max(x1, x)
    y0 = Math.min(y0, y)
    y1 = Math.max(y1, y)
  }
  return { inside, area: pixels.length, x0, y0, x1, y1, distance, contrast }
}
