// The canvas bridge: one litegraph graph + canvas, its node types, change tracking, undo/redo and the
// editing operations the commands table calls. Vue sees it only through callbacks.
import { LGraph, LGraphGroup, LGraphNode, LiteGraph, LLink, type LinkSegment, type Reroute } from '@comfyorg/litegraph'
import type { AnyNodeDefinition } from '../engine/spec.js'
import type { ExecGraph } from '../engine/graph.js'
import { checkLinkTypes } from '../engine/types-compat.js'
import { wouldCreateCycle } from '../engine/topology.js'
import type { GraphFile } from '../graph/schema.js'
import { computeLoadRepairs } from '../graph/load-repairs.js'
import { newerNodes, newerNodeWarning } from '../graph/node-versions.js'
import { StudioCanvas, type CanvasPoint, type CanvasUiHooks, type LinkDropRequest } from './canvas.js'
import { checkLoadable, fileToGraph, graphToFile, nodeKey, type Viewport } from './document.js'
import { toExecGraph } from '../graph/exec.js'
import { GraphHistory } from './history.js'
import { isSpecNode, registerNodeTypes, type SpecNode } from './node-types.js'
import { setNodeHooks } from './node-types.js'
import { isPlaceholderNode } from './placeholder-node.js'
import { STATE_COLOURS, type NodeRunView } from './node-overlay.js'
import type { ModelWidgetHint } from './model-widget.js'
import { insertLoraNode } from './lora-insert.js'
import { arrangeNodes } from './arrange.js'
import { TextAreaLayer } from './text-areas.js'
import { numberPrompt } from './widget-number.js'
import { CanvasTooltips } from './widget-tooltip.js'
import { applyTheme } from './theme.js'
import { FIT_MARGIN, fitTarget, keepNodeInView, moveClearOfNodes, panToShow } from './view-fit.js'
import { timed } from './load-timing.js'

export interface EditorCallbacks extends CanvasUiHooks {
  /** The graph changed (any edit, undo, redo, load). `widget` names the edited input when one widget changed. */
  changed(reason: 'edit' | 'program' | 'load' | 'undo', widget?: { nodeId: string; input: string }): void
  /** A link was refused; the message says why. */
  refused(message: string): void
  /** The selected node ids changed. */
  selected?(nodeIds: string[]): void
  /** Model names a model widget of this kind offers (the UI's catalog; the editor knows no stores). */
  modelChoices?(hint: ModelWidgetHint): string[]
  /** Shows the choices of a clicked model widget; without it, the widget opens the text prompt. */
  chooseModel?(request: ModelChoiceRequest): void
  /** An overlay in the canvas's bottom-right corner (CSS pixels from that corner) that Fit keeps the graph clear of. */
  fitClearOf?(): { width: number; height: number } | null
}

export interface ModelChoiceRequest {
  readonly at: CanvasPoint
  readonly hint: ModelWidgetHint
  readonly current: string
  /** The catalog's names of that kind, the current value first when the catalog lacks it. */
  readonly choices: readonly string[]
  pick(value: string): void
  /** Free text through the prompt. */
  other(): void
}

/** What loading a file changed (repairs) or found (warnings), one line each, naming nodes and inputs. */
export interface LoadReport {
  readonly repairs: readonly string[]
  readonly warnings: readonly string[]
}

export class GraphEditor {
  readonly graph = new LGraph()
  readonly canvas: StudioCanvas
  /** DOM textareas over multiline inputs; null when the canvas has no parent element to hold them. */
  readonly textAreas: TextAreaLayer | null
  readonly tooltips: CanvasTooltips
  readonly definitions: ReadonlyMap<string, AnyNodeDefinition>
  private readonly history = new GraphHistory()
  private runViews = new Map<string, NodeRunView>()
  private pending = 0
  private restoring = false
  private pendingWidget: { nodeId: string; input: string } | undefined
  private programmatic = false
  /** The viewport the last instant fit produced, to tell whether the user has moved the view since. */
  private fitted: string | null = null

