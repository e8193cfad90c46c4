// Node titles in low detail: zoomed out below litegraph's low_quality_zoom_threshold, litegraph draws nodes as blank
// boxes, so a big graph's nodes cannot be told apart. StudioCanvas draws each node's title over the top of its box at
// a fixed on-screen size instead (as canvas text, never HTML), ellipsised to the node's on-screen width, with a stripe
// in its run state's colour. Nodes too small on screen to hold a few characters get none: labels never spill over
// a neighbour, and a far zoom draws no unreadable text soup (nor pays for it while panning).
import { LiteGraph, type LGraphNode } from '@comfyorg/litegraph'

/** On-screen (CSS px) size of a low-detail title. */
export const LOW_DETAIL_TITLE_PX = 12
/** Height (CSS px) of the strip a low-detail title is drawn on, from the top of the node's title bar. */
export const LOW_DETAIL_LABEL_HEIGHT = 16
/** Nodes narrower than this on screen (CSS px) get no title: about four characters and an ellipsis. */
export const LOW_DETAIL_MIN_NODE_PX = 48

const FONT = `${LOW_DETAIL_TITLE_PX}px sans-serif`
const PADDING = 4
const STRIPE = 4
const ELLIPSIS = '…'
/** Entries kept per cache before it is emptied: far more than the titles of a 1,000-node graph at one width. */
const CACHE_LIMIT = 4000

export interface LowDetailTitleStyle {
  /** Title text colour for a node that is not selected (litegraph's node_title_color). */
  readonly textColour: string
  /** The run state's colour, drawn as a stripe at the left of the title; undefined for none. */
  readonly accent: string | undefined
}

/** Draws low-detail titles; keeps measured widths, since measureText on every node every frame would slow panning. */
export class LowDetailTitles {
  private readonly widths = new Map<string, number>()
  private readonly fitted = new Map<string, string>()
  /** Titles drawn since the frame began, and their on-screen size in CSS px (null before any is drawn). */
  drawnThisFrame = 0
  titlePx: number | null = null

  beginFrame(): void {
    this.drawnThisFrame = 0
  }

  /**
   * Draws `node`'s title. `ctx` is in graph units with the origin at the node's position (where litegraph's
   * drawNode leaves it); `scale` is the zoom. Returns whether a title was drawn.
   */
  draw(ctx: CanvasRenderingContext2D, node: LGraphNode, scale: number, style: LowDetailTitleStyle): boolean {
    if (node.flags.collapsed) return false
    const titleH = LiteGraph.NODE_TITLE_HEIGHT
    const width = (node.size[0] ?? 0) * scale
    const height = ((node.size[1] ?? 0) + titleH) * scale
    if (width < LOW_DETAIL_MIN_NODE_PX || height < LOW_DETAIL_LABEL_HEIGHT) return false
    const textLeft = style.accent ? STRIPE + PADDING : PADDING
    ctx.save()
    // From here on, units are CSS pixels: the text keeps its size whatever the zoom.
    ctx.scale(1 / scale, 1 / scale)
    ctx.font = FONT
    const text = this.fit(ctx, node.getTitle() || node.type || '', width - textLeft - PADDING)
    if (text === '') {
      ctx.restore()
      return false
    }
    const top = -titleH * scale
    ctx.globalAlpha = 1
    ctx.fillStyle = node.renderingColor
    ctx.fillRect(0, top, width, LOW_DETAIL_LABEL_HEIGHT)
    if (style.accent) {
      ctx.fillStyle = style.accent
      ctx.fillRect(0, top, STRIPE, LOW_DETAIL_LABEL_HEIGHT)
    }
    const ownColour = (node.constructor as { title_text_color?: string }).title_text_color
    ctx.fillStyle = node.selected ? LiteGraph.NODE_SELECTED_TITLE_COLOR : (ownColour ?? style.textColour)
    ctx.textAlign = 'left'
    ctx.textBaseline = 'middle'
    ctx.fillText(text, textLeft, top + LOW_DETAIL_LABEL_HEIGHT / 2)
    if (this.drawnThisFrame === 0) this.titlePx = onScreenPx(ctx)
    this.drawnThisFrame++
    ctx.restore()
    return true
  }

  /** `title` as it fits in `maxWidth` CSS px: whole, or its longest prefix plus an ellipsis; '' when not one character fits. */
  private fit(ctx: CanvasRenderingContext2D, title: string, maxWidth: number): string {
    if (this.measure(ctx, title) <= maxWidth) return title
    const key = `${Math.floor(maxWidth)}\u0000${title}`
    const known = this.fitted.get(key)
    if (known !== undefined) return known
    // The longest prefix that fits with the ellipsis (binary search: widths grow with length).
    let low = 0
    let high = title.length
    while (low < high) {
      const mid = Math.ceil((low + high) / 2)
      if (this.measure(ctx, title.slice(0, mid).trimEnd() + ELLIPSIS) <= maxWidth) low = mid
      else high = mid - 1
    }
    const text = low === 0 ? '' : title.slice(0, low).trimEnd() + ELLIPSIS
    if (this.fitted.size >= CACHE_LIMIT) this.fitted.clear()
    this.fitted.set(key, text)
    return text
  }

  private measure(ctx: CanvasRenderingContext2D, text: string): number {
    let width = this.widths.get(text)
    if (width === undefined) {
      width = ctx.measureText(text).width
      if (this.widths.size >= CACHE_LIMIT) this.widths.clear()
      this.widths.set(text, width)
    }
    return width
  }
}

/** The on-screen height in CSS px of LOW_DETAIL_TITLE_PX text under `ctx`'s current transform (the backing store is in device pixels). */
function onScreenPx(ctx: CanvasRenderingContext2D): number {
  const t = ctx.getTransform()
  const ratio = Math.max(1, globalThis.devicePixelRatio || 1)
  return (LOW_DETAIL_TITLE_PX * Math.hypot(t.c, t.d)) / ratio
}
