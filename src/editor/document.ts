// Conversion between the live litegraph graph and the project's graph file (src/graph/schema.ts).
// Loading checks everything first and only then replaces the canvas content, so a bad file leaves the open
// graph untouched.
import { LGraphGroup, LiteGraph, type LGraph, type LGraphNode } from '@comfyorg/litegraph'
import type { AnyNodeDefinition } from '../engine/spec.js'
import { canTakeLink, isSocket } from '../engine/spec.js'
import { GRAPH_FORMAT, GRAPH_VERSION, isGraphLink, type GraphFile, type GraphLink, type GraphNode, type InputValue, type NodeLayout } from '../graph/schema.js'
import { versionToSave } from '../graph/node-versions.js'
import { EDITOR_MAX_NODES, tooManyNodesMessage } from '../graph/load-limits.js'
import { fileLinks, placeNodes } from './arrange.js'
import { importReportOf, setImportReport } from './import-report.js'
import { restoreReroutes, saveReroutes } from './reroutes.js'
import { loadedVersionOf, setLoadedVersion } from './loaded-versions.js'
import { isSpecNode, seedControlName, type SpecNode } from './node-types.js'
import { isPlaceholderNode, PlaceholderNode } from './placeholder-node.js'
import { nodeModeOf, setNodeMode } from './node-tools.js'
import { convertedWidgets, widgetToInput } from './widget-inputs.js'

export class GraphLoadError extends Error {
  override readonly name = 'GraphLoadError'
}

export interface Viewport {
  offset: [number, number]
  scale: number
}

/** The exec id of a canvas node: its litegraph id as a string. */
export function nodeKey(node: LGraphNode): string {
  return String(node.id)
}

export function graphToFile(graph: LGraph, viewport?: Viewport, name?: string): GraphFile {
  const nodes: GraphNode[] = []
  const layoutNodes: Record<string, NodeLayout> = {}
  const saved = saveReroutes(graph, new Map(graph._nodes.filter((n) => isSpecNode(n) || isPlaceholderNode(n)).map((n) => [nodeKey(n), n])), round)
  for (const node of graph._nodes) {
    if (!isSpecNode(node) && !isPlaceholderNode(node)) continue
    const id = nodeKey(node)
    if (isPlaceholderNode(node)) nodes.push(node.toGraphNode(id, linkedInputs(graph, node)))
    else {
      const inputs: Record<string, InputValue> = {}
      const values = node.widgetValues()
      for (const [name, value] of Object.entries(values)) inputs[name] = value as InputValue
      Object.assign(inputs, linkedInputs(graph, node))
      const entry: GraphNode = { id, type: node.type, version: versionToSave(loadedVersionOf(node), node.definition.version), inputs }
      if (node.title !== node.definition.displayName) entry.title = node.title
      nodes.push(entry)
    }
    const mode = nodeModeOf(node)
    if (mode) nodes[nodes.length - 1]!.mode = mode
    const layout: NodeLayout = { pos: [round(node.pos[0]), round(node.pos[1])], size: [round(node.size[0]), round(node.size[1])] }
    if (node.flags.collapsed) layout.collapsed = true
    if (node.pinned) layout.pinned = true
    if (node.color) layout.color = node.color
    if (node.bgcolor) layout.bgcolor = node.bgcolor
    const controls = isSpecNode(node) ? seedControls(node) : undefined
    if (controls) layout.controls = controls
    const sockets = isSpecNode(node) ? convertedWidgets(node).filter((name) => node.inputs.find((i) => i.name === name)?.link == null) : []
    if (sockets.length > 0) layout.sockets = sockets
    const reroutes = saved.byNode.get(id)
    if (reroutes) layout.reroutes = reroutes
    layoutNodes[id] = layout
  }
  const groups = graph._groups.map((g) => ({
    title: g.title,
    bounding: [...g._bounding].map(round) as [number, number, number, number],
    ...(g.color ? { color: g.color } : {}),
    ...(g.font_size ? { fontSize: g.font_size } : {}),
  }))
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes,
    layout: { nodes: layoutNodes, groups, ...(saved.reroutes.length > 0 ? { reroutes: saved.reroutes } : {}), ...(viewport ? { viewport: { offset: viewport.offset, scale: viewport.scale } } : {}) },
    ...metadataOf(graph, name),
  }
}

function metadataOf(graph: LGraph, name?: string): Pick<GraphFile, 'metadata'> {
  const importReport = importReportOf(graph)
  if (!name && !importReport) return {}
  return { metadata: { ...(name ? { name } : {}), ...(importReport ? { importReport } : {}) } }
}

