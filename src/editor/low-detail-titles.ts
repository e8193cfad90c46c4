// Node titles in low detail: zoomed out below litegraph's low_quality_zoom_threshold, litegraph draws nodes as blank
// boxes, so a big graph's nodes cannot be told apart. StudioCanvas draws each node's title over the top of its box at
// a fixed on-screen size instead (as canvas text, never HTML), ellipsised to the node's on-screen width, with a stripe
// in its run state's colour. Nodes too small on screen to hold a few characters get none: labels never spill over
// a neighbour, and a far zoom draws no unreadable text soup (nor pays for it while panning).
// Collapsed nodes (small pills) get their title too, allowed past a short pill on an opaque strip; groups get theirs
// at LOW_DETAIL_GROUP_TITLE_PX in their top-left corner, where litegraph's own would be a few pixels high.
import { LiteGraph, type LGraphGroup, type LGraphNode } from '@comfyorg/litegraph'

/** On-screen (CSS px) size of a low-detail title. */
export const LOW_DETAIL_TITLE_PX = 12
/** Height (CSS px) of the strip a low-detail title is drawn on, from the top of the node's title bar. */
export const LOW_DETAIL_LABEL_HEIGHT = 16
/** Nodes narrower than this on screen (CSS px) get no title: about four characters and an ellipsis. */
export const LOW_DETAIL_MIN_NODE_PX = 48

/** Widest (CSS px) a collapsed node's title may run past its pill: about twenty characters. */
export const LOW_DETAIL_COLLAPSED_TITLE_MAX_PX = 160
/** On-screen (CSS px) size of a group's low-detail title, and the height of the strip it is drawn on. */
export const LOW_DETAIL_GROUP_TITLE_PX = 14
export const LOW_DETAIL_GROUP_LABEL_HEIGHT = 18

const FONT = `${LOW_DETAIL_TITLE_PX}px sans-serif`
const GROUP_FONT = `${LOW_DETAIL_GROUP_TITLE_PX}px sans-serif`
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
  /**
   * For a collapsed node: the room (CSS px) from its left edge to the next node to its right along its title strip;
   * its title never runs past the pill into that node (which would read as one title). Unlimited when undefined.
   * A function, called only for a pill wide enough to get a title: finding that node means a scan of the nodes.
   */
  readonly roomPx?: () => number
}

/** Draws low-detail titles; keeps measured widths, since measureText on every node every frame would slow panning. */
export class LowDetailTitles {
  private readonly nodeText = new TextFitter(FONT)
  private readonly groupText = new TextFitter(GROUP_FONT)
  /** Titles drawn since the frame began (collapsed nodes' among them), and their on-screen size in CSS px (null before any is drawn). */
  drawnThisFrame = 0
  collapsedThisFrame = 0
  titlePx: number | null = null
  /** Group titles drawn since the background layer began (litegraph redraws it only when it changes). */
  groupsThisBackground = 0

  beginFrame(): void {
    this.drawnThisFrame = 0
    this.collapsedThisFrame = 0
  }

  beginBackground(): void {
    this.groupsThisBackground = 0
  }

  /**
   * Draws `node`'s title. `ctx` is in graph units with the origin at the node's position (where litegraph's
   * drawNode leaves it); `scale` is the zoom. Returns whether a title was drawn.
   */
  draw(ctx: CanvasRenderingContext2D, node: LGraphNode, scale: number, style: LowDetailTitleStyle): boolean {
    if (node.flags.collapsed) return this.drawCollapsed(ctx, node, scale, style)
    const titleH = LiteGraph.NODE_TITLE_HEIGHT
    const width = (node.size[0] ?? 0) * scale
    const height = ((node.size[1] ?? 0) + titleH) * scale
    if (width < LOW_DETAIL_MIN_NODE_PX || height < LOW_DETAIL_LABEL_HEIGHT) return false
    return this.drawNodeLabel(ctx, node, scale, style, width, width)
  }

  /**
   * A collapsed node's pill is litegraph's collapsed width by one title bar high: the title starts on it and, when the
   * pill is short on screen, runs on up to LOW_DETAIL_COLLAPSED_TITLE_MAX_PX (or the next node) over an opaque strip. A pill under
   * LOW_DETAIL_MIN_NODE_PX on screen gets none, as a narrow node does.
   */
  private drawCollapsed(ctx: CanvasRenderingContext2D, node: LGraphNode, scale: number, style: LowDetailTitleStyle): boolean {
    const width = (node._collapsed_width || LiteGraph.NODE_COLLAPSED_WIDTH) * scale
    if (width < LOW_DETAIL_MIN_NODE_PX) return false
    const maxWidth = Math.max(width, Math.min(LOW_DETAIL_COLLAPSED_TITLE_MAX_PX, style.roomPx?.() ?? Infinity))
    if (!this.drawNodeLabel(ctx, node, scale, style, width, maxWidth)) return false
    this.collapsedThisFrame++
    return true
  }

