// The context menu of a group: rename, colour (ComfyUI's palette, its group shades), fit around its nodes, remove.
import type { LGraphGroup } from '@comfyorg/litegraph'
import type { GraphEditor } from '../editor/editor.js'
import { GROUP_PALETTE } from '../editor/node-tools.js'
import type { MenuItem } from './node-menu.js'

export interface GroupMenuHost {
  readonly editor: GraphEditor
  rename(group: LGraphGroup): void
  /** Replaces the open menu with another (the colour palette), at the same place. */
  openSubmenu(items: MenuItem[]): void
}

export function groupMenu(host: GroupMenuHost, group: LGraphGroup): MenuItem[] {
  const e = host.editor
  const edit = (change: () => void) => () => {
    change()
    e.canvas.setDirty(true, true)
    e.checkpoint()
  }
  return [
    { label: 'Rename group…', action: () => host.rename(group) },
    { label: 'Colour…', action: () => host.openSubmenu(colourMenu(group, edit)) },
    {
      label: 'Fit group to nodes',
      action: edit(() => {
        group.recomputeInsideNodes()
        const nodes = [...group.nodes]
        if (nodes.length) group.resizeTo(nodes)
      }),
    },
    { label: 'Remove group', action: edit(() => e.graph.remove(group)) },
  ]
}

function colourMenu(group: LGraphGroup, edit: (change: () => void) => () => void): MenuItem[] {
  return GROUP_PALETTE.map((colour) => ({
    label: `${colour.color === group.color ? '✓ ' : ''}${colour.name}`,
    action: edit(() => (group.color = colour.color)),
  }))
}
