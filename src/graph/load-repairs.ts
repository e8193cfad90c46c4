// What loading a graph file repairs, computed once for every host: the editor applies these repairs (and shows them
// in a panel until dismissed), and `hypersd validate` prints the same lines. Nothing is dropped or moved silently:
// a link the canvas would refuse (a self-loop, a type mismatch, a link closing a cycle) is removed here and named,
// and positions or sizes no canvas can draw are clamped and named.
import { findCycle } from '../engine/topology.js'
import { checkLinkTypes } from '../engine/types-compat.js'
import type { AnyNodeDefinition } from '../engine/spec.js'
import { toExecGraph } from './exec.js'
import { repairReroutes } from './reroute-repairs.js'
import { isGraphLink, type GraphFile, type GraphNode, type InputValue, type GraphLayout, type NodeLayout } from './schema.js'

/** Coordinates beyond this (graph units) blank the canvas: drawing overflows to Infinity and saves back as null. */
export const MAX_COORDINATE = 1_000_000
export const MIN_SIZE = 10
export const MAX_SIZE = 100_000
const MIN_SCALE = 0.01
const MAX_SCALE = 100

export interface Declarations {
  get(type: string): AnyNodeDefinition | undefined
}

export interface LoadRepairs {
  /** The file as the editor shows it: `file` itself when nothing needed repair. */
  readonly file: GraphFile
  /** One line per repair, naming the node, input and what was done. */
  readonly repairs: readonly string[]
}

type MutableInputs = Record<string, InputValue>

export function computeLoadRepairs(file: GraphFile, declarations: Declarations): LoadRepairs {
  const repairs: string[] = []
  const byId = new Map(file.nodes.map((n) => [n.id, n]))
  const label = (id: string): string => `node ${id} (${byId.get(id)?.type ?? '?'})`
  // Copies only the nodes that lose a link, so an untouched file comes back as the same object.
  const changed = new Map<string, MutableInputs>()
  const inputsOf = (node: GraphNode): MutableInputs => {
    let inputs = changed.get(node.id)
    if (!inputs) {
      inputs = { ...node.inputs }
      changed.set(node.id, inputs)
    }
    return inputs
  }

  for (const node of file.nodes) {
    const def = declarations.get(node.type)
    for (const [input, value] of Object.entries(node.inputs)) {
      if (!isGraphLink(value)) continue
      const [fromId, output] = value.from
      const where = `${label(node.id)}, input "${input}"`
      if (fromId === node.id) {
        delete inputsOf(node)[input]
        repairs.push(`${where}: link from its own output "${output}" dropped (a node cannot feed itself)`)
        continue
      }
      const source = byId.get(fromId)
      const sourceDef = source ? declarations.get(source.type) : undefined
      // Links of a node type this build lacks are kept: what they accept is unknown.
      if (!def || !sourceDef) continue
      const check = checkLinkTypes(sourceDef, output, def, input)
      if (!check.ok) {
        delete inputsOf(node)[input]
        repairs.push(`${where}: link from ${label(fromId)} output "${output}" dropped (${check.reason})`)
      }
    }
  }

  let nodes = withInputs(file.nodes, changed)
  // One link per cycle is dropped: the one that closes it, as the canvas refuses the link that would close a cycle.
  for (let cycle = findCycle(toExecGraph({ ...file, nodes })); cycle; cycle = findCycle(toExecGraph({ ...file, nodes }))) {
    const closing = cycle[cycle.length - 2]!
    const from = cycle[cycle.length - 1]!
    const node = byId.get(closing)!
    const inputs = inputsOf(node)
    const input = Object.keys(inputs).find((name) => {
      const value = inputs[name]
      return value !== undefined && isGraphLink(value) && value.from[0] === from
    })
    if (input === undefined) break // cannot happen: findCycle follows links
    const output = (inputs[input] as { from: [string, string] }).from[1]
    delete inputs[input]
    repairs.push(`${label(closing)}, input "${input}": link from ${label(from)} output "${output}" dropped to break the cycle ${cycle.join(' -> ')}`)
    nodes = withInputs(file.nodes, changed)
  }

  const clamp = (pos: readonly [number, number]): [number, number] => [clampCoordinate(pos[0]), clampCoordinate(pos[1])]
  const layout = file.layout ? repairReroutes(repairLayout(file.layout, byId, repairs), { nodes, label, clamp }, repairs) : undefined
  if (repairs.length === 0) return { file, repairs }
  return { file: { ...file, nodes, ...(layout ? { layout } : {}) }, repairs }
}

