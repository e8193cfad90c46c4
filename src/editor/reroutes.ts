// Litegraph's native reroutes (Alt+click on a link, or the link's menu) to and from the graph file's layout: each
// linked input names the last reroute its link passes, and `layout.reroutes` holds the points with their parents.
// Reroutes left on no link (litegraph keeps them "floating" after their link is removed) are not saved.
import type { LGraph, LGraphNode } from '@comfyorg/litegraph'
import { rerouteChain } from '../graph/reroute-chain.js'
import type { GraphFile, RerouteLayout } from '../graph/schema.js'

export interface SavedReroutes {
  /** By node id, then input name: the last reroute of that input's link. */
  readonly byNode: Map<string, Record<string, number>>
  readonly reroutes: RerouteLayout[]
}

/** The reroutes on links into `nodes`, as the file states them. */
export function saveReroutes(graph: LGraph, nodes: ReadonlyMap<string, LGraphNode>, round: (v: number) => number): SavedReroutes {
  const byNode = new Map<string, Record<string, number>>()
  const used = new Set<number>()
  for (const [id, node] of nodes) {
    for (const slot of node.inputs) {
      const last = slot.link == null ? undefined : graph.links.get(slot.link)?.parentId
      if (last === undefined || !graph.reroutes.has(last)) continue
      const entry = byNode.get(id) ?? {}
      entry[slot.name] = last
      byNode.set(id, entry)
      for (const r of rerouteChain(last, (at) => litegraphReroute(graph, at))) used.add(r)
    }
  }
  const reroutes = [...used].sort((a, b) => a - b).map((id): RerouteLayout => {
    const reroute = graph.reroutes.get(id)!
    const parent = reroute.parentId
    return { id, pos: [round(reroute.pos[0]), round(reroute.pos[1])], ...(parent !== undefined && used.has(parent) ? { parent } : {}) }
  })
  return { byNode, reroutes }
}

/** Puts the file's reroutes on the links just made into `created` nodes (see load repairs for what a file may state). */
export function restoreReroutes(graph: LGraph, file: GraphFile, created: ReadonlyMap<string, LGraphNode>): void {
  const stated = new Map((file.layout?.reroutes ?? []).map((r) => [r.id, r]))
  if (stated.size === 0) return
  const linkIds = new Map<number, number[]>()
  for (const [id, entry] of Object.entries(file.layout?.nodes ?? {})) {
    const node = created.get(id)
    for (const [input, last] of Object.entries(entry.reroutes ?? {})) {
      const linkId = node?.inputs.find((i) => i.name === input)?.link
      const link = linkId == null ? undefined : graph.links.get(linkId)
      if (!link || !stated.has(last)) continue
      link.parentId = last
      for (const r of rerouteChain(last, (at) => stated.get(at))) linkIds.set(r, [...(linkIds.get(r) ?? []), link.id])
    }
  }
  for (const reroute of stated.values()) {
    if (!linkIds.has(reroute.id)) continue
    const parentId = reroute.parent !== undefined && linkIds.has(reroute.parent) ? reroute.parent : undefined
    graph.setReroute({ id: reroute.id, parentId, pos: [reroute.pos[0], reroute.pos[1]], linkIds: linkIds.get(reroute.id)! })
  }
}

/** A litegraph reroute as the chain walk reads it: its parent. */
function litegraphReroute(graph: LGraph, id: number): { parent?: number } | undefined {
  const reroute = graph.reroutes.get(id)
  return reroute && { parent: reroute.parentId }
}
