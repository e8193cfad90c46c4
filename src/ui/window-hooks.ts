// Stable hooks for browser checks and scripting: window.__hypersd.loadGraph(json) and lastRun(), plus a few
// helpers (node types by id, setting a widget, queue/cancel, session-cache stats through lastRun()).
import { LiteGraph, type LGraphCanvas } from '@comfyorg/litegraph'
import { useGallery } from '../stores/gallery.js'
import { useGraph } from '../stores/graph.js'
import { useRuns } from '../stores/runs.js'
import { useSettings } from '../stores/settings.js'
import { useSweep, type SweepView } from '../stores/sweep.js'

export interface LastRunView {
  readonly status: string
  readonly nodesRun: string[]
  readonly nodesCached: string[]
  readonly backend: string
  readonly ms: number
  readonly runId: string | null
  readonly error: string | null
  readonly queued: number
  /** Model sessions created / reused from the worker's session cache during the run, by cache key. */
  readonly sessionsCreated: string[]
  readonly sessionsReused: string[]
  /** Sessions freed during the run because no cached node result used them any more, by model key. */
  readonly sessionsReleased: string[]
  /** GPU-to-CPU copies during the run on WebGPU (the sampling loop makes none per step); null on WASM. */
  readonly readBacks: number | null
  /** What nodes warned about in the latest run, "#<node id>: <message>". */
  readonly warnings: string[]
}

export interface HyperSdHooks {
  /** Resolves once the graph is shown; rejects with the reason when it is refused (the open graph is kept). */
  loadGraph(json: string | object): Promise<void>
  lastRun(): LastRunView
  /** The open graph's warm-up (models loaded before its first run): its state and the sessions it built. */
  warmUp(): { state: 'idle' | 'loading' | 'done'; sessions: string[] }
  /** Work the worker does when idle (a live LoRA's session after a merged first one): tasks left, sessions it built last. */
  idleWork(): { pending: number; sessions: string[] }
  /** Whether the worker's background work (warm-up, idle work, cache copies) is waiting for a canvas drag or zoom to end. */
  backgroundPaused(): boolean
  /** Node id -> node type for the open graph. */
  nodeTypes(): Record<string, string>
  graphJson(): string
  setValue(nodeId: string, input: string, value: unknown): void
  /** Queues a run of the open graph; null when nothing was queued (no editor yet, or the first graph is still opening: it runs once open). */
  run(): string | null
  cancel(): void
  /** Destroys the worker's GPU device, as a driver reset would (checks that the app recovers). */
  loseGpuDevice(): void
  /** The next WebGPU session run meets a real WebGPU validation error. */
  injectGpuError(): void
  setAutoRun(on: boolean): void
  dirty(): boolean
  /** What a node shows from runs on the canvas: whether it draws an output image, and its value lines (scores). */
  nodeResults(nodeId: string): { image: boolean; values: string[] }
  /** Page coordinates of the middle of a node's widget, to drive it with the mouse; null when not shown. */
  widgetPoint(nodeId: string, input: string): { x: number; y: number } | null
  /** Page coordinates of an input or output socket, to drag links with the mouse; null when there is none. */
  slotPoint(nodeId: string, side: 'input' | 'output', name: string): { x: number; y: number } | null
  /** Number of links in the open graph. */
  linkCount(): number
  /** Page point of the centre marker of the link into a node's input (where the link's menu opens), once drawn. */
  linkCentre(nodeId: string, input: string): { x: number; y: number } | null
  /** The groups on the canvas: title and page rectangle. */
  groupRects(): { title: string; x: number; y: number; width: number; height: number }[]
  /** The reroutes on the canvas: id and page point. */
  reroutes(): { id: number; x: number; y: number }[]
  /** Sets the canvas zoom (1 = 100 %), centred on a graph position (default: the view centre), e.g. for benchmarks. */
  zoom(scale: number, at?: [number, number]): void
  /** The canvas view: zoom, on-screen sizes (CSS px) of node titles and widget text, and whether litegraph draws it in low detail. */
  view(): CanvasView
  /** Page rectangle of a node, title bar included; null when there is no such node. */
  nodeRect(nodeId: string): { x: number; y: number; width: number; height: number } | null
  /** The sweep panel's state: status, progress, each cell's executed nodes and scores, sessions built. */
  sweep(): SweepView
}

