// Shape from the object's region: whether it narrows towards the top (the upright triangle's apex; a disc and a
// square are as wide at the top as at the bottom), how much of its bounding box it fills (square 1, disc pi/4,
// triangle 1/2), and whether it reaches into the box's corners (a square does, a disc leaves them empty). The
// corners decide square against disc: a noisy edge that widens a small box by a pixel each side drops a
// square's fill from 1 to 0.8, but leaves most of its corners filled.
import type { ObjectMask } from './mask.js'

export interface ShapeFeatures {
  /** Region area / bounding-box area. */
  readonly fill: number
  /** Mean width over the top band (10-30% of the height) / mean width over the bottom band (70-90%). */
  readonly taper: number
  /** Share of the four corner triangles (within 30% of the box side of a corner, along both axes summed) filled. */
  readonly corners: number
}

const FILL_CIRCLE = Math.PI / 4
const FILL_TRIANGLE = 0.5
/** The triangle's taper is 0.25, a disc's and a square's 1. */
const TAPER_SPLIT = 0.6
/** A disc inscribed in the box just misses the corner triangles (0, up to 0.12 pixelated); a square fills them (1, down to 0.35 blurred). */
const CORNER_SPLIT = 0.25
const CORNER_REACH = 0.3

function bandWidth(mask: ObjectMask, width: number, from: number, to: number): number {
  const h = mask.y1 - mask.y0 + 1
  const first = mask.y0 + Math.floor(from * h)
  const last = Math.max(first, mask.y0 + Math.ceil(to * h) - 1)
  let count = 0
  for (let y = first; y <= last; y++) for (let x = mask.x0; x <= mask.x1; x++) count += mask.inside[y * width + x]!
  return count / (last - first + 1)
}

function cornerFill(mask: ObjectMask, width: number): number {
  const w = mask.x1 - mask.x0 + 1
  const h = mask.y1 - mask.y0 + 1
  let inCorners = 0
  let filled = 0
  for (let y = mask.y0; y <= mask.y1; y++) {
    for (let x = mask.x0; x <= mask.x1; x++) {
      // Pixel centre as a fraction of the box from its nearest corner, along each axis.
      const u = Math.min(x - mask.x0 + 0.5, mask.x1 + 0.5 - x) / w
      const v = Math.min(y - mask.y0 + 0.5, mask.y1 + 0.5 - y) / h
      if (u + v >= CORNER_REACH) continue
      inCorners++
      filled += mask.inside[y * width + x]!
    }
  }
  return inCorners > 0 ? filled / inCorners : 0
}

export function shapeFeatures(mask: ObjectMask, width: number): ShapeFeatures {
  const boxArea = (mask.x1 - mask.x0 + 1) * (mask.y1 - mask.y0 + 1)
  const bottom = bandWidth(mask, width, 0.7, 0.9)
  return {
    fill: mask.area / boxArea,
    taper: bottom > 0 ? bandWidth(mask, width, 0.1, 0.3) / bottom : 1,
    corners: cornerFill(mask, width),
  }
}

export function classifyShape(features: ShapeFeatures): 'circle' | 'square' | 'triangle' {
  if (features.taper < TAPER_SPLIT || features.fill < (FILL_TRIANGLE + FILL_CIRCLE) / 2) return 'triangle'
  return features.corners >= CORNER_SPLIT ? 'square' : 'circle'
}