/** The links into a node's inputs, by input name, as graph-file links (source node id, output name). */
function linkedInputs(graph: LGraph, node: LGraphNode): Record<string, GraphLink> {
  const links: Record<string, GraphLink> = {}
  for (const slot of node.inputs) {
    if (slot.link == null) continue
    const link = graph.links.get(slot.link)
    const origin = link ? graph.getNodeById(link.origin_id) : null
    const output = origin?.outputs[link!.origin_slot]
    if (origin && output) links[slot.name] = { from: [nodeKey(origin), output.name] }
  }
  return links
}

function seedControls(node: SpecNode): NodeLayout['controls'] | undefined {
  const controls: NonNullable<NodeLayout['controls']> = {}
  let any = false
  for (const [name, spec] of Object.entries(node.definition.inputs)) {
    if (spec.kind !== 'seed') continue
    const widget = node.widgets?.find((w) => w.name === seedControlName(name))
    if (widget) {
      controls[name] = widget.value as NonNullable<NodeLayout['controls']>[string]
      any = true
    }
  }
  return any ? controls : undefined
}

function round(v: number): number {
  return Math.round(v * 100) / 100
}

/** Checks that every node type, input and link in `file` can be shown, naming the first problem. */
export function checkLoadable(file: GraphFile, definitions: ReadonlyMap<string, AnyNodeDefinition>): void {
  // Litegraph stops adding nodes at its limit, which would leave part of the file on the canvas: refuse it whole.
  if (file.nodes.length > LiteGraph.MAX_NUMBER_OF_NODES) {
    throw new GraphLoadError(`the file has ${file.nodes.length} nodes; the canvas holds at most ${LiteGraph.MAX_NUMBER_OF_NODES} (split the graph, or run it with the CLI)`)
  }
  // Below litegraph's limit, building this many nodes would freeze the page (measured: README, Reliability).
  if (file.nodes.length > EDITOR_MAX_NODES) throw new GraphLoadError(tooManyNodesMessage(file.nodes.length))
  const byId = new Map<string, GraphNode>()
  for (const node of file.nodes) {
    if (byId.has(node.id)) throw new GraphLoadError(`node ${node.id}: duplicate node id`)
    byId.set(node.id, node)
  }
  for (const node of file.nodes) {
    const def = definitions.get(node.type)
    // An unknown type loads as a placeholder that keeps its data; a run that needs it names it.
    if (!def) continue
    for (const [input, value] of Object.entries(node.inputs)) {
      const spec = Object.hasOwn(def.inputs, input) ? def.inputs[input] : undefined
      if (!spec) throw new GraphLoadError(`node ${node.id} (${node.type}): unknown input "${input}"`)
      if (!isGraphLink(value)) {
        if (isSocket(spec)) throw new GraphLoadError(`node ${node.id} (${node.type}), input "${input}": expects a link, got a value`)
        continue
      }
      if (!isSocket(spec) && (!canTakeLink(spec) || spec.advanced)) throw new GraphLoadError(`node ${node.id} (${node.type}), input "${input}": this value cannot be fed by a link`)
      const [fromId, output] = value.from
      const source = byId.get(fromId)
      if (!source) throw new GraphLoadError(`node ${node.id} (${node.type}), input "${input}": links to missing node ${fromId}`)
      const sourceDef = definitions.get(source.type)
      if (sourceDef && !Object.hasOwn(sourceDef.outputs, output)) {
        throw new GraphLoadError(`node ${node.id} (${node.type}), input "${input}": node ${fromId} (${source.type}) has no output "${output}"`)
      }
    }
  }
}

/**
 * Replaces the content of `graph` with `file` (call checkLoadable first, and computeLoadRepairs: links the canvas
 * would refuse are dropped there, with a line each). Returns the saved viewport. A link the canvas still refuses is
 * named in `refused`, never dropped silently.
 */
