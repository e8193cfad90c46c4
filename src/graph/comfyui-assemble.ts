// From converter results to graph nodes: a ComfyUI node may become several of ours (a main node with the ComfyUI
// id and extra nodes with new numeric ids), and links to an output that an extra node produces are redirected to it.
import type { Converted } from './comfyui-convert.js'
import type { ComfyDocument, ComfyNode } from './comfyui-read.js'
import { isGraphLink } from './schema.js'
import type { GraphNode, InputValue, NodeLayout } from './schema.js'

/** The id of a ComfyUI node's extra node `suffix`. */
export type ExtraIdOf = (comfyId: string, suffix: string) => string

/**
 * Extra node ids: numbers after the document's highest numeric id, given out in the order first asked (conversion
 * follows the file's order, so an import always numbers them the same). Numeric ids keep the editor's numbering
 * equal to ComfyUI's.
 */
export function extraIdAllocator(doc: ComfyDocument): ExtraIdOf {
  let next = 1 + Math.max(0, ...[...doc.nodes.keys()].map((id) => (/^\d{1,9}$/.test(id) ? Number(id) : 0)))
  const given = new Map<string, string>()
  return (comfyId, suffix) => {
    const key = `${comfyId}\u0000${suffix}`
    let id = given.get(key)
    if (id !== undefined) return id
    do id = String(next++)
    while (doc.nodes.has(id))
    given.set(key, id)
    return id
  }
}

/** The main node, then its extra nodes; extras share the ComfyUI node's mode, so a muted loader mutes all its parts. */
export function nodesFromConverted(node: ComfyNode, result: Converted, mode: GraphNode['mode'], idOf: ExtraIdOf): GraphNode[] {
  const main: GraphNode = {
    id: node.id,
    type: result.type,
    version: result.version ?? 1,
    ...(node.title !== undefined ? { title: node.title } : {}),
    inputs: result.inputs,
    ...(mode ? { mode } : {}),
  }
  const extras = (result.extraNodes ?? []).map(
    (extra): GraphNode => ({
      id: idOf(node.id, extra.suffix),
      type: extra.type,
      version: 1,
      ...(extra.title !== undefined ? { title: extra.title } : {}),
      inputs: extra.inputs,
      ...(mode ? { mode } : {}),
    }),
  )
  return [main, ...extras]
}

/**
 * Redirects links to outputs that an extra node produces (`outputFrom`), except an extra node's links to its own
 * main node (they take the main node's output on purpose, e.g. UNet Weights over its pipeline's UNet).
 */
export function redirectExtraOutputs(nodes: readonly GraphNode[], results: ReadonlyMap<string, Converted>, idOf: ExtraIdOf): GraphNode[] {
  const ownerOf = new Map<string, string>()
  for (const [id, result] of results) for (const extra of result.extraNodes ?? []) ownerOf.set(idOf(id, extra.suffix), id)
  const redirect = (node: GraphNode, value: InputValue): InputValue => {
    if (!isGraphLink(value)) return value
    const [from, output] = value.from
    const routes = results.get(from)?.outputFrom
    const suffix = routes && Object.hasOwn(routes, output) ? routes[output] : undefined
    return suffix === undefined || ownerOf.get(node.id) === from ? value : { from: [idOf(from, suffix), output] }
  }
  return nodes.map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).map(([name, value]) => [name, redirect(node, value)])) }))
}

const EXTRA_GAP = 40
const DEFAULT_HEIGHT = 100

/** An extra node sits below its main node (the `index`-th extra one step further down). */
export function extraNodeLayout(main: NodeLayout, index: number): NodeLayout {
  const step = (main.size?.[1] ?? DEFAULT_HEIGHT) + EXTRA_GAP
  return {
    ...(main.pos ? { pos: [main.pos[0], main.pos[1] + step * (index + 1)] as [number, number] } : {}),
    ...(main.size ? { size: main.size } : {}),
    ...(main.color ? { color: main.color } : {}),
    ...(main.bgcolor ? { bgcolor: main.bgcolor } : {}),
  }
}
