// The minimap's geometry: the graph and the visible area fit in the box, and a point on it maps back to the graph.
import type { LGraph } from '@comfyorg/litegraph'
import { describe, expect, it } from 'vitest'
import { frameFor, minimapSignature, offsetCentring, toGraph, toMinimap, visibleRect } from '../../src/editor/minimap.js'

describe('minimap geometry', () => {
  const view = { offset: [100, 50] as const, scale: 0.5, width: 800, height: 600 }

  it('the visible area is the canvas size over the zoom, at minus the offset', () => {
    expect(visibleRect(view)).toEqual([-100, -50, 1600, 1200])
  })

  it('fits every rectangle inside the box, keeping proportions, and maps back exactly', () => {
    const rects = [[0, 0, 400, 300], [2000, 1000, 300, 200], visibleRect(view)] as const
    const frame = frameFor(rects, 180, 120)
    for (const [x, y, w, h] of rects) {
      const [left, top] = toMinimap(frame, x, y)
      const [right, bottom] = toMinimap(frame, x + w, y + h)
      expect(left).toBeGreaterThanOrEqual(0)
      expect(top).toBeGreaterThanOrEqual(0)
      expect(right).toBeLessThanOrEqual(180)
      expect(bottom).toBeLessThanOrEqual(120)
    }
    const [gx, gy] = toGraph(frame, ...toMinimap(frame, 1234, 567))
    expect(gx).toBeCloseTo(1234, 6)
    expect(gy).toBeCloseTo(567, 6)
  })

  it('the offset for a graph point puts it at the centre of the view', () => {
    const [ox, oy] = offsetCentring(view, 1000, 700)
    const visible = visibleRect({ ...view, offset: [ox, oy] })
    expect(visible[0] + visible[2] / 2).toBeCloseTo(1000, 6)
    expect(visible[1] + visible[3] / 2).toBeCloseTo(700, 6)
  })

  it('an empty graph gives a neutral frame', () => {
    expect(frameFor([], 180, 120)).toEqual({ origin: [0, 0], factor: 1, pad: [0, 0] })
  })

  it('the redraw fingerprint changes with a node colour, even between palette colours of the same length', () => {
    const graphWith = (bgcolor: string): LGraph =>
      ({ _nodes: [{ pos: [0, 0], size: [200, 100], mode: 0, bgcolor, flags: {} }] }) as unknown as LGraph
    expect(minimapSignature(graphWith('#533'), view)).not.toBe(minimapSignature(graphWith('#353'), view))
    expect(minimapSignature(graphWith('#533'), view)).toBe(minimapSignature(graphWith('#533'), view))
  })
})
