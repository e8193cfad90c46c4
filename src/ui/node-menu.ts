// The node context menu, as data: each entry says when it applies, how it is labelled and what it does. Entries
// act on the whole selection when the clicked node is part of it (as in ComfyUI), otherwise on that node alone.
import { LGraphNode } from '@comfyorg/litegraph'
import type { CommandId } from '../editor/commands.js'
import { useKeymap } from '../stores/keymap.js'
import type { GraphEditor } from '../editor/editor.js'
import { convertedWidgets, convertibleWidgets, inputToWidget, widgetToInput } from '../editor/widget-inputs.js'
import { isSpecNode, maskPaintTarget } from '../editor/node-types.js'
import {
  alignNodes,
  NODE_PALETTE,
  nodeColourOf,
  nodeModeOf,
  setNodeColour,
  toggleCollapsed,
  toggleMode,
  togglePinned,
  type AlignEdge,
} from '../editor/node-tools.js'

/** What ContextMenu.vue shows: a label and what choosing it does. */
export interface MenuItem {
  readonly label: string
  readonly action: () => void
}

export interface NodeMenuHost {
  readonly editor: GraphEditor
  rename(node: LGraphNode): void
  /** Replaces the open menu with another (the colour palette), at the same place. */
  openSubmenu(items: MenuItem[]): void
  /** Opens the mask editor on the node's image input. */
  editMask(nodeId: string, input: string, image: string): void
}

interface MenuTarget {
  readonly host: NodeMenuHost
  /** The node right-clicked. */
  readonly node: LGraphNode
  /** What the entry acts on: the selection when it contains the node, else the node. */
  readonly nodes: readonly LGraphNode[]
}

interface NodeMenuEntry {
  label(target: MenuTarget): string
  /** The command whose chord the label shows. */
  readonly command?: CommandId
  applies?(target: MenuTarget): boolean
  run(target: MenuTarget): void
}

const every = (t: MenuTarget, test: (n: LGraphNode) => boolean): boolean => t.nodes.every(test)

const ENTRIES: readonly NodeMenuEntry[] = [
  { label: () => 'Rename…', applies: (t) => t.nodes.length === 1, run: (t) => t.host.rename(t.node) },
  // ComfyUI's "Open in MaskEditor".
  { label: () => 'Edit mask…', applies: (t) => t.nodes.length === 1 && maskTarget(t.node) !== undefined, run: (t) => editMask(t) },
  { label: (t) => (every(t, (n) => nodeModeOf(n) === 'bypass') ? 'Remove bypass' : 'Bypass'), command: 'bypass', run: (t) => edit(t, () => toggleMode(t.nodes, 'bypass')) },
  { label: (t) => (every(t, (n) => nodeModeOf(n) === 'mute') ? 'Unmute' : 'Mute'), command: 'mute', run: (t) => edit(t, () => toggleMode(t.nodes, 'mute')) },
  { label: (t) => (every(t, (n) => n.flags.collapsed === true) ? 'Expand' : 'Collapse'), command: 'collapse', run: (t) => edit(t, () => toggleCollapsed(t.nodes)) },
  { label: (t) => (every(t, (n) => n.pinned) ? 'Unpin' : 'Pin'), command: 'pin', run: (t) => edit(t, () => togglePinned(t.nodes)) },
  { label: () => 'Colour…', run: (t) => t.host.openSubmenu(colourMenu(t)) },
  { label: () => 'Clone', applies: (t) => t.nodes.every(isSpecNode), run: (t) => clone(t) },
  { label: () => 'Align…', applies: (t) => t.nodes.length >= 2, run: (t) => t.host.openSubmenu(alignMenu(t)) },
  { label: () => 'Arrange selected', command: 'arrange', applies: (t) => t.nodes.length >= 2, run: (t) => { t.host.editor.canvas.selectItems([...t.nodes]); t.host.editor.arrange() } },
  {
    label: () => 'Convert widget to input…',
    applies: (t) => t.nodes.length === 1 && isSpecNode(t.node) && convertibleWidgets(t.node).length > 0,
    run: (t) => t.host.openSubmenu(conversionMenu(t, 'input')),
  },
  {
    label: () => 'Convert input to widget…',
    applies: (t) => t.nodes.length === 1 && isSpecNode(t.node) && convertedWidgets(t.node).length > 0,
    run: (t) => t.host.openSubmenu(conversionMenu(t, 'widget')),
  },
  { label: () => 'Copy', run: (t) => { t.host.editor.canvas.selectItems([...t.nodes]); t.host.editor.copy() } },
  { label: () => 'Delete', run: (t) => edit(t, () => { for (const n of t.nodes) t.host.editor.removeNode(n) }) },
]

