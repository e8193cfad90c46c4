// Reads a scene off an image analytically: the domain's geometry is known exactly, so no learned model is needed
// and nothing here can be fooled the way a classifier trained on the same data could.
import { sceneDomain, type Rgb, type SceneDomain } from './domain.js'
import { checkImage, type RgbaImage } from './image.js'
import { objectMask } from './mask.js'
import { colourDistance, medianColour, nearestPaletteColour } from './palette.js'
import { classifyShape, shapeFeatures, type ShapeFeatures } from './shape.js'

/** Pixels of the outer ring read for the background (two deep, so one blurred edge row cannot dominate). */
const BORDER = 2
/** Object pixels at least this share of the object's contrast away from the background give its colour. */
const CORE = 0.75

export interface MeasuredObject {
  readonly colour: string
  readonly colourRgb: Rgb
  readonly shape: string
  readonly size: string
  readonly position: string
  /** Bounding box as fractions of the image: left, top, width, height. */
  readonly box: readonly [number, number, number, number]
  readonly features: ShapeFeatures
}

export interface SceneMeasurement {
  readonly background: string
  readonly backgroundRgb: Rgb
  /** null: nothing stands out from the background. */
  readonly object: MeasuredObject | null
}

function pixel(image: RgbaImage, p: number): Rgb {
  return [image.data[p * 4]!, image.data[p * 4 + 1]!, image.data[p * 4 + 2]!]
}

/** The most common palette colour on the border, and the median of the border pixels that have it. */
function measureBackground(image: RgbaImage, domain: SceneDomain): { name: string; rgb: Rgb } {
  const { width, height } = image
  const byName = new Map<string, Rgb[]>()
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x >= BORDER && x < width - BORDER && y >= BORDER && y < height - BORDER) continue
      const rgb = pixel(image, y * width + x)
      const name = nearestPaletteColour(domain, rgb)
      const samples = byName.get(name)
      if (samples) samples.push(rgb)
      else byName.set(name, [rgb])
    }
  }
  const [name, samples] = [...byName].reduce((a, b) => (b[1].length > a[1].length ? b : a))
  return { name, rgb: medianColour(samples) }
}

function nearestSize(domain: SceneDomain, side: number): string {
  return [...domain.sizes].reduce((a, b) => (Math.abs(b[1] - side) < Math.abs(a[1] - side) ? b : a))[0]
}

function nearestPosition(domain: SceneDomain, cx: number, cy: number): string {
  return [...domain.positions].reduce((a, b) => (Math.hypot(b[1][0] - cx, b[1][1] - cy) < Math.hypot(a[1][0] - cx, a[1][1] - cy) ? b : a))[0]
}

/** Half the distance between the two closest palette colours: less than that is drift, not an object. */
function minContrast(domain: SceneDomain): number {
  const colours = [...domain.palette.values()]
  let closest = Infinity
  for (const [i, a] of colours.entries()) for (const b of colours.slice(i + 1)) closest = Math.min(closest, colourDistance(a, b))
  return closest / 2
}

export function measureScene(image: RgbaImage, domain: SceneDomain = sceneDomain()): SceneMeasurement {
  checkImage(image)
  const { width, height } = image
  const background = measureBackground(image, domain)
  const mask = objectMask(image, background.rgb, minContrast(domain))
  if (!mask) return { background: background.name, backgroundRgb: background.rgb, object: null }
  const core: Rgb[] = []
  for (let p = 0; p < mask.inside.length; p++) if (mask.inside[p] && mask.distance[p]! >= CORE * mask.contrast) core.push(pixel(image, p))
  const colourRgb = medianColour(core)
  const left = mask.x0 / width
  const top = mask.y0 / height
  const boxWidth = (mask.x1 - mask.x0 + 1) / width
  const boxHeight = (mask.y1 - mask.y0 + 1) / height
  const features = shapeFeatures(mask, width)
  return {
    background: background.name,
    backgroundRgb: background.rgb,
    object: {
      colour: nearestPaletteColour(domain, colourRgb),
      colourRgb,
      shape: classifyShape(features),
      // The larger side: blur thins the triangle's apex, never the box's full width.
      size: nearestSize(domain, Math.max(boxWidth, boxHeight)),
      position: nearestPosition(domain, left + boxWidth / 2, top + boxHeight / 2),
      box: [left, top, boxWidth, boxHeight],
      features,
    },
  }
}
