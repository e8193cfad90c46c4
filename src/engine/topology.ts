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

/**
 * Returns one cycle as a list of node ids (first id repeated at the end), or undefined. Depth-first over upstream
 * links with an explicit stack (a 10,000-node chain must not overflow the call stack).
 */
export function findCycle(graph: ExecGraph): string[] | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []
  const frames: { id: string; ups: string[]; next: number }[] = []

  /** Enters `id` as the recursive visit did; returns the cycle it closes, if any. */
  const enter = (id: string): string[] | undefined => {
    const s = state.get(id)
    if (s === 'done') return undefined
    if (s === 'visiting') return [...path.slice(path.indexOf(id)), id]
    const node = byId.get(id)
    if (!node) return undefined
    state.set(id, 'visiting')
    path.push(id)
    frames.push({ id, ups: upstreamIds(node), next: 0 })
    return undefined
  }

  for (const node of graph.nodes) {
    let cycle = enter(node.id)
    while (!cycle && frames.length > 0) {
      const frame = frames.at(-1)!
      if (frame.next < frame.ups.length) {
        cycle = enter(frame.ups[frame.next++]!)
      } else {
        frames.pop()
        path.pop()
        state.set(frame.id, 'done')
      }
    }
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
  // Post-order depth-first walk with an explicit stack: a node is placed once everything upstream of it is.
  const frames: { id: string; ups: string[]; next: number }[] = []
  const enter = (id: string): void => {
    if (placed.has(id)) return
    placed.add(id)
    const node = byId.get(id)
    if (node) frames.push({ id, ups: upstreamIds(node), next: 0 })
  }
  for (const target of targets) {
    enter(target)
    while (frames.length > 0) {
      const frame = frames.at(-1)!
      if (frame.next < frame.ups.length) enter(frame.ups[frame.next++]!)
      else order.push(frames.pop()!.id)
    }
  }
  return order
}