function withInputs(nodes: readonly GraphNode[], changed: ReadonlyMap<string, MutableInputs>): GraphNode[] {
  return nodes.map((n) => {
    const inputs = changed.get(n.id)
    return inputs ? { ...n, inputs: { ...inputs } } : n
  })
}

function clampCoordinate(v: number, limit = MAX_COORDINATE): number {
  return Math.min(limit, Math.max(-limit, v))
}

function clampSize(v: number): number {
  return Math.min(MAX_SIZE, Math.max(MIN_SIZE, v))
}

function sameVector(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, i) => v === b[i])
}

function show(v: readonly number[]): string {
  return `[${v.join(', ')}]`
}

function repairLayout(layout: GraphLayout, byId: ReadonlyMap<string, GraphNode>, repairs: string[]): GraphLayout {
  // Object.fromEntries below: a key such as "__proto__" stays an own property.
  const nodeEntries: [string, NodeLayout][] = []
  for (const [id, entry] of Object.entries(layout.nodes ?? {})) {
    const where = byId.has(id) ? `node ${id} (${byId.get(id)!.type})` : `layout of node ${id}`
    let next = entry
    const pos: [number, number] | undefined = entry.pos ? [clampCoordinate(entry.pos[0]), clampCoordinate(entry.pos[1])] : undefined
    if (pos && entry.pos && !sameVector(pos, entry.pos)) {
      repairs.push(`${where}: position ${show(entry.pos)} moved to ${show(pos)} (coordinates are kept within ±${MAX_COORDINATE})`)
      next = { ...next, pos }
    }
    if (entry.size) {
      const size: [number, number] = [clampSize(entry.size[0]), clampSize(entry.size[1])]
      if (!sameVector(size, entry.size)) {
        repairs.push(`${where}: size ${show(entry.size)} changed to ${show(size)} (sizes are kept within ${MIN_SIZE} to ${MAX_SIZE})`)
        next = { ...next, size }
      }
    }
    nodeEntries.push([id, next])
  }
  const groups = (layout.groups ?? []).map((group, index) => {
    const [x, y, w, h] = group.bounding
    const bounding: [number, number, number, number] = [clampCoordinate(x), clampCoordinate(y), clampSize(w), clampSize(h)]
    if (sameVector(bounding, group.bounding)) return group
    repairs.push(`group ${index + 1} ("${group.title.slice(0, 60)}"): bounds ${show(group.bounding)} changed to ${show(bounding)} (coordinates within ±${MAX_COORDINATE}, sizes ${MIN_SIZE} to ${MAX_SIZE})`)
    return { ...group, bounding }
  })
  let viewport = layout.viewport
  if (viewport) {
    // The view may look a little beyond the furthest node.
    const offset: [number, number] = [clampCoordinate(viewport.offset[0], 2 * MAX_COORDINATE), clampCoordinate(viewport.offset[1], 2 * MAX_COORDINATE)]
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, viewport.scale))
    if (!sameVector(offset, viewport.offset) || scale !== viewport.scale) {
      repairs.push(`viewport: offset ${show(viewport.offset)} at zoom ${viewport.scale} changed to ${show(offset)} at zoom ${scale}`)
      viewport = { offset, scale }
    }
  }
  return {
    ...layout,
    ...(layout.nodes ? { nodes: Object.fromEntries(nodeEntries) } : {}),
    ...(layout.groups ? { groups } : {}),
    ...(viewport ? { viewport } : {}),
  }
}
