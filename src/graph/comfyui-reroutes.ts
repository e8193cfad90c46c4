// The routing of a ComfyUI workflow's links, kept on import: native reroutes, and legacy Reroute nodes (which the
// import folds into the links through them) as points at the node's centre, become the graph file's reroutes.
import type { ComfyDocument, ComfyLinkRef } from './comfyui-read.js'
import { rerouteChain } from './reroute-chain.js'
import { isGraphLink, type GraphNode, type RerouteLayout } from './schema.js'

/** ComfyUI's default size of a legacy Reroute node, for files that leave it out. */
const REROUTE_NODE_SIZE: readonly [number, number] = [75, 26]
const MAX_HOPS = 256

export interface ImportedReroutes {
  readonly reroutes: RerouteLayout[]
  /** By node id, then input name: the last reroute of the input's link. */
  readonly byNode: Map<string, Record<string, number>>
}

interface Trace {
  readonly origin: string | undefined
  /** Reroute keys from the output's side: `n<id>` native, `r<node id>` a Reroute node. */
  readonly keys: string[]
}

/**
 * For each link of ours into a node that kept its ComfyUI id: the points its ComfyUI link was drawn through, when
 * that node has one ComfyUI input fed (through Reroute nodes only) by the ComfyUI node ours comes from (`comfyIdOf`:
 * an extra node of ours stands for part of one), or several and one of the same name. Other links (through a bypassed or folded node, or where the match is unclear) are drawn straight.
 */
export function importReroutes(doc: ComfyDocument, nodes: readonly GraphNode[], comfyIdOf: (ours: string) => string): ImportedReroutes {
  const ids = new Map<string, number>()
  const reroutes: RerouteLayout[] = []
  const byNode = new Map<string, Record<string, number>>()
  for (const node of nodes) {
    const comfy = doc.nodes.get(node.id)
    if (!comfy || comfy.type === 'Reroute') continue
    const traces = Object.entries(comfy.links).map(([name, ref]) => ({ name, ...trace(doc, ref) }))
    for (const [input, value] of Object.entries(node.inputs)) {
      if (!isGraphLink(value)) continue
      const fed = traces.filter((t) => t.origin === comfyIdOf(value.from[0]))
      const match = fed.length === 1 ? fed[0] : fed.find((t) => t.name === input)
      if (!match || match.keys.length === 0) continue
      let parent: number | undefined
      for (const key of match.keys) {
        let id = ids.get(key)
        if (id === undefined) {
          id = ids.size + 1
          ids.set(key, id)
          reroutes.push({ id, pos: pointOf(doc, key), ...(parent !== undefined ? { parent } : {}) })
        }
        parent = id
      }
      byNode.set(node.id, { ...byNode.get(node.id), [input]: parent! })
    }
  }
  return { reroutes, byNode }
}

/** Back from an input through native reroutes and Reroute nodes to the node that produces the value. */
function trace(doc: ComfyDocument, ref: ComfyLinkRef): Trace {
  const reversed: string[] = []
  let current: ComfyLinkRef | undefined = ref
  for (let hops = 0; current && hops < MAX_HOPS; hops++) {
    for (const r of rerouteChain(current.reroute, (at) => doc.reroutes?.get(at))) reversed.push(`n${r}`)
    const node = doc.nodes.get(current.node)
    if (node?.type !== 'Reroute') return { origin: node?.id, keys: reversed.reverse() }
    reversed.push(`r${node.id}`)
    current = Object.values(node.links)[0]
  }
  return { origin: undefined, keys: [] }
}

function pointOf(doc: ComfyDocument, key: string): [number, number] {
  if (key.startsWith('n')) {
    const pos = doc.reroutes!.get(Number(key.slice(1)))!.pos
    return [pos[0], pos[1]]
  }
  const layout = doc.nodes.get(key.slice(1))?.layout
  const [x, y] = layout?.pos ?? [0, 0]
  const [width, height] = layout?.size ?? REROUTE_NODE_SIZE
  return [x + width / 2, y + height / 2]
}
