// The minimap: the graph's node rectangles and the visible area, drawn small, and the mapping back from a point on
// it to the graph (to pan there). litegraph 0.17 ships no minimap, so this is our own; it reads positions and the
// view only, so the main canvas draws exactly as before.
import { LiteGraph, type LGraph, type LGraphNode } from '@comfyorg/litegraph'
import { nodeModeOf } from './node-tools.js'

export type Rect = readonly [x: number, y: number, width: number, height: number]

export interface MinimapView {
  /** The main canvas offset and scale (litegraph's DragAndScale). */
  readonly offset: readonly [number, number]
  readonly scale: number
  /** The main canvas size in CSS pixels. */
  readonly width: number
  readonly height: number
}

/** A graph rectangle's mapping onto a minimap of `width` x `height` pixels, keeping proportions. */
export interface MinimapFrame {
  readonly origin: readonly [number, number]
  /** Minimap pixels per graph unit. */
  readonly factor: number
  readonly pad: readonly [number, number]
}

const MARGIN = 6

/** The visible graph area: what the main canvas shows at its offset and scale. */
export function visibleRect(view: MinimapView): Rect {
  return [-view.offset[0], -view.offset[1], view.width / view.scale, view.height / view.scale]
}

export function nodeRect(node: LGraphNode): Rect {
  const titleH = LiteGraph.NODE_TITLE_HEIGHT
  const width = node.flags.collapsed ? Math.min(node.size[0], 160) : node.size[0]
  const height = node.flags.collapsed ? 0 : node.size[1]
  return [node.pos[0], node.pos[1] - titleH, width, height + titleH]
}

/** Fits the union of `rects` (nodes and the visible area) into the minimap. */
export function frameFor(rects: readonly Rect[], width: number, height: number): MinimapFrame {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const [x, y, w, h] of rects) {
    left = Math.min(left, x)
    top = Math.min(top, y)
    right = Math.max(right, x + w)
    bottom = Math.max(bottom, y + h)
  }
  if (!Number.isFinite(left)) return { origin: [0, 0], factor: 1, pad: [0, 0] }
  const spanX = Math.max(right - left, 1)
  const spanY = Math.max(bottom - top, 1)
  const factor = Math.min((width - 2 * MARGIN) / spanX, (height - 2 * MARGIN) / spanY)
  // Centred in the box along the axis with room to spare.
  return { origin: [left, top], factor, pad: [(width - spanX * factor) / 2, (height - spanY * factor) / 2] }
}

export function toMinimap(frame: MinimapFrame, x: number, y: number): [number, number] {
  return [frame.pad[0] + (x - frame.origin[0]) * frame.factor, frame.pad[1] + (y - frame.origin[1]) * frame.factor]
}

export function toGraph(frame: MinimapFrame, mx: number, my: number): [number, number] {
  return [frame.origin[0] + (mx - frame.pad[0]) / frame.factor, frame.origin[1] + (my - frame.pad[1]) / frame.factor]
}

/** The canvas offset that puts graph point (x, y) at the centre of the main view. */
export function offsetCentring(view: MinimapView, x: number, y: number): [number, number] {
  return [view.width / 2 / view.scale - x, view.height / 2 / view.scale - y]
}

/**
 * A cheap fingerprint of what the minimap shows (view, node rectangles, colours, modes): the minimap redraws only
 * when it changes, so an idle or panning canvas costs one short loop per check.
 */
export function minimapSignature(graph: LGraph, view: MinimapView): string {
  let sum = 0
  let colours = ''
  for (const node of graph._nodes) {
    const [x, y, w, h] = nodeRect(node)
    sum = (sum * 31 + x * 3 + y * 5 + w * 7 + h * 11 + (node.mode ?? 0)) % 1e12
    // The colour itself, not a number from it: palette colours differ only in their characters ("#533", "#353").
    colours += `${node.bgcolor ?? ''};`
  }
  return `${view.offset[0]},${view.offset[1]},${view.scale},${view.width},${view.height},${graph._nodes.length},${sum},${colours}`
}

export interface MinimapColours {
  readonly background: string
  readonly node: string
  readonly viewport: string
}

const BYPASS = '#a0a'
const MUTED = '#444'

/** Draws the nodes and the visible area; returns the frame used, to map pointer positions back. */
export function drawMinimap(ctx: CanvasRenderingContext2D, graph: LGraph, view: MinimapView, width: number, height: number, colours: MinimapColours): MinimapFrame {
  const visible = visibleRect(view)
  const rects = graph._nodes.map(nodeRect)
  const frame = frameFor([...rects, visible], width, height)
  ctx.clearRect(0, 0, width, height)
  ctx.fillStyle = colours.background
  ctx.fillRect(0, 0, width, height)
  graph._nodes.forEach((node, i) => {
    const [x, y, w, h] = rects[i]!
    const [mx, my] = toMinimap(frame, x, y)
    const mode = nodeModeOf(node)
    ctx.fillStyle = mode === 'bypass' ? BYPASS : mode === 'mute' ? MUTED : (node.bgcolor ?? colours.node)
    ctx.fillRect(mx, my, Math.max(w * frame.factor, 2), Math.max(h * frame.factor, 2))
  })
  const [vx, vy] = toMinimap(frame, visible[0], visible[1])
  ctx.strokeStyle = colours.viewport
  ctx.lineWidth = 1.5
  ctx.strokeRect(vx, vy, visible[2] * frame.factor, visible[3] * frame.factor)
  return frame
}
