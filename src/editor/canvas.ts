// The editor's LGraphCanvas: litegraph's own DOM dialogs (search box, prompt, context menu) build HTML from
// strings, so this subclass routes them to Vue components that render text only; keys go to the commands table.
import { LGraphCanvas, LiteGraph, type LGraph, type LGraphGroup, type LGraphNode, type LinkSegment, type Reroute } from '@comfyorg/litegraph'
import type { NumberRule } from '../engine/value-rules.js'
import { LOW_DETAIL_LABEL_HEIGHT, LowDetailTitles } from './low-detail-titles.js'
import { RenderLoop } from './render-loop.js'

export interface CanvasPoint {
  readonly clientX: number
  readonly clientY: number
  readonly canvasX: number
  readonly canvasY: number
}

export interface PromptRequest {
  readonly title: string
  readonly value: string
  readonly multiline: boolean
  readonly numeric: boolean
  readonly at: CanvasPoint | null
  /** A declared number input: the dialog checks typed text against its rule and says what it changed. */
  readonly rule?: NumberRule
  /** The input's name, for messages ("steps: 999 is above the maximum 50; set to 50"). */
  readonly input?: string
  submit(value: string): void
}

export interface LinkDropRequest {
  readonly at: CanvasPoint
  /** The socket type being dragged. */
  readonly type: string
  /**
   * 'input': the new node must take `type` as an input (dragged from an output); 'output' the reverse; 'through':
   * take and give it, to go between `node`'s output `slot` and `into` (a link's "Insert node…").
   */
  readonly need: 'input' | 'output' | 'through'
  readonly node: LGraphNode
  readonly slot: number
  readonly into?: { readonly node: LGraphNode; readonly slot: number }
}

/** What a context menu is for: a node, a group, a reroute, a link (or a stretch of one between reroutes), or none. */
export interface ContextTarget {
  readonly node?: LGraphNode
  readonly group?: LGraphGroup
  readonly reroute?: Reroute
  readonly link?: LinkSegment
}

export interface CanvasUiHooks {
  prompt(request: PromptRequest): void
  /** A right-click, or (`link`) a click on a link's centre marker. */
  contextMenu(at: CanvasPoint, target: ContextTarget): void
  search(at: CanvasPoint, linkDrop?: LinkDropRequest): void
  /** A node or group title was double-clicked. */
  rename(target: { node?: LGraphNode; group?: LGraphGroup }): void
}

const NUMBER = /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i

interface PointerLike {
  clientX?: number
  clientY?: number
  canvasX?: number
  canvasY?: number
}

/** Below this zoom nodes are drawn without their slots and widgets (drawMinimalNode): widgets are 4 px high at 0.2. */
export const MINIMAL_DETAIL_SCALE = 0.2
const MINIMAL_OUTLINE = 'rgba(255, 255, 255, 0.14)'

/** Input on the canvas after which litegraph may have something new to draw (hover, drags, zoom, keys). */
const WAKING_EVENTS = ['pointerdown', 'pointermove', 'pointerup', 'pointerleave', 'wheel', 'keydown', 'keyup', 'dragover', 'drop'] as const

export class StudioCanvas extends LGraphCanvas {
  constructor(
    element: HTMLCanvasElement,
    graph: LGraph,
    private readonly ui: CanvasUiHooks,
  ) {
    // Drawn by this class's own loop (render-loop.ts), which makes no frames while nothing changes.
    super(element, graph, { skip_render: true })
    this.allow_searchbox = false
    this.show_info = false
    this.render_canvas_border = false
    // Fit never goes below theme.readableMinScale() (about 0.71); zoomed out further by hand, text is drawn down to
    // 0.45 (about 6 px) and left out below, where it could not be read anyway and drawing it would slow panning;
    // below it, each node's title is drawn at a fixed on-screen size instead (drawNode, low-detail-titles.ts).
    this.low_quality_zoom_threshold = 0.45
    element.addEventListener('litegraph:canvas', (event) => this.onCanvasEvent(event as CustomEvent))
    this.renderLoop = new RenderLoop({
      // A pixel-ratio change (a window moved to another screen) is a change too: at rest no frame would follow it.
      isDirty: () => this.dirty_canvas || this.dirty_bgcanvas || this.ratioChanged(),
      draw: () => {
        if (!this.pause_rendering) this.draw()
      },
    })
    // litegraph's handlers flag what they change without telling anyone: input on the canvas restarts the frames.
    const wake = (): void => this.renderLoop?.wake()
    for (const type of WAKING_EVENTS) element.addEventListener(type, wake, { passive: true })
  }

