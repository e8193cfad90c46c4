// Fit at a readable zoom: the whole content when it fits, else the smallest readable zoom around the focus nodes;
// new nodes placed inside the visible area.
import { describe, expect, it } from 'vitest'
import { boundsClearOfCorner, fitScaleFor, placeInside, readableFitBounds, unionOf, type Rect } from '../../src/editor/readable-fit.js'

const view = { viewWidth: 700, viewHeight: 600, margin: 0.95, minScale: 0.7 }

/** What litegraph's fitToBounds makes of bounds: the scale and the visible graph rectangle. */
function fitted(bounds: Rect): { scale: number; visible: Rect } {
  const scale = fitScaleFor(bounds, view)
  const w = view.viewWidth / scale
  const h = view.viewHeight / scale
  return { scale, visible: [bounds[0] + bounds[2] / 2 - w / 2, bounds[1] + bounds[3] / 2 - h / 2, w, h] }
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner[0] >= outer[0] - 1e-6 && inner[1] >= outer[1] - 1e-6 && inner[0] + inner[2] <= outer[0] + outer[2] + 1e-6 && inner[1] + inner[3] <= outer[1] + outer[3] + 1e-6
}

describe('readableFitBounds', () => {
  it('fits content that is readable when fitted as it is', () => {
    const content: Rect = [0, 0, 500, 400]
    expect(readableFitBounds(content, null, view)).toEqual(content)
  })

  it('stops at the smallest readable scale, centred on wide content', () => {
    const content: Rect = [0, 0, 1600, 500]
    const { scale, visible } = fitted(readableFitBounds(content, null, view))
    expect(scale).toBeCloseTo(0.7, 6)
    expect(visible[0] + visible[2] / 2).toBeCloseTo(800, 6)
  })

  it('moves the view the least that brings the focus (output nodes) into view', () => {
    const content: Rect = [0, 0, 1600, 500]
    const focus: Rect = [1300, 100, 250, 200]
    const { scale, visible } = fitted(readableFitBounds(content, focus, view))
    expect(scale).toBeCloseTo(0.7, 6)
    expect(contains(visible, focus)).toBe(true)
    // Moved no further than needed: the focus's right edge is 8 screen pixels inside the view's.
    expect(visible[0] + visible[2]).toBeCloseTo(1550 + 8 / 0.7, 6)
    expect(visible[0]).toBeGreaterThan(0)
  })

  it('centres on a focus bigger than the readable view', () => {
    const content: Rect = [0, 0, 5000, 500]
    const focus: Rect = [3000, 0, 1500, 300]
    const { visible } = fitted(readableFitBounds(content, focus, view))
    expect(visible[0] + visible[2] / 2).toBeCloseTo(3750, 6)
  })
})

describe('unionOf', () => {
  it('bounds several rectangles', () => {
    expect(unionOf([])).toBeNull()
    expect(unionOf([[0, 0, 10, 10], [20, -5, 5, 5]])).toEqual([0, -5, 25, 15])
  })
})

describe('placeInside', () => {
  const area: Rect = [100, 100, 800, 600]
  it('keeps a node that fits where it was put', () => {
    expect(placeInside([200, 200], [300, 200], area, 10)).toEqual([200, 200])
  })
  it('moves a node past the right or bottom edge back inside', () => {
    expect(placeInside([850, 650], [300, 200], area, 10)).toEqual([590, 490])
  })
  it('keeps the top-left corner of a node bigger than the view in view', () => {
    expect(placeInside([850, 650], [1000, 900], area, 10)).toEqual([110, 110])
  })
})

describe('boundsClearOfCorner (Fit clear of the minimap)', () => {
  const corner = { width: 192, height: 132 }
  const options = { ...view, maxScale: 10 }
  /** The subject's screen rectangle once litegraph fits `bounds`. */
  const onScreen = (bounds: Rect, subject: Rect): Rect => {
    const { scale, visible } = fitted(bounds)
    return [(subject[0] - visible[0]) * scale, (subject[1] - visible[1]) * scale, subject[2] * scale, subject[3] * scale]
  }
  const clear = (r: Rect): boolean => r[0] + r[2] <= view.viewWidth - corner.width || r[1] + r[3] <= view.viewHeight - corner.height

  it('moves wide content up, where the view has room above it, and keeps the scale', () => {
    // 1400 x 800 graph units in a 700 x 600 view: fitted at 0.475, 380 px high, 110 px spare above and below; its
    // bottom-right corner runs 30 px into the minimap's.
    const content: Rect = [0, 0, 1400, 800]
    expect(clear(onScreen(content, content))).toBe(false)
    const moved = boundsClearOfCorner(content, content, corner, options)
    const shown = onScreen(moved, content)
    expect(fitted(moved).scale).toBeCloseTo(fitted(content).scale, 9)
    expect(clear(shown)).toBe(true)
    expect(shown[1]).toBeGreaterThanOrEqual(8)
    expect(shown[0]).toBeCloseTo(onScreen(content, content)[0], 6)
  })

  it('moves tall content left rather than up when that is the smaller move', () => {
    const content: Rect = [0, 0, 400, 1200]
    const moved = boundsClearOfCorner(content, content, corner, options)
    const shown = onScreen(moved, content)
    expect(clear(shown)).toBe(true)
    expect(shown[1]).toBeCloseTo(onScreen(content, content)[1], 6)
    expect(shown[0]).toBeGreaterThanOrEqual(8)
  })

  it('leaves content alone that is clear already, or that fills the view both ways', () => {
    // Fitted as at least 300 x 300 graph units: 1.9x, 190 px high, its bottom 205 px above the view's.
    const small: Rect = [0, 0, 300, 100]
    expect(clear(onScreen(small, small))).toBe(true)
    expect(boundsClearOfCorner(small, small, corner, options)).toEqual(small)
    const square: Rect = [0, 0, 700, 600]
    expect(boundsClearOfCorner(square, square, corner, options)).toEqual(square)
  })

  it('clears the focus (the output node) when the graph is too big to show whole', () => {
    const content: Rect = [0, 0, 3000, 1200]
    const focus: Rect = [2600, 900, 360, 250]
    const bounds = readableFitBounds(content, focus, view)
    expect(clear(onScreen(bounds, focus))).toBe(false)
    const shown = onScreen(boundsClearOfCorner(bounds, focus, corner, options), focus)
    expect(clear(shown)).toBe(true)
    expect(shown[0]).toBeGreaterThanOrEqual(8)
    expect(shown[1]).toBeGreaterThanOrEqual(8)
  })
})
