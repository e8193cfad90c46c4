// ComfyUI's everyday node tools on litegraph nodes: bypass and mute (litegraph's modes 4 and 2), collapse, pin and
// the colour palette. Each toggle acts on a set of nodes as ComfyUI does: if every node already has the state it is
// switched off for all, otherwise on for all.
import { LGraphCanvas, LGraphEventMode, type LGraphNode } from '@comfyorg/litegraph'
import type { GraphNode } from '../graph/schema.js'

export type NodeMode = NonNullable<GraphNode['mode']>

/** Our graph-file mode of a litegraph node (only bypass and mute are kept; litegraph's event modes are not used). */
export function nodeModeOf(node: LGraphNode): NodeMode | undefined {
  if (node.mode === LGraphEventMode.BYPASS) return 'bypass'
  if (node.mode === LGraphEventMode.NEVER) return 'mute'
  return undefined
}

export function setNodeMode(node: LGraphNode, mode: NodeMode | undefined): void {
  node.mode = mode === 'bypass' ? LGraphEventMode.BYPASS : mode === 'mute' ? LGraphEventMode.NEVER : LGraphEventMode.ALWAYS
}

/** Ctrl+B / Ctrl+M: bypass (or mute) every node, or switch it back on when all of them already are. */
export function toggleMode(nodes: readonly LGraphNode[], mode: NodeMode): void {
  const all = nodes.every((n) => nodeModeOf(n) === mode)
  for (const node of nodes) setNodeMode(node, all ? undefined : mode)
}

/** Alt+C: collapse every node, or expand them all when all are collapsed. */
export function toggleCollapsed(nodes: readonly LGraphNode[]): void {
  const all = nodes.every((n) => n.flags.collapsed === true)
  for (const node of nodes) if ((node.flags.collapsed === true) === all) node.collapse(true)
}

/** A pinned node cannot be moved or resized (litegraph's own pin). */
export function togglePinned(nodes: readonly LGraphNode[]): void {
  const all = nodes.every((n) => n.pinned)
  for (const node of nodes) node.pin(!all)
}

export interface PaletteColour {
  readonly name: string
  /** Title bar colour. */
  readonly color: string
  /** Body colour. */
  readonly bgcolor: string
}

/** ComfyUI's node palette (litegraph's node_colors), in its menu order. */
export const NODE_PALETTE: readonly PaletteColour[] = Object.entries(LGraphCanvas.node_colors).map(([name, c]) => ({
  name: name.replace('_', ' '),
  color: c.color,
  bgcolor: c.bgcolor,
}))

export type AlignEdge = 'left' | 'right' | 'top' | 'bottom'

/** Lines the nodes' edges up with the furthest one on that side (pinned nodes stay where they are). */
export function alignNodes(nodes: readonly LGraphNode[], edge: AlignEdge): void {
  const movable = nodes.filter((n) => !n.pinned)
  if (movable.length === 0) return
  const x = (n: LGraphNode) => n.pos[0]
  const y = (n: LGraphNode) => n.pos[1]
  const right = (n: LGraphNode) => n.pos[0] + n.size[0]
  const bottom = (n: LGraphNode) => n.pos[1] + n.size[1]
  const target =
    edge === 'left' ? Math.min(...nodes.map(x)) : edge === 'right' ? Math.max(...nodes.map(right)) : edge === 'top' ? Math.min(...nodes.map(y)) : Math.max(...nodes.map(bottom))
  for (const n of movable) {
    if (edge === 'left') n.pos = [target, n.pos[1]]
    else if (edge === 'right') n.pos = [target - n.size[0], n.pos[1]]
    else if (edge === 'top') n.pos = [n.pos[0], target]
    else n.pos = [n.pos[0], target - n.size[1]]
  }
}

/** Group colours: the palette's group shade of each colour, as ComfyUI's group menu offers them. */
export const GROUP_PALETTE: readonly { readonly name: string; readonly color: string }[] = Object.entries(LGraphCanvas.node_colors).map(([name, c]) => ({
  name: name.replace('_', ' '),
  color: c.groupcolor,
}))

/** Sets (or with null, clears) the colour of every node. */
export function setNodeColour(nodes: readonly LGraphNode[], colour: PaletteColour | null): void {
  for (const node of nodes) {
    if (colour) {
      node.color = colour.color
      node.bgcolor = colour.bgcolor
    } else {
      // Unset fields fall back to the node type's colours.
      delete (node as { color?: string }).color
      delete (node as { bgcolor?: string }).bgcolor
    }
  }
}

/** The palette entry a node is coloured with, if any. */
export function nodeColourOf(node: LGraphNode): PaletteColour | undefined {
  return NODE_PALETTE.find((c) => c.color === node.color && c.bgcolor === node.bgcolor)
}

const BYPASS_TINT = 'rgba(255, 0, 255, 0.22)'
const MUTE_VEIL = 'rgba(24, 24, 24, 0.6)'

/**
 * Bypassed nodes draw purple-tinted and muted ones greyed, as in ComfyUI. Drawn over the node (title bar included)
 * from its foreground hook, in node coordinates.
 */
export function drawModeTint(ctx: CanvasRenderingContext2D, node: LGraphNode, titleHeight: number): void {
  const mode = nodeModeOf(node)
  if (!mode || node.flags.collapsed) return
  ctx.save()
  ctx.fillStyle = mode === 'bypass' ? BYPASS_TINT : MUTE_VEIL
  ctx.beginPath()
  ctx.roundRect(0, -titleHeight, node.size[0], node.size[1] + titleHeight, 8)
  ctx.fill()
  ctx.restore()
}