export function fileToGraph(file: GraphFile, graph: LGraph, refused: string[] = [], options: { exactSizes?: boolean } = {}): Viewport | undefined {
  graph.clear()
  const numericIds = file.nodes.every((n) => /^[1-9]\d{0,8}$/.test(n.id))
  const created = new Map<string, LGraphNode>()
  const layouts = file.layout?.nodes ?? {}
  const referenced = referencedOutputs(file)
  for (const entry of file.nodes) {
    const node = LiteGraph.registered_node_types[entry.type]
      ? LiteGraph.createNode(entry.type, entry.title)
      : new PlaceholderNode(entry, referenced.get(entry.id))
    if (!node || !(isSpecNode(node) || isPlaceholderNode(node))) throw new GraphLoadError(`node ${entry.id}: cannot create "${entry.type}"`)
    if (numericIds) node.id = Number(entry.id)
    setLoadedVersion(node, entry.version)
    const layout = Object.hasOwn(layouts, entry.id) ? layouts[entry.id] : undefined
    if (layout) {
      if (layout.pos) node.pos = [layout.pos[0], layout.pos[1]]
      // A snapshot of the canvas (putting back the graph a failed load replaced) keeps the sizes litegraph gave it.
      if (layout.size) node.size = options.exactSizes ? [layout.size[0], layout.size[1]] : [Math.max(layout.size[0], 80), Math.max(layout.size[1], 30)]
      if (layout.collapsed) node.flags.collapsed = true
      if (layout.color) node.color = layout.color
      if (layout.bgcolor) node.bgcolor = layout.bgcolor
      for (const [name, mode] of Object.entries(layout.controls ?? {})) {
        const widget = node.widgets?.find((w) => w.name === seedControlName(name))
        if (widget) widget.value = mode
      }
    }
    if (isSpecNode(node)) for (const [name, value] of Object.entries(entry.inputs)) if (!isGraphLink(value)) node.setInputValue(name, value)
    setNodeMode(node, entry.mode)
    // Litegraph recomputes the whole execution order on every add unless told not to: once, below, instead.
    graph.add(node, true)
    if (layout?.pinned) node.pin(true) // pin needs the node in a graph
    created.set(entry.id, node)
  }
  // Once, with every node added and before any link, as adding them one by one used to leave it.
  graph.updateExecutionOrder()
  for (const entry of file.nodes) {
    const target = created.get(entry.id)!
    // Widgets the user turned into sockets before wiring them (a name this node cannot convert is ignored).
    const sockets = Object.hasOwn(layouts, entry.id) ? (layouts[entry.id]!.sockets ?? []) : []
    if (isSpecNode(target)) for (const name of sockets) widgetToInput(target, name)
    for (const [name, value] of Object.entries(entry.inputs)) {
      if (!isGraphLink(value)) continue
      // A link into a widget input: the widget becomes a socket first (as "Convert to input" does).
      if (isSpecNode(target)) widgetToInput(target, name)
      const source = created.get(value.from[0])
      const outIndex = source?.outputs.findIndex((o) => o.name === value.from[1]) ?? -1
      const inIndex = target.inputs.findIndex((i) => i.name === name)
      if (!(source && outIndex >= 0 && inIndex >= 0 && source.connect(outIndex, target, inIndex))) {
        refused.push(`node ${entry.id} (${entry.type}), input "${name}": link from node ${value.from[0]} output "${value.from[1]}" refused by the canvas and dropped`)
      }
    }
  }
  restoreReroutes(graph, file, created)
  // Litegraph grows a node to fit its slots and widgets when it first draws it. Doing that now makes it part of the
  // loaded state, so a file saved when the node was smaller (fewer outputs then) opens clean, not as an unsaved edit.
  for (const node of created.values()) {
    if (node.collapsed) continue
    node._setConcreteSlots()
    node.arrange()
  }
  placeUnplaced(file, created, layouts)
  for (const g of file.layout?.groups ?? []) {
    const group = new LGraphGroup(g.title)
    group.configure({ id: -1, title: g.title, bounding: [...g.bounding], ...(g.color ? { color: g.color } : {}), ...(g.fontSize ? { font_size: g.fontSize } : {}) })
    graph.add(group)
  }
  setImportReport(graph, file.metadata?.importReport)
  const vp = file.layout?.viewport
  return vp ? { offset: [vp.offset[0], vp.offset[1]], scale: vp.scale } : undefined
}

/**
 * Nodes the file gives no position (a CLI-written graph, a ComfyUI API prompt) are laid out in columns by their links,
 * at the sizes litegraph gave them, below any nodes that have one.
 */
function placeUnplaced(file: GraphFile, created: ReadonlyMap<string, LGraphNode>, layouts: Readonly<Record<string, NodeLayout>>): void {
  const hasPosition = (id: string): boolean => Object.hasOwn(layouts, id) && layouts[id]!.pos !== undefined
  const unplaced = new Map([...created].filter(([id]) => !hasPosition(id)))
  if (unplaced.size === 0) return
  const placed = [...created].filter(([id]) => hasPosition(id)).map(([, node]) => node)
  const top = placed.length > 0 ? Math.max(...placed.map((n) => n.pos[1] + n.size[1])) + 80 : 40
  const left = placed.length > 0 ? Math.min(...placed.map((n) => n.pos[0])) : 40
  placeNodes(unplaced, fileLinks(file), [left, top])
}

/** Output names each node is linked from, so a placeholder without slot data still offers them. */
function referencedOutputs(file: GraphFile): Map<string, string[]> {
  const names = new Map<string, string[]>()
  for (const node of file.nodes) {
    for (const value of Object.values(node.inputs)) {
      if (!isGraphLink(value)) continue
      const [id, output] = value.from
      const list = names.get(id) ?? []
      if (!list.includes(output)) list.push(output)
      names.set(id, list)
    }
  }
  return names
}
