// Graph topology: upstream edges, cycle detection and execution order.
import { isLink, type ExecGraph, type ExecNode } from './graph.js'

/** Ids of the nodes a node takes links from, in input order, without duplicates. */
export function upstreamIds(node: ExecNode): string[] {
  const ids: string[] = []
  for (const binding of Object.values(node.inputs)) {
    if (isLink(binding) && !ids.includes(binding.from[0])) ids.push(binding.from[0])
  }
  return ids
}

/** Returns one cycle as a list of node ids (first id repeated at the end), or undefined. */
export function findCycle(graph: ExecGraph): string[] | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []

  const visit = (id: string): string[] | undefined => {
    const s = state.get(id)
    if (s === 'done') return undefined
    if (s === 'visiting') return [...path.slice(path.indexOf(id)), id]
    const node = byId.get(id)
    if (!node) return undefined
    state.set(id, 'visiting')
    path.push(id)
    for (const up of upstreamIds(node)) {
      const cycle = visit(up)
      if (cycle) return cycle
    }
    path.pop()
    state.set(id, 'done')
    return undefined
  }

  for (const node of graph.nodes) {
    const cycle = visit(node.id)
    if (cycle) return cycle
  }
  return undefined
}

/** Would linking `fromId` -> `toId` close a cycle? (The editor asks this before accepting a link.) */
export function wouldCreateCycle(graph: ExecGraph, fromId: string, toId: string): boolean {
  if (fromId === toId) return true
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  // A cycle appears iff toId is already upstream of fromId.
  const stack = [fromId]
  const seen = new Set<string>()
  while (stack.length > 0) {
    const id = stack.pop()!
    if (id === toId) return true
    if (seen.has(id)) continue
    seen.add(id)
    const node = byId.get(id)
    if (node) stack.push(...upstreamIds(node))
  }
  return false
}

/**
 * The nodes needed to produce `targets`, in an order where every node comes after what it takes from.
 * Assumes the graph is acyclic (validated beforehand).
 */
export function executionOrder(graph: ExecGraph, targets: readonly string[]): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const order: string[] = []
  const placed = new Set<string>()
  const place = (id: string): void => {
    if (placed.has(id)) return
    placed.add(id)
    const node = byId.get(id)
    if (!node) return
    for (const up of upstreamIds(node)) place(up)
    order.push(id)
  }
  for (const id of targets) place(id)
  return order
}