  constructor(
    element: HTMLCanvasElement,
    definitions: readonly AnyNodeDefinition[],
    private readonly callbacks: EditorCallbacks,
  ) {
    applyTheme()
    registerNodeTypes(definitions)
    this.definitions = new Map(definitions.map((d) => [d.type, d]))
    setNodeHooks({
      canConnect: (from, outputIndex, to, inputIndex) => this.linkProblem(from, outputIndex, to, inputIndex),
      widgetChanged: (node, name) => this.widgetEdited(node, name),
      runView: (node) => this.runViews.get(nodeKey(node)),
      chooseModel: (_node, _input, click) => {
        if (!callbacks.chooseModel) return click.other()
        const known = callbacks.modelChoices?.(click.hint) ?? []
        const choices = click.value === '' || known.includes(click.value) ? known : [click.value, ...known]
        callbacks.chooseModel({ at: this.canvas.pointFrom(click.event), hint: click.hint, current: click.value, choices, pick: click.pick, other: click.other })
      },
      promptNumber: (_node, request) => callbacks.prompt(numberPrompt(request, this.canvas.pointFrom(request.event), () => this.canvas.setDirty(true, true))),
    })
    this.canvas = new StudioCanvas(element, this.graph, callbacks)
    this.canvas.runStateColour = (node) => {
      const state = this.runViews.get(nodeKey(node))?.state
      return state ? STATE_COLOURS[state] : undefined
    }
    // Hover tooltips from the declarations' descriptions (widgets, slots, titles).
    this.tooltips = new CanvasTooltips(this.canvas)
    const layer = element.parentElement ? new TextAreaLayer(element.parentElement, this.canvas, this.graph, (node, name) => this.widgetEdited(node, name)) : null
    this.textAreas = layer
    if (layer) this.canvas.onDrawOverlay = () => layer.sync()
    this.graph.onNodeAdded = () => this.scheduleCheckpoint()
    this.graph.onNodeRemoved = () => this.scheduleCheckpoint()
    this.graph.onConnectionChange = () => this.scheduleCheckpoint()
    this.canvas.onNodeMoved = () => this.scheduleCheckpoint()
    this.canvas.onSelectionChange = () => {
      const ids = [...this.canvas.selectedItems].filter((i): i is LGraphNode => i instanceof LGraphNode).map(nodeKey)
      callbacks.selected?.(ids)
    }
    // Group moves/resizes and slot drags end with a pointer up; the snapshot comparison drops non-edits.
    element.addEventListener('pointerup', () => this.scheduleCheckpoint())
  }

  private widgetEdited(node: LGraphNode, name: string): void {
    this.pendingWidget = { nodeId: nodeKey(node), input: name }
    this.scheduleCheckpoint()
  }

  /** Why a link from `from`'s output to `to`'s input is invalid, or null when it is fine. */
  linkProblem(from: LGraphNode, outputIndex: number, to: LGraphNode, inputIndex: number): string | null {
    // What a placeholder (a node type this build lacks) accepts is unknown: its links are kept as they are.
    if (!isSpecNode(from) || !isSpecNode(to)) return isPlaceholderNode(from) || isPlaceholderNode(to) ? null : 'unknown node'
    const output = from.outputs[outputIndex]?.name
    const input = to.inputs[inputIndex]?.name
    if (output === undefined || input === undefined) return 'no such slot'
    const types = checkLinkTypes(from.definition, output, to.definition, input)
    if (!types.ok) return this.refuse(types.reason)
    if (from === to) return this.refuse(`Linking ${from.title} → ${to.title} would create a cycle`)
    // While a file loads, its cycles were already broken (computeLoadRepairs) and an undo snapshot came from an
    // acyclic graph; converting the whole graph for every link would make loading quadratic (issue 14 §2).
    if (this.restoring) return null
    const exec = toExecGraph(this.toFile())
    if (wouldCreateCycle(exec, nodeKey(from), nodeKey(to))) {
      return this.refuse(`Linking ${from.title} → ${to.title} would create a cycle`)
    }
    return null
  }

  private refuse(message: string): string {
    // While a file loads, refusals are reported in the load report instead (see load()).
    if (!this.restoring) this.callbacks.refused(message)
    return message
  }

  toFile(name?: string): GraphFile {
    return graphToFile(this.graph, this.viewport(), name)
  }

  toExecGraph(): ExecGraph {
    return toExecGraph(graphToFile(this.graph))
  }

  viewport(): Viewport {
    return { offset: [this.canvas.ds.offset[0], this.canvas.ds.offset[1]], scale: this.canvas.ds.scale }
  }

