// Our reroutes in a ComfyUI UI workflow (0.4): `extra.reroutes` with the links through each, and
// `extra.linkExtensions` naming each link's last reroute, as ComfyUI's frontend (litegraph) saves them.
import { rerouteChain } from './reroute-chain.js'
import { isGraphLink, type GraphFile } from './schema.js'
import type { JsonValue } from './safe-json.js'

export interface ExportedLinks {
  /** The ComfyUI link into the node standing for ours, at the ComfyUI input our input went to, and its source node. */
  linkInto(ours: string, input: string): { link: number; source: number } | undefined
  /** The ComfyUI id of the node standing for ours. */
  comfyId(ours: string): number | undefined
}

/**
 * The `extra` entries for the graph's reroutes; none when it has none. A link whose ComfyUI counterpart comes from
 * another node than ours (a helper node the export added in between) is written without its reroutes.
 */
export function exportReroutes(graph: GraphFile, links: ExportedLinks): { reroutes?: JsonValue[]; linkExtensions?: JsonValue[] } {
  const stated = new Map((graph.layout?.reroutes ?? []).map((r) => [r.id, r]))
  if (stated.size === 0) return {}
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const through = new Map<number, number[]>()
  const linkExtensions: JsonValue[] = []
  for (const [id, entry] of Object.entries(graph.layout?.nodes ?? {})) {
    for (const [input, last] of Object.entries(entry.reroutes ?? {})) {
      const value = byId.get(id)?.inputs[input]
      if (value === undefined || !isGraphLink(value) || !stated.has(last)) continue
      const exported = links.linkInto(id, input)
      if (!exported || exported.source !== links.comfyId(value.from[0])) continue
      linkExtensions.push({ id: exported.link, parentId: last })
      for (const r of rerouteChain(last, (at) => stated.get(at))) through.set(r, [...(through.get(r) ?? []), exported.link])
    }
  }
  if (through.size === 0) return {}
  const reroutes = [...through].map(([id, linkIds]): JsonValue => {
    const { pos, parent } = stated.get(id)!
    return { id, ...(parent !== undefined && through.has(parent) ? { parentId: parent } : {}), pos: [pos[0], pos[1]], linkIds }
  })
  return { reroutes, linkExtensions }
}
