// The node context menu's "Sweep an input…": the node's sweepable inputs, each opening the sweep panel with it.
import { NodeRegistry } from '../../engine/registry.js'
import type { GraphEditor } from '../../editor/editor.js'
import { sweepableInputs } from '../../stores/sweep-draft.js'
import type { MenuItem } from '../node-menu.js'

export function sweepMenuItems(editor: GraphEditor, nodeId: string, openSubmenu: (items: MenuItem[]) => void, openSweep: (start: { node: string; input: string }) => void): MenuItem[] {
  const graph = editor.toFile('graph')
  const inputs = sweepableInputs(graph, new NodeRegistry(editor.definitions.values()), nodeId)
  if (inputs.length === 0) return []
  return [{ label: 'Sweep an input…', action: () => openSubmenu(inputs.map((input) => ({ label: input, action: () => openSweep({ node: nodeId, input }) }))) }]
}