  /**
   * Shows `file`, replacing the current graph only when every node and link in it is loadable. The saved viewport
   * is kept for autosave restores; files opened from elsewhere are fitted to this window. Links the canvas would
   * refuse and coordinates it cannot draw are repaired first (src/graph/load-repairs.ts); the report names each.
   */
  load(file: GraphFile, options: { keepViewport?: boolean } = {}): LoadReport {
    const { file: shown, repairs: planned } = timed('check and plan repairs', () => {
      checkLoadable(file, this.definitions)
      return computeLoadRepairs(file, this.definitions)
    })
    const repairs = [...planned]
    // All or nothing: should building fail part way, the graph that was open is put back as it was.
    const previous = timed('keep the open graph', () => ({ text: this.snapshot(), viewport: this.viewport() }))
    this.restoring = true
    try {
      // A selection left from the previous graph would make the fit below frame nodes that no longer exist.
      this.canvas.deselectAll()
      const viewport = timed('build canvas nodes', () => fileToGraph(shown, this.graph, repairs))
      if (viewport && options.keepViewport) {
        this.canvas.ds.offset = [viewport.offset[0], viewport.offset[1]]
        this.canvas.ds.scale = viewport.scale
      } else {
        timed('fit view', () => this.fitView(false, 'graph'))
      }
    } catch (error) {
      fileToGraph(JSON.parse(previous.text) as GraphFile, this.graph, [], { exactSizes: true })
      this.canvas.ds.offset = [...previous.viewport.offset]
      this.canvas.ds.scale = previous.viewport.scale
      this.canvas.setDirty(true, true)
      throw error
    } finally {
      this.restoring = false
    }
    this.runViews.clear()
    timed('undo snapshot', () => this.history.reset(this.snapshot()))
    this.canvas.setDirty(true, true)
    timed('change listeners', () => this.callbacks.changed('load'))
    return { repairs, warnings: newerNodes(file.nodes, this.definitions).map(newerNodeWarning) }
  }

  /**
   * The snapshot recorded for undo, right after a load or an undo step: the same text as snapshot() then, without
   * converting a big graph a second time.
   */
  recordedSnapshot(): string {
    return this.history.latest ?? this.snapshot()
  }

  /** The graph without the viewport, as text: equal snapshots mean no unsaved change. */
  snapshot(): string {
    return JSON.stringify(graphToFile(this.graph))
  }

  private scheduleCheckpoint(): void {
    if (this.restoring || this.pending) return
    this.pending = requestAnimationFrame(() => {
      this.pending = 0
      this.checkpoint()
    })
  }

  /** Records an undo step if the graph changed since the last one. */
  checkpoint(): void {
    const widget = this.pendingWidget
    const reason = this.programmatic ? 'program' : 'edit'
    this.pendingWidget = undefined
    this.programmatic = false
    if (this.history.record(this.snapshot())) this.callbacks.changed(reason, widget)
  }

  undo(): void {
    this.checkpoint()
    this.restore(this.history.undo())
  }

  redo(): void {
    this.restore(this.history.redo())
  }

  private restore(snapshot: string | null): void {
    if (snapshot === null) return
    const file = JSON.parse(snapshot) as GraphFile
    // The canvas is rebuilt from the snapshot: the nodes selected before are selected again, so that Ctrl+Z then
    // Ctrl+B (or any tool on the selection) acts on what the user had chosen.
    const selected = [...this.canvas.selectedItems].filter((i): i is LGraphNode => i instanceof LGraphNode).map((n) => n.id)
    this.restoring = true
    try {
      fileToGraph(file, this.graph)
    } finally {
      this.restoring = false
    }
    const again = selected.map((id) => this.graph.getNodeById(id)).filter((n): n is LGraphNode => n != null)
    this.canvas.deselectAll()
    if (again.length > 0) this.canvas.selectItems(again)
    this.canvas.setDirty(true, true)
    this.callbacks.changed('undo')
  }

  copy(): void {
    this.canvas.copyToClipboard()
  }

  /** `connectInputs`: the pasted nodes keep the links into them from nodes that were not copied (Ctrl+Shift+V). */
  paste(connectInputs = false): void {
    this.canvas.pasteFromClipboard({ connectInputs })
    this.scheduleCheckpoint()
  }

  deleteSelection(): void {
    this.canvas.deleteSelected()
    this.scheduleCheckpoint()
  }

