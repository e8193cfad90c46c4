// Draws a node's run state on the canvas: a coloured outline, a step progress bar, an image (live latent
// preview while sampling, the output image on Preview/Save nodes), the values an output node computed (a
// score, a per-attribute report), as canvas text, and the models it names that the catalog lacks.
import type { LGraphNode } from '@comfyorg/litegraph'
import { LiteGraph } from '@comfyorg/litegraph'
import { markedColour, OVERLAY_FONT, OVERLAY_LINE_HEIGHT, shortenEnd, shortenMiddle } from './canvas-text.js'
import { drawOutputValues } from './output-slot-values.js'
import { CANVAS_COLOURS } from './theme.js'

export type NodeRunState = 'running' | 'cached' | 'done' | 'error'

export interface NodeRunView {
  readonly state?: NodeRunState
  readonly progress?: { readonly value: number; readonly max: number }
  readonly image?: { readonly source: CanvasImageSource; readonly width: number; readonly height: number }
  /** Text lines below the widgets; a line with ✗ is drawn as a failure, one with ✓ as a pass. */
  readonly lines?: readonly string[]
  /** Values an output node computed, by output name: each drawn on its output's row, left of its label. */
  readonly outputValues?: ReadonlyMap<string, string>
  /** Model names the node uses that the model catalog does not have, shown above the title. */
  readonly missing?: readonly string[]
}

export const STATE_COLOURS: Record<NodeRunState, string> = {
  running: '#4ade80',
  cached: '#60a5fa',
  done: '#a3a3a3',
  error: '#f87171',
}

const STATE_LABELS: Record<NodeRunState, string> = {
  running: 'running',
  cached: 'cached',
  done: 'done',
  error: 'error',
}

/** `lowQuality`: litegraph draws the node without its slot labels, which the output values stand against. */
export function drawNodeOverlay(ctx: CanvasRenderingContext2D, node: LGraphNode, view: NodeRunView, options: { lowQuality?: boolean } = {}): void {
  const w = node.size[0] ?? 0
  const h = node.size[1] ?? 0
  const titleH = LiteGraph.NODE_TITLE_HEIGHT
  if (view.image) drawImage(ctx, node, view.image)
  if (view.lines) drawLines(ctx, node, view.lines)
  if (view.outputValues && !options.lowQuality) drawOutputValues(ctx, node, view.outputValues)
  if (view.missing && view.missing.length > 0) drawMissing(ctx, node, view.missing)
  if (view.state) {
    const colour = STATE_COLOURS[view.state]
    ctx.save()
    ctx.strokeStyle = colour
    ctx.lineWidth = view.state === 'running' ? 3 : 2
    ctx.beginPath()
    ctx.rect(-3, -titleH - 3, w + 6, h + titleH + 6)
    ctx.stroke()
    ctx.font = OVERLAY_FONT
    ctx.fillStyle = colour
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    ctx.fillText(STATE_LABELS[view.state], w - 8, -titleH / 2)
    ctx.restore()
  }
  if (view.progress && view.progress.max > 0) {
    const fraction = Math.min(1, view.progress.value / view.progress.max)
    ctx.save()
    ctx.fillStyle = '#1f2937'
    ctx.fillRect(0, -3, w, 3)
    ctx.fillStyle = STATE_COLOURS.running
    ctx.fillRect(0, -3, w * fraction, 3)
    ctx.restore()
  }
}

function drawImage(ctx: CanvasRenderingContext2D, node: LGraphNode, image: NonNullable<NodeRunView['image']>): void {
  const w = node.size[0] ?? 0
  const h = node.size[1] ?? 0
  const top = widgetsBottom(node)
  const boxH = h - top - 6
  if (boxH < 16) return
  const scale = Math.min((w - 12) / image.width, boxH / image.height)
  const dw = image.width * scale
  const dh = image.height * scale
  ctx.save()
  ctx.imageSmoothingEnabled = image.width >= dw
  ctx.drawImage(image.source, (w - dw) / 2, top + (boxH - dh) / 2, dw, dh)
  ctx.restore()
}

function drawLines(ctx: CanvasRenderingContext2D, node: LGraphNode, lines: readonly string[]): void {
  const w = node.size[0] ?? 0
  const h = node.size[1] ?? 0
  const top = widgetsBottom(node)
  ctx.save()
  ctx.beginPath()
  ctx.rect(0, top, w, Math.max(0, h - top))
  ctx.clip()
  ctx.font = OVERLAY_FONT
  ctx.textAlign = 'left'
  ctx.textBaseline = 'top'
  lines.forEach((line, i) => {
    ctx.fillStyle = markedColour(line, CANVAS_COLOURS.text)
    ctx.fillText(shortenEnd(ctx, line, w - 20), 10, top + 4 + i * OVERLAY_LINE_HEIGHT)
  })
  ctx.restore()
}

/** "Missing: name" lines stacked above the title bar, with a dashed outline: the node cannot run as it is. */
function drawMissing(ctx: CanvasRenderingContext2D, node: LGraphNode, names: readonly string[]): void {
  drawFlaggedFrame(ctx, node, { colour: STATE_COLOURS.error, margin: 5, labels: names.map((name) => `Missing: ${name}`) })
}

/** The canvas's background, nearly opaque. */
const LABEL_BACKING = 'rgba(24, 24, 24, 0.9)'

export interface FlaggedFrame {
  readonly colour: string
  /** How far the dashed outline stands off the node's box. */
  readonly margin: number
  /** Lines stacked above the title bar, the last one nearest to it, so they show whatever the node's size. */
  readonly labels: readonly string[]
  readonly labelColour?: string
  readonly bold?: boolean
}

/** A dashed outline around the whole node (title bar included) with lines of text above it. */
export function drawFlaggedFrame(ctx: CanvasRenderingContext2D, node: LGraphNode, frame: FlaggedFrame): void {
  const w = node.size[0] ?? 0
  const h = node.size[1] ?? 0
  const titleH = LiteGraph.NODE_TITLE_HEIGHT
  const m = frame.margin
  ctx.save()
  ctx.strokeStyle = frame.colour
  ctx.setLineDash([5, 4])
  ctx.lineWidth = 1.5
  ctx.strokeRect(-m, -titleH - m, w + 2 * m, h + titleH + 2 * m)
  ctx.setLineDash([])
  ctx.font = `${frame.bold ? 'bold ' : ''}${OVERLAY_FONT}`
  ctx.textAlign = 'left'
  ctx.textBaseline = 'bottom'
  const last = frame.labels.length - 1
  frame.labels.forEach((label, i) => {
    const bottom = -titleH - m - 3 - (last - i) * OVERLAY_LINE_HEIGHT
    const text = shortenMiddle(ctx, label, Math.max(w, 240))
    // On a backing of the canvas's colour: the lines stand over whatever is above the node (a group's title, links).
    ctx.fillStyle = LABEL_BACKING
    ctx.fillRect(-2, bottom - OVERLAY_LINE_HEIGHT + 1, ctx.measureText(text).width + 4, OVERLAY_LINE_HEIGHT)
    ctx.fillStyle = frame.labelColour ?? frame.colour
    ctx.fillText(text, 0, bottom)
  })
  ctx.restore()
}

function widgetsBottom(node: LGraphNode): number {
  const slots = Math.max(node.inputs.length, node.outputs.length)
  const widgetCount = node.widgets?.length ?? 0
  return (slots + widgetCount) * LiteGraph.NODE_SLOT_HEIGHT + 12
}