export function nodeMenu(host: NodeMenuHost, node: LGraphNode): MenuItem[] {
  const selected = [...host.editor.canvas.selectedItems].filter((i): i is LGraphNode => i instanceof LGraphNode)
  const target: MenuTarget = { host, node, nodes: selected.includes(node) ? selected : [node] }
  return ENTRIES.filter((e) => e.applies?.(target) ?? true).map((e) => {
    const keys = e.command ? useKeymap().label(e.command) : ''
    return { label: keys ? `${e.label(target)}  (${keys})` : e.label(target), action: () => e.run(target) }
  })
}

/** The same toggles for the keyboard commands: they act on the selected nodes. */
export function runOnSelection(editor: GraphEditor, tool: 'bypass' | 'mute' | 'collapse' | 'pin'): void {
  const nodes = [...editor.canvas.selectedItems].filter((i): i is LGraphNode => i instanceof LGraphNode)
  if (nodes.length === 0) return
  if (tool === 'bypass' || tool === 'mute') toggleMode(nodes, tool)
  else if (tool === 'collapse') toggleCollapsed(nodes)
  else togglePinned(nodes)
  editor.canvas.setDirty(true, true)
  editor.checkpoint()
}

function edit(t: MenuTarget, change: () => void): void {
  change()
  t.host.editor.canvas.setDirty(true, true)
  t.host.editor.checkpoint()
}

/** One item per input the declaration lets convert, in declaration order. */
function conversionMenu(t: MenuTarget, to: 'input' | 'widget'): MenuItem[] {
  const node = t.node
  if (!isSpecNode(node)) return []
  const names = to === 'input' ? convertibleWidgets(node) : convertedWidgets(node)
  return names.map((name) => ({
    label: name,
    action: () => edit(t, () => (to === 'input' ? widgetToInput(node, name) : inputToWidget(node, name))),
  }))
}

function alignMenu(t: MenuTarget): MenuItem[] {
  const edges: [AlignEdge, string][] = [['left', 'Left edges'], ['right', 'Right edges'], ['top', 'Top edges'], ['bottom', 'Bottom edges']]
  return edges.map(([edge, label]) => ({ label, action: () => edit(t, () => alignNodes(t.nodes, edge)) }))
}

function colourMenu(t: MenuTarget): MenuItem[] {
  const current = t.nodes.length === 1 ? nodeColourOf(t.node) : undefined
  return [
    { label: 'No colour', action: () => edit(t, () => setNodeColour(t.nodes, null)) },
    ...NODE_PALETTE.map((colour) => ({
      label: `${colour === current ? '✓ ' : ''}${colour.name}`,
      action: () => edit(t, () => setNodeColour(t.nodes, colour)),
    })),
  ]
}

/** A copy of each node beside it, with its values (litegraph's clone keeps widgets and properties, not links). */
function clone(t: MenuTarget): void {
  const editor = t.host.editor
  const copies: LGraphNode[] = []
  for (const node of t.nodes) {
    const copy = node.clone()
    if (!copy) continue
    copy.pos = [node.pos[0] + 24, node.pos[1] + 24]
    editor.graph.add(copy)
    copies.push(copy)
  }
  if (copies.length > 0) editor.canvas.selectItems(copies)
  editor.canvas.setDirty(true, true)
  editor.checkpoint()
}

/** The node's image input and image, when it names one whose transparency is its mask. */
function maskTarget(node: LGraphNode): { input: string; image: string } | undefined {
  return isSpecNode(node) ? maskPaintTarget(node.definition, node.widgetValues()) : undefined
}

function editMask(t: MenuTarget): void {
  const target = maskTarget(t.node)
  if (target) t.host.editMask(String(t.node.id), target.input, target.image)
}