  selectAll(): void {
    this.canvas.selectItems()
  }

  /**
   * Frames the selection (ComfyUI's '.'), or the whole graph when nothing is selected or `scope` is 'graph': the fit
   * of a newly opened graph, and its refit after a resize, must not zoom in on a node selected since (a template's
   * missing loader).
   */
  fitView(animated = true, scope: 'selection' | 'graph' = 'selection'): void {
    const content = this.contentBounds(scope)
    if (!content) return
    const bounds = fitTarget(this.canvas, this.graph, content, this.callbacks.fitClearOf?.() ?? null)
    if (animated) this.canvas.ds.animateToBounds(bounds, () => this.canvas.setDirty(true, true), { duration: 250, zoom: FIT_MARGIN })
    else {
      this.canvas.ds.fitToBounds(bounds, { zoom: FIT_MARGIN })
      this.fitted = JSON.stringify(this.viewport())
    }
    this.canvas.setDirty(true, true)
  }

  /** After the canvas is resized: fits the graph again unless the view was panned or zoomed since the last fit. */
  refitIfUntouched(): void {
    if (this.fitted !== null && this.fitted === JSON.stringify(this.viewport())) this.fitView(false, 'graph')
  }

  /** Bounds of the selection, or of everything, from positions and sizes (litegraph's own rects update only when drawn). */
  private contentBounds(scope: 'selection' | 'graph'): [number, number, number, number] | null {
    const selected = scope === 'selection' ? [...this.canvas.selectedItems] : []
    const nodes = selected.length > 0 ? selected.filter((i): i is LGraphNode => i instanceof LGraphNode) : this.graph._nodes
    const groups = selected.length > 0 ? selected.filter((i): i is LGraphGroup => i instanceof LGraphGroup) : this.graph._groups
    const titleH = LiteGraph.NODE_TITLE_HEIGHT
    const rects: [number, number, number, number][] = [
      ...nodes.map((n): [number, number, number, number] => [n.pos[0], n.pos[1] - titleH, n.size[0], n.size[1] + titleH]),
      ...groups.map((g): [number, number, number, number] => [g.pos[0], g.pos[1], g.size[0], g.size[1]]),
    ]
    if (rects.length === 0) return null
    const left = Math.min(...rects.map((r) => r[0])) - 24
    const top = Math.min(...rects.map((r) => r[1])) - 24
    const right = Math.max(...rects.map((r) => r[0] + r[2])) + 24
    const bottom = Math.max(...rects.map((r) => r[1] + r[3])) + 24
    return [left, top, right - left, bottom - top]
  }

  /** Lays out the selected nodes, or the whole graph, in columns along their links (see arrange.ts); undoable. */
  arrange(): number {
    const selected = [...this.canvas.selectedItems].filter((i): i is LGraphNode => i instanceof LGraphNode)
    const moved = arrangeNodes(this.graph, selected)
    if (moved === 0) return 0
    this.canvas.setDirty(true, true)
    this.checkpoint()
    if (selected.length < 2) this.fitView(true, 'graph')
    return moved
  }

  /** A reroute at the centre of a link, or of a stretch of one between reroutes (its menu's "Add reroute"); undoable. */
  addReroute(segment: LinkSegment): void {
    this.graph.createReroute([segment._pos[0] ?? 0, segment._pos[1] ?? 0], segment)
    this.canvas.setDirty(true, true)
    this.checkpoint()
  }

  /** Removes a reroute; its links are drawn through the reroutes either side of it. */
  removeReroute(reroute: Reroute): void {
    this.graph.removeReroute(reroute.id)
    this.canvas.setDirty(true, true)
    this.checkpoint()
  }

  /** Removes a link, or every link through a stretch between reroutes. */
  removeLinks(segment: LinkSegment): void {
    const ids = segment instanceof LLink ? [segment.id] : [...(this.graph.reroutes.get(segment.id)?.linkIds ?? [])]
    for (const id of ids) this.graph.removeLink(id)
    this.canvas.setDirty(true, true)
    this.checkpoint()
  }

