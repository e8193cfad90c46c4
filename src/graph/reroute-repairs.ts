// Reroutes (points links are drawn through) as a file states them, made drawable: every reroute on some link, each
// chain ending at its output without a loop, and every reroute carrying links of one output only, as the canvas
// requires. A repair never touches what the graph computes; each one is named, like the other load repairs.
import { rerouteChain } from './reroute-chain.js'
import { isGraphLink, type GraphLayout, type GraphNode, type NodeLayout, type RerouteLayout } from './schema.js'

export interface RerouteRepairContext {
  readonly nodes: readonly GraphNode[]
  readonly label: (id: string) => string
  readonly clamp: (pos: readonly [number, number]) => [number, number]
}

/** The layout with its reroutes repaired; `layout` itself when nothing needed it. */
export function repairReroutes(layout: GraphLayout, context: RerouteRepairContext, repairs: string[]): GraphLayout {
  const stated = layout.reroutes ?? []
  const anyReferenced = Object.values(layout.nodes ?? {}).some((entry) => entry.reroutes !== undefined)
  if (stated.length === 0 && !anyReferenced) return layout
  const before = repairs.length
  const reroutes = uniqueReroutes(stated, context, repairs)
  breakParentLoops(reroutes, repairs)
  const { nodes, used } = repairNodeReferences(layout, reroutes, context, repairs)
  for (const id of reroutes.keys()) {
    if (!used.has(id)) {
      repairs.push(`reroute ${id}: on no link, dropped`)
      reroutes.delete(id)
    }
  }
  if (repairs.length === before) return layout
  const kept = [...reroutes.values()]
  const { reroutes: _stated, ...rest } = layout
  return { ...rest, ...(layout.nodes ? { nodes } : {}), ...(kept.length > 0 ? { reroutes: kept } : {}) }
}

function uniqueReroutes(stated: readonly RerouteLayout[], context: RerouteRepairContext, repairs: string[]): Map<number, RerouteLayout> {
  const reroutes = new Map<number, RerouteLayout>()
  for (const reroute of stated) {
    if (reroutes.has(reroute.id)) {
      repairs.push(`reroute ${reroute.id}: duplicate id, the later one dropped`)
      continue
    }
    let next = reroute
    const pos = context.clamp(reroute.pos)
    if (pos[0] !== reroute.pos[0] || pos[1] !== reroute.pos[1]) {
      repairs.push(`reroute ${reroute.id}: position [${reroute.pos.join(', ')}] moved to [${pos.join(', ')}]`)
      next = { ...next, pos }
    }
    reroutes.set(reroute.id, next)
  }
  for (const [id, reroute] of reroutes) {
    if (reroute.parent !== undefined && !reroutes.has(reroute.parent)) {
      repairs.push(`reroute ${id}: parent reroute ${reroute.parent} does not exist, now first after its output`)
      reroutes.set(id, withoutParent(reroute))
    }
  }
  return reroutes
}

/** A chain of parents that comes back on itself never reaches an output: the parent that closes the loop goes. */
function breakParentLoops(reroutes: Map<number, RerouteLayout>, repairs: string[]): void {
  const settled = new Set<number>()
  for (const start of reroutes.keys()) {
    const path = new Set<number>()
    for (let id: number | undefined = start; id !== undefined && !settled.has(id); id = reroutes.get(id)!.parent) {
      if (path.has(id)) {
        const closing = [...path].at(-1)!
        repairs.push(`reroute ${closing}: parent reroute ${id} leads back to it, now first after its output`)
        reroutes.set(closing, withoutParent(reroutes.get(closing)!))
        break
      }
      path.add(id)
    }
    for (const id of path) settled.add(id)
  }
}

function withoutParent(reroute: RerouteLayout): RerouteLayout {
  return { id: reroute.id, pos: reroute.pos }
}

/** Drops references a link cannot be drawn through; returns the kept node entries and the reroutes links use. */
function repairNodeReferences(layout: GraphLayout, reroutes: ReadonlyMap<number, RerouteLayout>, context: RerouteRepairContext, repairs: string[]): { nodes: Record<string, NodeLayout>; used: Set<number> } {
  const byId = new Map(context.nodes.map((n) => [n.id, n]))
  const origin = new Map<number, string>()
  const used = new Set<number>()
  const entries: [string, NodeLayout][] = []
  for (const [id, entry] of Object.entries(layout.nodes ?? {})) {
    if (!entry.reroutes) {
      entries.push([id, entry])
      continue
    }
    const kept: [string, number][] = []
    for (const [input, last] of Object.entries(entry.reroutes)) {
      const where = `${context.label(id)}, input "${input}"`
      const value = byId.get(id)?.inputs[input]
      if (!(value !== undefined && isGraphLink(value))) {
        repairs.push(`${where}: has no link, its reroute ${last} dropped`)
        continue
      }
      if (!reroutes.has(last)) {
        repairs.push(`${where}: reroute ${last} does not exist, the link is drawn straight`)
        continue
      }
      const source = value.from.join('.')
      const chain = rerouteChain(last, (at) => reroutes.get(at))
      const clash = chain.find((r) => origin.has(r) && origin.get(r) !== source)
      if (clash !== undefined) {
        repairs.push(`${where}: reroute ${clash} carries a link from another output, the link is drawn straight`)
        continue
      }
      for (const r of chain) {
        origin.set(r, source)
        used.add(r)
      }
      kept.push([input, last])
    }
    const { reroutes: _stated, ...rest } = entry
    entries.push([id, kept.length > 0 ? { ...rest, reroutes: Object.fromEntries(kept) } : rest])
  }
  // Object.fromEntries: a key such as "__proto__" stays an own property.
  return { nodes: Object.fromEntries(entries), used }
}