  /** The title strip from the top of the node's title bar: at least `width` CSS px wide, and at most `maxWidth` to hold the text. */
  private drawNodeLabel(ctx: CanvasRenderingContext2D, node: LGraphNode, scale: number, style: LowDetailTitleStyle, width: number, maxWidth: number): boolean {
    const textLeft = style.accent ? STRIPE + PADDING : PADDING
    ctx.save()
    // From here on, units are CSS pixels: the text keeps its size whatever the zoom.
    ctx.scale(1 / scale, 1 / scale)
    ctx.font = this.nodeText.font
    const text = this.nodeText.fit(ctx, node.getTitle() || node.type || '', maxWidth - textLeft - PADDING)
    if (text === '') {
      ctx.restore()
      return false
    }
    const stripWidth = Math.max(width, Math.min(maxWidth, textLeft + this.nodeText.measure(ctx, text) + PADDING))
    const top = -LiteGraph.NODE_TITLE_HEIGHT * scale
    ctx.globalAlpha = 1
    ctx.fillStyle = node.renderingColor
    ctx.fillRect(0, top, stripWidth, LOW_DETAIL_LABEL_HEIGHT)
    if (style.accent) {
      ctx.fillStyle = style.accent
      ctx.fillRect(0, top, STRIPE, LOW_DETAIL_LABEL_HEIGHT)
    }
    const ownColour = (node.constructor as { title_text_color?: string }).title_text_color
    ctx.fillStyle = node.selected ? LiteGraph.NODE_SELECTED_TITLE_COLOR : (ownColour ?? style.textColour)
    ctx.textAlign = 'left'
    ctx.textBaseline = 'middle'
    ctx.fillText(text, textLeft, top + LOW_DETAIL_LABEL_HEIGHT / 2)
    if (this.drawnThisFrame === 0) this.titlePx = onScreenPx(ctx, LOW_DETAIL_TITLE_PX)
    this.drawnThisFrame++
    ctx.restore()
    return true
  }

  /**
   * Draws `group`'s title on a strip of its colour at its top-left corner, cut to its on-screen width. `ctx` is in
   * graph units (litegraph's background layer). The strip's bottom is the bottom of the group's own title bar, so
   * the nodes inside the group, drawn over the background, do not cover it; when that bar is shorter on screen than
   * the strip, the strip reaches up past the group's top edge. Returns whether a title was drawn.
   */
  drawGroup(ctx: CanvasRenderingContext2D, group: LGraphGroup, scale: number, textColour: string): boolean {
    const width = group.size[0] * scale
    if (width < LOW_DETAIL_MIN_NODE_PX) return false
    ctx.save()
    ctx.translate(group.pos[0], group.pos[1])
    ctx.scale(1 / scale, 1 / scale)
    ctx.font = this.groupText.font
    const text = this.groupText.fit(ctx, group.title ?? '', width - 2 * PADDING)
    if (text === '') {
      ctx.restore()
      return false
    }
    const top = group.titleHeight * scale - LOW_DETAIL_GROUP_LABEL_HEIGHT
    ctx.globalAlpha = 1
    ctx.fillStyle = group.color || LiteGraph.LGraphGroup.defaultColour
    ctx.fillRect(0, top, Math.min(width, this.groupText.measure(ctx, text) + 2 * PADDING), LOW_DETAIL_GROUP_LABEL_HEIGHT)
    ctx.fillStyle = textColour
    ctx.textAlign = 'left'
    ctx.textBaseline = 'middle'
    ctx.fillText(text, PADDING, top + LOW_DETAIL_GROUP_LABEL_HEIGHT / 2)
    this.groupsThisBackground++
    ctx.restore()
    return true
  }
}

/** Fits titles in one font to widths in CSS px, with measured widths and fitted texts cached. */
class TextFitter {
  private readonly widths = new Map<string, number>()
  private readonly fitted = new Map<string, string>()

  /** `font` is set on the context by the caller before fit or measure: the cache is only right for that font. */
  constructor(readonly font: string) {}

  /** `title` as it fits in `maxWidth` CSS px: whole, or its longest prefix plus an ellipsis; '' when not one character fits. */
  fit(ctx: CanvasRenderingContext2D, title: string, maxWidth: number): string {
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

  measure(ctx: CanvasRenderingContext2D, text: string): number {
    let width = this.widths.get(text)
    if (width === undefined) {
      width = ctx.measureText(text).width
      if (this.widths.size >= CACHE_LIMIT) this.widths.clear()
      this.widths.set(text, width)
    }
    return width
  }
}

/** The on-screen height in CSS px of `px` text under `ctx`'s current transform (the backing store is in device pixels). */
function onScreenPx(ctx: CanvasRenderingContext2D, px: number): number {
  const t = ctx.getTransform()
  const ratio = Math.max(1, globalThis.devicePixelRatio || 1)
  return (px * Math.hypot(t.c, t.d)) / ratio
}
