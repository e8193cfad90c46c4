// The layered layout (auto-layout.ts) applied to litegraph nodes: for files without positions and for Arrange.
import { LGraphGroup, LGraphNode, LiteGraph, LLink, type LGraph } from '@comfyorg/litegraph'
import { isGraphLink, type GraphFile } from '../graph/schema.js'
import { layeredLayout, type LayoutBox } from './auto-layout.js'

/** A node's whole box, title bar included; a collapsed node is its title bar. */
export function nodeBox(node: LGraphNode): Omit<LayoutBox, 'id'> {
  const title = LiteGraph.NODE_TITLE_HEIGHT
  if (node.collapsed) return { width: node._collapsed_width || LiteGraph.NODE_COLLAPSED_WIDTH, height: title }
  return { width: node.size[0], height: node.size[1] + title }
}

/** The file's links as [from node, to node] ids. */
export function fileLinks(file: GraphFile): [string, string][] {
  return file.nodes.flatMap((node) => Object.values(node.inputs).filter(isGraphLink).map((link): [string, string] => [link.from[0], node.id]))
}

/** Moves `nodes` so that their box's top-left lands on the position the layout gave it. */
export function placeNodes(nodes: ReadonlyMap<string, LGraphNode>, links: readonly (readonly [string, string])[], origin: readonly [number, number]): void {
  const boxes = [...nodes].map(([id, node]) => ({ id, ...nodeBox(node) }))
  for (const [id, [x, y]] of layeredLayout(boxes, links, { origin })) nodes.get(id)!.pos = [x, y + LiteGraph.NODE_TITLE_HEIGHT]
}

/**
 * Lays out the selected nodes, or the whole graph when fewer than two are selected, keeping the block's top-left
 * corner where it was. A group keeps the nodes it held and is fitted around them again. Returns how many moved.
 */
export function arrangeNodes(graph: LGraph, selected: readonly LGraphNode[]): number {
  const targets = (selected.length >= 2 ? selected : graph._nodes).filter((n) => !n.pinned)
  if (targets.length < 2) return 0
  const groups = graph._groups.filter((g): g is LGraphGroup => g instanceof LGraphGroup)
  const held = new Map(groups.map((g) => {
    g.recomputeInsideNodes()
    return [g, [...g.nodes].filter((n): n is LGraphNode => n instanceof LGraphNode)] as const
  }))
  const byId = new Map(targets.map((n) => [String(n.id), n]))
  const links = [...graph.links.values()].map((l): [string, string] => [String(l.origin_id), String(l.target_id)])
  const title = LiteGraph.NODE_TITLE_HEIGHT
  const origin: [number, number] = [Math.min(...targets.map((n) => n.pos[0])), Math.min(...targets.map((n) => n.pos[1] - title))]
  placeNodes(byId, links, origin)
  spreadReroutes(graph, new Set(byId.keys()))
  for (const [group, nodes] of held) if (nodes.some((n) => byId.has(String(n.id)))) group.resizeTo(nodes)
  return targets.length
}

/**
 * Reroutes on links whose ends moved, spaced evenly along the straight line between the link's ends, so a link keeps
 * its reroutes without looping back to where they were; a reroute several links share goes where the first puts it.
 */
function spreadReroutes(graph: LGraph, moved: ReadonlySet<string>): void {
  const placed = new Set<number>()
  for (const link of graph.links.values()) {
    if (!moved.has(String(link.origin_id)) && !moved.has(String(link.target_id))) continue
    const chain = LLink.getReroutes(graph, link)
    const origin = graph.getNodeById(link.origin_id)
    const target = graph.getNodeById(link.target_id)
    if (chain.length === 0 || !origin || !target) continue
    const from = origin.getOutputPos(link.origin_slot)
    const to = target.getInputPos(link.target_slot)
    const [fromX, fromY, toX, toY] = [from[0] ?? 0, from[1] ?? 0, to[0] ?? 0, to[1] ?? 0]
    chain.forEach((reroute, index) => {
      if (placed.has(reroute.id)) return
      const t = (index + 1) / (chain.length + 1)
      reroute.pos = [fromX + (toX - fromX) * t, fromY + (toY - fromY) * t]
      placed.add(reroute.id)
    })
  }
}