  /** Wraps the selected nodes (or an empty area at the view centre) in a new group. */
  addGroup(): void {
    const group = new LGraphGroup('Group')
    const nodes = [...this.canvas.selectedItems].filter((i): i is LGraphNode => i instanceof Object && 'inputs' in i)
    this.graph.add(group)
    if (nodes.length > 0) group.resizeTo(nodes)
    else {
      const rect = this.canvas.canvas.getBoundingClientRect()
      const centre = this.canvas.ds.convertCanvasToOffset([rect.width / 2, rect.height / 2])
      group.pos = [(centre[0] ?? 0) - 200, (centre[1] ?? 0) - 120]
      group.size = [400, 240]
    }
    this.canvas.setDirty(true, true)
    this.scheduleCheckpoint()
  }

  /** Selects the node alone and pans the view, at the same zoom, the least that shows it whole. */
  selectAndShow(node: LGraphNode): void {
    this.canvas.deselectAll()
    this.canvas.selectItems([node])
    panToShow(this.canvas, node)
    this.canvas.setDirty(true, true)
  }

  /** Adds a node of `type` at a canvas position, linking it to a dropped link when there is one. */
  addNode(type: string, at: readonly [number, number], linkDrop?: LinkDropRequest): LGraphNode | null {
    const node = LiteGraph.createNode(type)
    if (!node) return null
    // A node that feeds the dropped link goes left of the drop point, so its output faces the input it feeds.
    node.pos = [linkDrop?.need === 'output' ? at[0] - node.size[0] : at[0], at[1]]
    keepNodeInView(this.canvas, node)
    moveClearOfNodes(this.canvas, this.graph, node)
    this.graph.add(node)
    if (linkDrop) {
      if (linkDrop.need === 'through') {
        // In the link's place: its output into the new node, the new node's output into what the link fed.
        const input = node.inputs.findIndex((i) => String(i.type) === linkDrop.type)
        const output = node.outputs.findIndex((o) => String(o.type) === linkDrop.type)
        if (input >= 0 && output >= 0 && linkDrop.into) {
          linkDrop.node.connect(linkDrop.slot, node, input)
          node.connect(output, linkDrop.into.node, linkDrop.into.slot)
        }
      } else if (linkDrop.need === 'input') {
        const index = node.inputs.findIndex((i) => String(i.type) === linkDrop.type && i.link == null)
        if (index >= 0) linkDrop.node.connect(linkDrop.slot, node, index)
      } else {
        const index = node.outputs.findIndex((o) => String(o.type) === linkDrop.type)
        if (index >= 0) node.connect(index, linkDrop.node, linkDrop.slot)
      }
    }
    this.canvas.setDirty(true, true)
    this.scheduleCheckpoint()
    return node
  }

  /**
   * Adds a UNet + LoRA node applying `lora`, spliced into the graph's one UNET chain when there is an obvious one
   * (between the last UNET producer and the nodes it feeds), else placed at the view centre. Returns the node.
   */
  addLoraNode(lora: string): LGraphNode | null {
    const rect = this.canvas.canvas.getBoundingClientRect()
    const centre = this.canvas.ds.convertCanvasToOffset([rect.width / 2, rect.height / 2])
    const node = insertLoraNode(this.graph, lora, [centre[0] ?? 0, centre[1] ?? 0])
    if (!node) return null
    this.canvas.deselectAll()
    this.canvas.selectItems([node])
    this.canvas.setDirty(true, true)
    this.scheduleCheckpoint()
    return node
  }

  removeNode(node: LGraphNode): void {
    this.graph.remove(node)
    this.canvas.setDirty(true, true)
  }

  nodeById(id: string): SpecNode | undefined {
    const node = this.graph.getNodeById(Number(id)) ?? this.graph.getNodeById(id)
    return isSpecNode(node) ? node : undefined
  }

  /** Sets a widget value and records it; `byUser` is false for seed control after run (no auto-run). */
  setValue(nodeId: string, input: string, value: unknown, byUser = true): void {
    const node = this.nodeById(nodeId)
    if (!node || !node.setInputValue(input, value)) return
    this.canvas.setDirty(true, false)
    this.pendingWidget = { nodeId, input }
    if (!byUser) this.programmatic = true
    this.scheduleCheckpoint()
  }

  setRunViews(views: Map<string, NodeRunView>): void {
    this.runViews = views
    this.canvas.setDirty(true, false)
  }

  specNodes(): SpecNode[] {
    return this.graph._nodes.filter(isSpecNode)
  }

  get canUndo(): boolean {
    return this.history.canUndo
  }

  get canRedo(): boolean {
    return this.history.canRedo
  }
}