export interface CanvasView {
  readonly scale: number
  /** litegraph's offset: a graph point (x, y) is drawn at ((x + offset[0]) * scale, (y + offset[1]) * scale) on the canvas. */
  readonly offset: [number, number]
  readonly titlePx: number
  readonly textPx: number
  readonly lowQuality: boolean
  /**
   * In low detail, the on-screen size (CSS px) of the node titles the last frame drew, and how many it drew; null
   * and 0 when it drew none (not in low detail, or no node wide enough on screen to hold its title).
   */
  readonly lowDetailTitlePx: number | null
  readonly lowDetailTitles: number
  /** In low detail, how many of those titles were collapsed nodes', and how many group titles the background layer drew. */
  readonly lowDetailCollapsedTitles: number
  readonly lowDetailGroupTitles: number
  /** The canvas's render loop: whether it is making animation frames now, and how many it has made. */
  readonly frames: { readonly active: boolean; readonly count: number }
}

declare global {
  interface Window {
    __hypersd?: HyperSdHooks
  }
}

/** A graph point as a page point. */
function pagePoint(canvas: LGraphCanvas, at: [number, number]): { x: number; y: number } {
  const [x, y] = canvas.ds.convertOffsetToCanvas(at)
  const rect = canvas.canvas.getBoundingClientRect()
  return { x: rect.left + (x ?? 0), y: rect.top + (y ?? 0) }
}