  /** Draws the canvas while it changes (created after litegraph's constructor, which may already call setDirty). */
  declare private renderLoop: RenderLoop | undefined

  /** Whether the loop is making animation frames now, and how many it has made (for checks). */
  get frames(): { active: boolean; count: number } {
    return { active: this.renderLoop?.active ?? false, count: this.renderLoop?.frames ?? 0 }
  }

  override setDirty(foreground: boolean, background?: boolean): void {
    super.setDirty(foreground, background)
    this.renderLoop?.wake()
  }

  override startRendering(): void {
    this.renderLoop?.start()
  }

  override stopRendering(): void {
    this.renderLoop?.stop()
  }

  /** Whether nodes drawn in low detail get their title at a readable on-screen size (see drawNode). */
  lowDetailTitles = true
  /** A node's run state colour, shown beside its low-detail title; set by the editor, which tracks runs. */
  runStateColour: (node: LGraphNode) => string | undefined = () => undefined
  // litegraph draws the first frame inside its constructor, before this class's fields are set: created on first use
  // (a declared field, so that setting the class's fields after super() does not reset it).
  declare private lowDetailState: LowDetailTitles | undefined
  get lowDetail(): LowDetailTitles {
    return (this.lowDetailState ??= new LowDetailTitles())
  }

  /** The CSS size last applied, and the pixel ratio its backing store was made for. */
  private cssSize: readonly [number, number] | null = null
  private appliedRatio = 0

  /**
   * Sizes the canvas to `width` x `height` CSS pixels with a backing store in device pixels, as litegraph expects
   * (its background layer is drawn at devicePixelRatio; without this a HiDPI screen shows the graph in a quarter
   * of the canvas).
   */
  resizeCss(width: number, height: number): void {
    const ratio = Math.max(1, window.devicePixelRatio || 1)
    this.cssSize = [width, height]
    this.appliedRatio = ratio
    this.canvas.style.width = `${width}px`
    this.canvas.style.height = `${height}px`
    const deviceWidth = Math.round(width * ratio)
    const deviceHeight = Math.round(height * ratio)
    if (this.canvas.width === deviceWidth && this.canvas.height === deviceHeight) return
    this.resize(deviceWidth, deviceHeight)
    // A new size resets the context; the front layer is drawn in CSS pixels through this scale.
    this.ctx.scale(ratio, ratio)
    this.setDirty(true, true)
  }

  private ratioChanged(): boolean {
    return this.cssSize !== null && Math.max(1, window.devicePixelRatio || 1) !== this.appliedRatio
  }

  /**
   * Follows the pixel ratio before each frame: a window moved to another screen keeps its CSS size, so no resize
   * is observed, and browsers do not all signal the change (emulated ratios fire no event at all). At rest the
   * render loop looks for it on its slow timer (ratioChanged counts as dirty), so a frame follows it there too.
   */
  override draw(forceCanvas?: boolean, forceBackground?: boolean): void {
    if (this.cssSize && this.ratioChanged()) this.resizeCss(this.cssSize[0], this.cssSize[1])
    super.draw(forceCanvas, forceBackground)
  }

  override drawFrontCanvas(): void {
    this.lowDetail.beginFrame()
    super.drawFrontCanvas()
  }

  override drawBackCanvas(): void {
    this.lowDetail.beginBackground()
    super.drawBackCanvas()
  }

