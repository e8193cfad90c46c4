// A tiny scene renderer for the tests, written from the domain's geometry independently of src/scene: the box's
// side is size * (1 + U(-sizeJitter, sizeJitter)) * width, its centre the cell centre + U(-positionJitter,
// positionJitter) clamped inside the image; a disc inscribed in the box, the box itself, or an upright
// isosceles triangle on the box's bottom edge. 4x4 supersampling anti-aliases edges like a resized render.
import { mulberry32, normalSampler } from '../../scripts/models/prng.js'
import { sceneDomain, type Scene } from '../../src/scene/index.js'

const scenes = sceneDomain()

export interface Degrade {
  /** Gaussian blur sigma in pixels. */
  readonly blur?: number
  /** Gaussian noise sigma per channel, in 0..255 units. */
  readonly noise?: number
  /** A constant shift added to every channel, as a decoder's colour drift would. */
  readonly drift?: readonly [number, number, number]
}

function inside(shape: string, u: number, v: number): boolean {
  // u, v in [0, 1] across the box, v down.
  if (shape === 'square') return true
  if (shape === 'circle') return (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25
  return Math.abs(u - 0.5) <= v / 2
}

export function renderScene(scene: Scene, seed: number, size = scenes.imageSize, degrade: Degrade = {}): Uint8ClampedArray {
  const random = mulberry32(seed)
  const normal = normalSampler(random)
  const jitter = (range: number) => (random() * 2 - 1) * range
  const side = scenes.sizes.get(scene.size)! * (1 + jitter(scenes.sizeJitter)) * size
  const [cellX, cellY] = scenes.positions.get(scene.position)!
  const clampCentre = (c: number) => Math.min(size - side / 2, Math.max(side / 2, c))
  const cx = clampCentre((cellX + jitter(scenes.positionJitter)) * size)
  const cy = clampCentre((cellY + jitter(scenes.positionJitter)) * size)
  const [left, top] = [cx - side / 2, cy - side / 2]
  const fg = scenes.palette.get(scene.colour)!
  const bg = scenes.palette.get(scene.background)!
  const rgb = new Float64Array(size * size * 3)
  const SS = 4
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let covered = 0
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const u = (x + (sx + 0.5) / SS - left) / side
          const v = (y + (sy + 0.5) / SS - top) / side
          if (u >= 0 && u <= 1 && v >= 0 && v <= 1 && inside(scene.shape, u, v)) covered++
        }
      }
      const a = covered / (SS * SS)
      for (let c = 0; c < 3; c++) rgb[(y * size + x) * 3 + c] = fg[c]! * a + bg[c]! * (1 - a)
    }
  }
  const blurred = degrade.blur ? gaussianBlur(rgb, size, degrade.blur) : rgb
  const out = new Uint8ClampedArray(size * size * 4)
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) {
      const noise = degrade.noise ? normal() * degrade.noise : 0
      out[p * 4 + c] = Math.round(blurred[p * 3 + c]! + noise + (degrade.drift?.[c] ?? 0))
    }
    out[p * 4 + 3] = 255
  }
  return out
}

/** Separable Gaussian blur with edge clamping. */
function gaussianBlur(rgb: Float64Array, size: number, sigma: number): Float64Array {
  const radius = Math.ceil(3 * sigma)
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)))
  const total = weights.reduce((a, b) => a + b, 0)
  const pass = (src: Float64Array, horizontal: boolean) => {
    const dst = new Float64Array(src.length)
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0
          for (let k = -radius; k <= radius; k++) {
            const xx = horizontal ? Math.min(size - 1, Math.max(0, x + k)) : x
            const yy = horizontal ? y : Math.min(size - 1, Math.max(0, y + k))
            sum += src[(yy * size + xx) * 3 + c]! * weights[k + radius]!
          }
          dst[(y * size + x) * 3 + c] = sum / total
        }
      }
    }
    return dst
  }
  return pass(pass(rgb, true), false)
}