export function installWindowHooks(): () => void {
  const graph = useGraph()
  const runs = useRuns()
  const settings = useSettings()
  const hooks: HyperSdHooks = {
    loadGraph: (json) => graph.loadText(typeof json === 'string' ? json : JSON.stringify(json), 'graph'),
    lastRun: () => {
      const last = runs.lastRun
      return {
        status: runs.busy ? 'running' : last.status,
        nodesRun: [...last.nodesRun],
        nodesCached: [...last.nodesCached],
        backend: last.backend || runs.backend,
        ms: last.ms,
        runId: last.runId,
        error: last.error,
        queued: runs.queue.length,
        sessionsCreated: [...last.sessions.created],
        sessionsReused: [...last.sessions.reused],
        sessionsReleased: [...last.sessions.released],
        readBacks: last.readBacks,
        warnings: runs.warnings.map((w) => `#${w.nodeId}: ${w.message}`),
      }
    },
    warmUp: () => ({ state: runs.warmUp.state, sessions: [...runs.warmUp.sessions] }),
    idleWork: () => ({ pending: runs.idleWork.pending, sessions: [...runs.idleWork.sessions] }),
    backgroundPaused: () => runs.backgroundPaused,
    nodeTypes: () => Object.fromEntries(graph.requireEditor().specNodes().map((n) => [String(n.id), n.type])),
    graphJson: () => graph.fileText(),
    setValue: (nodeId, input, value) => graph.requireEditor().setValue(nodeId, input, value),
    run: () => runs.queueRun(),
    cancel: () => runs.cancel(),
    loseGpuDevice: () => runs.loseGpuDevice(),
    injectGpuError: () => runs.injectGpuError(),
    setAutoRun: (on) => (settings.autoRun = on),
    dirty: () => graph.dirty,
    sweep: () => useSweep().view(),
    nodeResults: (nodeId) => ({ image: useGallery().nodeImages.has(nodeId), values: (runs.nodeValues[nodeId] ?? []).map((v) => `${v.name} = ${v.value}`) }),
    zoom: (scale, at) => {
      const canvas = graph.requireEditor().canvas
      const rect = canvas.canvas.getBoundingClientRect()
      canvas.ds.changeScale(scale, [rect.width / 2, rect.height / 2])
      if (at) canvas.ds.offset = [rect.width / 2 / scale - at[0], rect.height / 2 / scale - at[1]]
      canvas.setDirty(true, true)
    },
    slotPoint: (nodeId, side, name) => {
      const editor = graph.requireEditor()
      const node = editor.nodeById(nodeId)
      const slots = side === 'input' ? node?.inputs : node?.outputs
      const index = slots?.findIndex((s) => s.name === name) ?? -1
      if (!node || index < 0) return null
      const [x, y] = editor.canvas.ds.convertOffsetToCanvas(side === 'input' ? node.getInputPos(index) : node.getOutputPos(index))
      const rect = editor.canvas.canvas.getBoundingClientRect()
      return { x: rect.left + (x ?? 0), y: rect.top + (y ?? 0) }
    },
    linkCount: () => graph.requireEditor().graph.links.size,
    linkCentre: (nodeId, input) => {
      const editor = graph.requireEditor()
      const slot = editor.nodeById(nodeId)?.inputs.find((i) => i.name === input)
      const link = slot?.link == null ? undefined : editor.graph.links.get(slot.link)
      return link?._pos ? pagePoint(editor.canvas, [link._pos[0] ?? 0, link._pos[1] ?? 0]) : null
    },
    groupRects: () => {
      const editor = graph.requireEditor()
      const scale = editor.canvas.ds.scale
      return editor.graph._groups.map((g) => ({ title: g.title, ...pagePoint(editor.canvas, [g.pos[0], g.pos[1]]), width: g.size[0] * scale, height: g.size[1] * scale }))
    },
    reroutes: () => {
      const editor = graph.requireEditor()
      return [...editor.graph.reroutes.values()].map((r) => ({ id: r.id, ...pagePoint(editor.canvas, [r.pos[0], r.pos[1]]) }))
    },
    view: () => {
      const canvas = graph.requireEditor().canvas
      const scale = canvas.ds.scale
      const drawn = canvas.low_quality ? canvas.lowDetail.drawnThisFrame : 0
      return {
        scale,
        offset: [canvas.ds.offset[0], canvas.ds.offset[1]],
        titlePx: LiteGraph.NODE_TEXT_SIZE * scale,
        textPx: LiteGraph.NODE_SUBTEXT_SIZE * scale,
        lowQuality: canvas.low_quality,
        lowDetailTitlePx: drawn > 0 ? canvas.lowDetail.titlePx : null,
        lowDetailTitles: drawn,
        lowDetailCollapsedTitles: canvas.low_quality ? canvas.lowDetail.collapsedThisFrame : 0,
        lowDetailGroupTitles: canvas.low_quality ? canvas.lowDetail.groupsThisBackground : 0,
        frames: canvas.frames,
      }
    },
    nodeRect: (nodeId) => {
      const editor = graph.requireEditor()
      // Any node, placeholders included.
      const node = editor.graph.getNodeById(nodeId)
      if (!node) return null
      const titleH = LiteGraph.NODE_TITLE_HEIGHT
      const [x, y] = editor.canvas.ds.convertOffsetToCanvas([node.pos[0], node.pos[1] - titleH])
      const rect = editor.canvas.canvas.getBoundingClientRect()
      const scale = editor.canvas.ds.scale
      return { x: rect.left + (x ?? 0), y: rect.top + (y ?? 0), width: node.size[0] * scale, height: (node.size[1] + titleH) * scale }
    },
    widgetPoint: (nodeId, input) => {
      const editor = graph.requireEditor()
      const node = editor.nodeById(nodeId)
      const widget = node?.widgets?.find((w) => w.name === input)
      if (!node || !widget || widget.y === undefined) return null
      const [x, y] = editor.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2, node.pos[1] + widget.y + LiteGraph.NODE_WIDGET_HEIGHT / 2])
      const rect = editor.canvas.canvas.getBoundingClientRect()
      return { x: rect.left + (x ?? 0), y: rect.top + (y ?? 0) }
    },
  }
  window.__hypersd = hooks
  return () => {
    if (window.__hypersd === hooks) delete window.__hypersd
  }
}
