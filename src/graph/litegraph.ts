// A DOM-free editor shape between GraphFile and the litegraph canvas. Each node carries its position and size,
// its widget values and, separately, its linked inputs; the editor bridge maps these one-to-one onto LGraphNode
// widgets, input slots and links (see EditorNode). Nodes without a saved position get a simple column layout.
import { GRAPH_FORMAT, GRAPH_VERSION, GraphFileSchema, isGraphLink } from './schema.js'
import type { GraphFile, GraphFileInput, GraphGroup, GraphMetadata, InputValue, LiteralValue, NodeLayout, SeedControl, Viewport } from './schema.js'
import { GraphFileError } from './errors.js'
import { refuseHostileKeys, zodFailure } from './parse.js'

export interface EditorLink {
  /** Source node id. */
  readonly from: string
  /** Source output name. */
  readonly output: string
}

export interface EditorNode {
  readonly id: string
  readonly type: string
  /** The declaration version the values were saved with (kept so migrations still apply after a round trip). */
  readonly version: number
  readonly title?: string
  readonly pos: [number, number]
  readonly size?: [number, number]
  readonly collapsed?: boolean
  readonly color?: string
  readonly bgcolor?: string
  /** Literal values by input name: LGraphNode widgets (or the saved value of a widget converted to an input). */
  readonly widgets: Record<string, LiteralValue>
  /** Linked inputs by input name: LGraphNode input slots connected to another node's named output. */
  readonly inputLinks: Record<string, EditorLink>
  /** Seed widgets' behaviour after each run, by input name. */
  readonly controls?: Record<string, SeedControl>
}

export interface EditorGraph {
  readonly nodes: EditorNode[]
  readonly groups: GraphGroup[]
  readonly viewport: Viewport
  readonly metadata?: GraphMetadata
}

export const DEFAULT_VIEWPORT: Viewport = { offset: [0, 0], scale: 1 }

const COLUMN_WIDTH = 360
const ROW_HEIGHT = 220
const MARGIN = 40

/** Splits each node's inputs into widgets and links and attaches layout (auto-placed where missing). */
export function toEditorGraph(graph: GraphFile): EditorGraph {
  const saved = graph.layout?.nodes ?? {}
  const auto = autoPositions(graph)
  return {
    nodes: graph.nodes.map((node): EditorNode => {
      const layout: NodeLayout | undefined = Object.hasOwn(saved, node.id) ? saved[node.id] : undefined
      const entries = Object.entries(node.inputs)
      const widgets: Record<string, LiteralValue> = Object.fromEntries(
        entries.flatMap(([name, value]) => (isGraphLink(value) ? [] : [[name, value] as const])),
      )
      const inputLinks: Record<string, EditorLink> = Object.fromEntries(
        entries.flatMap(([name, value]) => (isGraphLink(value) ? [[name, { from: value.from[0], output: value.from[1] }] as const] : [])),
      )
      return {
        id: node.id,
        type: node.type,
        version: node.version,
        ...(node.title !== undefined ? { title: node.title } : {}),
        pos: layout ? [layout.pos[0], layout.pos[1]] : auto.get(node.id)!,
        ...(layout?.size ? { size: [layout.size[0], layout.size[1]] as [number, number] } : {}),
        ...(layout?.collapsed !== undefined ? { collapsed: layout.collapsed } : {}),
        ...(layout?.color !== undefined ? { color: layout.color } : {}),
        ...(layout?.bgcolor !== undefined ? { bgcolor: layout.bgcolor } : {}),
        ...(layout?.controls ? { controls: { ...layout.controls } } : {}),
        widgets,
        inputLinks,
      }
    }),
    groups: (graph.layout?.groups ?? []).map((g) => ({ ...g, bounding: [...g.bounding] })),
    viewport: graph.layout?.viewport ?? DEFAULT_VIEWPORT,
    ...(graph.metadata ? { metadata: { ...graph.metadata } } : {}),
  }
}

/** Builds a validated GraphFile from the editor shape; throws GraphFileError naming the bad field. */
export function fromEditorGraph(editor: EditorGraph): GraphFile {
  const layoutNodes: Record<string, NodeLayout> = {}
  const nodes = editor.nodes.map((node) => {
    // Object.fromEntries defines own properties, so no input name can reach a prototype; the schema then
    // refuses hostile names with their path.
    const linked = Object.entries(node.inputLinks).map(([name, link]): [string, InputValue] => [name, { from: [link.from, link.output] }])
    const literal = Object.entries(node.widgets).filter(([name]) => !Object.hasOwn(node.inputLinks, name))
    const inputs: Record<string, InputValue> = Object.fromEntries([...linked, ...literal])
    layoutNodes[node.id] = {
      pos: [node.pos[0], node.pos[1]],
      ...(node.size ? { size: [node.size[0], node.size[1]] as [number, number] } : {}),
      ...(node.collapsed ? { collapsed: true } : {}),
      ...(node.color !== undefined ? { color: node.color } : {}),
      ...(node.bgcolor !== undefined ? { bgcolor: node.bgcolor } : {}),
      ...(node.controls && Object.keys(node.controls).length > 0 ? { controls: { ...node.controls } } : {}),
    }
    return { id: node.id, type: node.type, version: node.version, ...(node.title !== undefined ? { title: node.title } : {}), inputs }
  })
  const candidate: GraphFileInput = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes,
    layout: { nodes: layoutNodes, groups: editor.groups, viewport: editor.viewport },
    ...(editor.metadata ? { metadata: editor.metadata } : {}),
  }
  refuseHostileKeys(candidate, 'editor graph')
  const parsed = GraphFileSchema.safeParse(candidate)
  if (!parsed.success) throw zodFailure(parsed.error, 'editor graph')
  const ids = new Set<string>()
  for (const node of parsed.data.nodes) {
    if (ids.has(node.id)) throw new GraphFileError(`duplicate node id "${node.id}"`, 'editor graph')
    ids.add(node.id)
  }
  return parsed.data
}

/** Columns by longest path from the sources (links point right), rows in file order within a column. */
export function autoPositions(graph: GraphFile): Map<string, [number, number]> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const depth = new Map<string, number>()
  const visiting = new Set<string>()
  const depthOf = (id: string): number => {
    const known = depth.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) return 0 // a cycle: validation reports it; layout just needs to terminate
    visiting.add(id)
    let d = 0
    for (const value of Object.values(byId.get(id)?.inputs ?? {})) {
      if (isGraphLink(value) && byId.has(value.from[0])) d = Math.max(d, depthOf(value.from[0]) + 1)
    }
    visiting.delete(id)
    depth.set(id, d)
    return d
  }
  const rows = new Map<number, number>()
  const out = new Map<string, [number, number]>()
  for (const node of graph.nodes) {
    const column = depthOf(node.id)
    const row = rows.get(column) ?? 0
    rows.set(column, row + 1)
    out.set(node.id, [MARGIN + column * COLUMN_WIDTH, MARGIN + row * ROW_HEIGHT])
  }
  return out
}
