// Resizing NCHW float planes (latents, masks at latent size) as ComfyUI's Upscale Latent does: its
// common_upscale, i.e. an optional centred crop to the new aspect ratio, then torch's interpolate
// (nearest-exact, bilinear, area, bicubic; align_corners=False, no antialiasing) or ComfyUI's bislerp.
import { centreCropBox, type CropRect } from './crop.js'
import { resizeTaps, type Tap } from './resize.js'

export const LATENT_RESIZE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'] as const
export type LatentResizeMethod = (typeof LATENT_RESIZE_METHODS)[number]

export type Dims4 = readonly [number, number, number, number]

export interface Planes {
  /** NCHW float32. */
  readonly data: Float32Array
  readonly dims: Dims4
}

/** The box of every plane, as new planes. */
export function cropPlanes(planes: Planes, box: CropRect): Planes {
  const [n, c, h, w] = planes.dims
  if (box.x === 0 && box.y === 0 && box.width === w && box.height === h) return planes
  const data = new Float32Array(n * c * box.height * box.width)
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < box.height; y++) {
      const from = (p * h + box.y + y) * w + box.x
      data.set(planes.data.subarray(from, from + box.width), (p * box.height + y) * box.width)
    }
  }
  return { data, dims: [n, c, box.height, box.width] }
}

/** Every plane resized to width x height. */
export function resizePlanes(planes: Planes, width: number, height: number, method: LatentResizeMethod): Planes {
  const [n, c, h, w] = planes.dims
  if (width === w && height === h) return planes
  if (method === 'bislerp') return bislerp(planes, width, height)
  const rows = resizeTaps(method, w, width)
  const columns = resizeTaps(method, h, height)
  const data = new Float32Array(n * c * height * width)
  const across = new Float64Array(h * width)
  for (let p = 0; p < n * c; p++) {
    const plane = planes.data.subarray(p * h * w, (p + 1) * h * w)
    for (let y = 0; y < h; y++) for (let x = 0; x < width; x++) across[y * width + x] = apply(rows[x]!, (i) => plane[y * w + i]!)
    const out = data.subarray(p * height * width, (p + 1) * height * width)
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = apply(columns[y]!, (i) => across[i * width + x]!)
  }
  return { data, dims: [n, c, height, width] }
}

/** common_upscale: the centred crop (if asked for), then the resize. */
export function upscalePlanes(planes: Planes, width: number, height: number, method: LatentResizeMethod, crop: 'disabled' | 'center'): Planes {
  const [, , h, w] = planes.dims
  const cropped = crop === 'center' ? cropPlanes(planes, centreCropBox(w, h, width, height)) : planes
  return resizePlanes(cropped, width, height, method)
}

function apply(tap: Tap, read: (index: number) => number): number {
  let sum = 0
  for (let k = 0; k < tap.indices.length; k++) sum += tap.weights[k]! * read(tap.indices[k]!)
  return sum
}

/**
 * ComfyUI's bislerp: bilinear along the width, then the height, where each pair of neighbours is blended by
 * spherical interpolation of their channel vectors (directions slerped, lengths lerped), falling back to the first
 * vector when they point the same way and to a plain lerp when they are opposite.
 */
function bislerp(planes: Planes, width: number, height: number): Planes {
  const [n, c, h, w] = planes.dims
  const across = new Float32Array(n * c * h * width)
  const alongWidth = bilinearPairs(w, width)
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < width; x++) {
        const pair = alongWidth[x]!
        slerpInto(planes.data, (ch) => ((b * c + ch) * h + y) * w, pair, c, across, ((b * c) * h + y) * width + x, h * width)
      }
    }
  }
  const data = new Float32Array(n * c * height * width)
  const alongHeight = bilinearPairs(h, height)
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < height; y++) {
      const pair = alongHeight[y]!
      for (let x = 0; x < width; x++) {
        slerpInto(across, (ch) => (b * c + ch) * h * width + x, { ...pair, first: pair.first * width, second: pair.second * width }, c, data, ((b * c) * height + y) * width + x, height * width)
      }
    }
  }
  return { data, dims: [n, c, height, width] }
}

interface Pair {
  readonly first: number
  readonly second: number
  readonly ratio: number
}

/**
 * bislerp's generate_bilinear_data: torch's bilinear resize (float32) of the indices 0..n-1 gives the first
 * neighbour (truncated) and the ratio (its fraction); of 1..n with the last one n-1, the second neighbour.
 */
function bilinearPairs(inSize: number, outSize: number): Pair[] {
  const f = Math.fround
  const scale = f(inSize / outSize)
  return Array.from({ length: outSize }, (_, dst): Pair => {
    let src = f(f(scale * f(dst + 0.5)) - 0.5)
    if (src < 0) src = 0
    const i0 = Math.trunc(src)
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0
    const lambda1 = f(Math.min(Math.max(f(src - i0), 0), 1))
    const lambda0 = f(1 - lambda1)
    const at = (values: (i: number) => number) => f(f(lambda0 * values(i0)) + f(lambda1 * values(i1)))
    const first = at((i) => i)
    const second = at((i) => (i < inSize - 1 ? i + 1 : i))
    return { first: Math.trunc(first), second: Math.trunc(second), ratio: f(first - Math.floor(first)) }
  })
}

const SAME = Math.fround(1 - 1e-5)
const OPPOSITE = Math.fround(1e-5 - 1)

/** Writes slerp(a, b, ratio) of two channel vectors: element ch of a is source[offsetOf(ch) + pair.first]. */
function slerpInto(source: Float32Array, offsetOf: (ch: number) => number, pair: Pair, c: number, target: Float32Array, targetAt: number, targetStride: number): void {
  let normA = 0
  let normB = 0
  for (let ch = 0; ch < c; ch++) {
    const a = source[offsetOf(ch) + pair.first]!
    const b = source[offsetOf(ch) + pair.second]!
    normA += a * a
    normB += b * b
  }
  normA = Math.sqrt(normA)
  normB = Math.sqrt(normB)
  let dot = 0
  for (let ch = 0; ch < c; ch++) {
    const a = normA === 0 ? 0 : source[offsetOf(ch) + pair.first]! / normA
    const b = normB === 0 ? 0 : source[offsetOf(ch) + pair.second]! / normB
    dot += a * b
  }
  const r = pair.ratio
  const omega = Math.acos(dot)
  const so = Math.sin(omega)
  const wa = Math.sin((1 - r) * omega) / so
  const wb = Math.sin(r * omega) / so
  const length = normA * (1 - r) + normB * r
  for (let ch = 0; ch < c; ch++) {
    const a = source[offsetOf(ch) + pair.first]!
    const b = source[offsetOf(ch) + pair.second]!
    let value: number
    if (dot > SAME) value = a
    else if (dot < OPPOSITE) value = a * (1 - r) + b * r
    else value = (wa * (normA === 0 ? 0 : a / normA) + wb * (normB === 0 ? 0 : b / normB)) * length
    target[targetAt + ch * targetStride] = value
  }
}