  /** In low detail litegraph's group titles are a few pixels high: each visible group's goes on top at a fixed size. */
  override drawGroups(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D): void {
    super.drawGroups(canvas, ctx)
    if (!this.lowDetailTitles || !this.low_quality || !this.graph) return
    for (const group of this.graph._groups) {
      if (overlaps(this.visible_area, group.boundingRect)) this.lowDetail.drawGroup(ctx, group, this.ds.scale, this.node_title_color)
    }
  }

  /**
   * In low detail litegraph leaves out titles and draws blank boxes; the title goes on top, at a fixed on-screen
   * size, here rather than in one pass after all nodes so that a node in front still covers the title behind it.
   */
  override drawNode(node: LGraphNode, ctx: CanvasRenderingContext2D): void {
    if (this.ds.scale < MINIMAL_DETAIL_SCALE && !node.flags.collapsed) this.drawMinimalNode(node, ctx)
    else super.drawNode(node, ctx)
    if (!this.lowDetailTitles || !this.low_quality) return
    const scale = this.ds.scale
    const roomPx = node.flags.collapsed ? () => this.roomRightOf(node, LOW_DETAIL_LABEL_HEIGHT / scale) * scale : undefined
    this.lowDetail.draw(ctx, node, scale, { textColour: this.node_title_color, accent: this.runStateColour(node), roomPx })
  }

  /**
   * A node far zoomed out: its box, title bar, outlines (selection, errors) and run overlay as litegraph draws them,
   * but not its slots and widgets, a pixel or two high there. Those took half the frame panning 500 nodes in view.
   * Slots are still arranged: links are drawn to their positions.
   */
  private drawMinimalNode(node: LGraphNode, ctx: CanvasRenderingContext2D): void {
    this.current_node = node
    ctx.globalAlpha = this.editor_alpha
    ctx.shadowColor = 'transparent'
    this.drawNodeShape(node, ctx, node.renderingSize, node.renderingColor, node.renderingBgColor, !!node.selected)
    // The body is near the background's colour; without its widgets a thin outline shows the box the links meet.
    const [x = 0, y = 0, width = 0, height = 0] = node.boundingRect
    const lineWidth = ctx.lineWidth
    ctx.lineWidth = 1 / this.ds.scale
    ctx.strokeStyle = MINIMAL_OUTLINE
    ctx.strokeRect(x - node.pos[0], y - node.pos[1], width, height)
    ctx.lineWidth = lineWidth
    ctx.strokeStyle = LiteGraph.NODE_BOX_OUTLINE_COLOR
    node.onDrawForeground?.(ctx, this, this.canvas)
    node._setConcreteSlots()
    node.arrange()
    ctx.globalAlpha = 1
  }

  /**
   * Graph units from `node`'s left edge to the nearest visible node that starts to its right and overlaps the band
   * `height` high from the top of its title bar (Infinity for none): how far a collapsed node's title may run on.
   * A scan of the visible nodes, done only for collapsed nodes in low detail.
   */
  private roomRightOf(node: LGraphNode, height: number): number {
    const left = node.pos[0]
    const top = node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT
    let room = Infinity
    for (const other of this.visible_nodes) {
      const [x = 0, y = 0, , h = 0] = other.boundingRect
      if (other !== node && x > left && y < top + height && y + h > top) room = Math.min(room, x - left)
    }
    return room
  }

  pointFrom(event: PointerLike): CanvasPoint {
    const clientX = event.clientX ?? 0
    const clientY = event.clientY ?? 0
    if (event.canvasX !== undefined && event.canvasY !== undefined) {
      return { clientX, clientY, canvasX: event.canvasX, canvasY: event.canvasY }
    }
    const rect = this.canvas.getBoundingClientRect()
    const point = this.ds.convertCanvasToOffset([clientX - rect.left, clientY - rect.top])
    return { clientX, clientY, canvasX: point[0] ?? 0, canvasY: point[1] ?? 0 }
  }

