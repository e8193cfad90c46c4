// Resizing RGBA8 images (Scale Image): nearest-exact, bilinear, bicubic and area as torch.nn.functional.interpolate
// computes them (ComfyUI's ImageScale calls it), and lanczos as PIL does (antialiased when shrinking). Separable:
// rows first, then columns, in float, rounded once at the end.
import { centreCropBox } from './crop.js'

export const RESIZE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] as const
export type ResizeMethod = (typeof RESIZE_METHODS)[number]

export interface RgbaImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray
}

/** One output sample of a 1-D resize: the source indices it reads and their weights. */
export interface Tap {
  readonly indices: readonly number[]
  readonly weights: readonly number[]
}

const clampIndex = (i: number, size: number): number => Math.min(size - 1, Math.max(0, i))

/** torch's source coordinate for align_corners=False: (dst + 0.5) * scale - 0.5. */
const sourceOf = (dst: number, scale: number): number => (dst + 0.5) * scale - 0.5

function cubic(x: number): number {
  // Keys' cubic with A = -0.75, as torch's bicubic.
  const a = -0.75
  const t = Math.abs(x)
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
  return 0
}

function sinc(x: number): number {
  if (x === 0) return 1
  const px = Math.PI * x
  return Math.sin(px) / px
}

/** The taps of a 1-D resize from inSize to outSize samples (separable: rows and columns each use their own). */
export function resizeTaps(method: ResizeMethod, inSize: number, outSize: number): Tap[] {
  const scale = inSize / outSize
  return Array.from({ length: outSize }, (_, dst): Tap => {
    switch (method) {
      case 'nearest-exact':
        return { indices: [clampIndex(Math.floor((dst + 0.5) * scale), inSize)], weights: [1] }
      case 'bilinear': {
        const src = Math.max(0, sourceOf(dst, scale))
        const x0 = Math.min(Math.floor(src), inSize - 1)
        const t = src - x0
        return { indices: [x0, clampIndex(x0 + 1, inSize)], weights: [1 - t, t] }
      }
      case 'bicubic': {
        const src = sourceOf(dst, scale)
        const x0 = Math.floor(src)
        const t = src - x0
        return { indices: [-1, 0, 1, 2].map((k) => clampIndex(x0 + k, inSize)), weights: [cubic(t + 1), cubic(t), cubic(1 - t), cubic(2 - t)] }
      }
      case 'area': {
        // adaptive_avg_pool: [floor(i * in / out), ceil((i + 1) * in / out)).
        const start = Math.floor((dst * inSize) / outSize)
        const end = Math.ceil(((dst + 1) * inSize) / outSize)
        const indices = Array.from({ length: end - start }, (_, k) => start + k)
        return { indices, weights: indices.map(() => 1 / indices.length) }
      }
      case 'lanczos': {
        // PIL: the kernel widens by the scale when shrinking (antialiasing), weights normalised.
        const support = 3 * Math.max(scale, 1)
        const centre = (dst + 0.5) * scale
        const from = Math.max(0, Math.floor(centre - support))
        const to = Math.min(inSize, Math.ceil(centre + support))
        const indices: number[] = []
        const weights: number[] = []
        for (let j = from; j < to; j++) {
          const x = (j + 0.5 - centre) / Math.max(scale, 1)
          if (Math.abs(x) >= 3) continue
          indices.push(j)
          weights.push(sinc(x) * sinc(x / 3))
        }
        const sum = weights.reduce((a, b) => a + b, 0)
        return { indices, weights: weights.map((w) => w / sum) }
      }
    }
  })
}

/** `image` resized to width x height with `method`. */
export function resizeRgba(image: RgbaImage, width: number, height: number, method: ResizeMethod): RgbaImage {
  const rows = resizeTaps(method, image.width, width)
  const columns = resizeTaps(method, image.height, height)
  // Horizontal pass: height(in) x width(out) x 4, in float.
  const across = new Float32Array(image.height * width * 4)
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const tap = rows[x]!
      for (let c = 0; c < 4; c++) {
        let sum = 0
        for (let k = 0; k < tap.indices.length; k++) sum += tap.weights[k]! * image.data[(y * image.width + tap.indices[k]!) * 4 + c]!
        across[(y * width + x) * 4 + c] = sum
      }
    }
  }
  const data = new Uint8ClampedArray(width * height * 4)
  for (let y = 0; y < height; y++) {
    const tap = columns[y]!
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0
        for (let k = 0; k < tap.indices.length; k++) sum += tap.weights[k]! * across[(tap.indices[k]! * width + x) * 4 + c]!
        data[(y * width + x) * 4 + c] = Math.round(sum)
      }
    }
  }
  return { width, height, data }
}

/** The centred crop of `image` with the aspect ratio of width x height (ComfyUI's crop "center"). */
export function cropToAspect(image: RgbaImage, width: number, height: number): RgbaImage {
  const box = centreCropBox(image.width, image.height, width, height)
  if (box.width === image.width && box.height === image.height) return image
  const data = new Uint8ClampedArray(box.width * box.height * 4)
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * image.width + box.x) * 4
    data.set(image.data.subarray(from, from + box.width * 4), y * box.width * 4)
  }
  return { width: box.width, height: box.height, data }
}