  private onCanvasEvent(event: CustomEvent): void {
    const detail = event.detail as { subType?: string; originalEvent?: PointerLike; node?: LGraphNode; group?: LGraphGroup }
    if (detail.subType === 'empty-double-click' && detail.originalEvent) {
      this.ui.search(this.pointFrom(detail.originalEvent))
    } else if (detail.subType === 'node-double-click' && detail.node && detail.originalEvent) {
      // The title bar sits above the node's position; a double-click in the body is left to the widgets.
      if (this.pointFrom(detail.originalEvent).canvasY < detail.node.pos[1]) this.ui.rename({ node: detail.node })
    } else if (detail.subType === 'group-double-click' && detail.group && detail.originalEvent) {
      const group = detail.group
      if (this.pointFrom(detail.originalEvent).canvasY < group.pos[1] + group.titleHeight) this.ui.rename({ group })
    } else if (detail.subType === 'empty-release' && detail.originalEvent) {
      const link = this.linkConnector.renderLinks[0]
      if (!link) return
      const need = this.linkConnector.state.connectingTo === 'input' ? 'input' : 'output'
      const fromSlot = link.fromSlot as { type?: unknown }
      const node = link.node as LGraphNode
      const slotIndex = need === 'input' ? node.outputs.indexOf(link.fromSlot as never) : node.inputs.indexOf(link.fromSlot as never)
      this.ui.search(this.pointFrom(detail.originalEvent), {
        at: this.pointFrom(detail.originalEvent),
        type: String(fromSlot.type ?? '*'),
        need,
        node,
        slot: slotIndex,
      })
    }
  }

  override prompt(title: string, value: unknown, callback: (value: string) => void, event: unknown, multiline?: boolean): HTMLDivElement {
    const numeric = typeof value === 'number'
    this.ui.prompt({
      title,
      value: String(value ?? ''),
      multiline: multiline ?? false,
      numeric,
      at: event ? this.pointFrom(event as PointerLike) : null,
      // litegraph evaluates numeric prompt text; only plain numbers are passed on.
      submit: (text) => {
        if (numeric && !NUMBER.test(text)) return
        callback(numeric ? text.trim() : text)
        this.setDirty(true, true)
      },
    })
    return document.createElement('div')
  }

  override processContextMenu(node: LGraphNode | undefined, event: PointerLike & { preventDefault?: () => void }): void {
    const at = this.pointFrom(event)
    const reroute = node ? undefined : this.graph?.getRerouteOnPos(at.canvasX, at.canvasY)
    const group = node || reroute ? undefined : (this.graph?.getGroupOnPos(at.canvasX, at.canvasY) ?? undefined)
    this.ui.contextMenu(at, { ...(node ? { node } : {}), ...(reroute ? { reroute } : {}), ...(group ? { group } : {}) })
  }

  /** A link's centre marker opens the app's menu, not litegraph's own. */
  override showLinkMenu(segment: LinkSegment, event: PointerLike): boolean {
    this.ui.contextMenu(this.pointFrom(event), { link: segment })
    return false
  }

  /**
   * The context menu for what lies at a page point, as a right-click there gives: a right-click that only closed an
   * open menu (its backdrop covers the canvas) opens the new one at once. False when the point is off the canvas.
   */
  contextMenuAt(clientX: number, clientY: number): boolean {
    const rect = this.canvas.getBoundingClientRect()
    if (clientX < rect.left || clientX >= rect.right || clientY < rect.top || clientY >= rect.bottom) return false
    const at = this.pointFrom({ clientX, clientY })
    this.processContextMenu(this.graph?.getNodeOnPos(at.canvasX, at.canvasY, this.visible_nodes) ?? undefined, at)
    return true
  }

  /** Keys are dispatched by the commands table, never by litegraph's built-in handler. */
  override processKey(): void {}
}

/** Whether rectangles `a` and `b` ([x, y, width, height]) overlap (litegraph's overlapBounding is not exported). */
function overlaps(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const [ax, ay, aw, ah] = [a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0]
  const [bx, by, bw, bh] = [b[0] ?? 0, b[1] ?? 0, b[2] ?? 0, b[3] ?? 0]
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah
}
