// Every keyboard shortcut and toolbar action comes from this one table of commands.

export type CommandId =
  | 'run'
  | 'runFront'
  | 'cancel'
  | 'undo'
  | 'redo'
  | 'save'
  | 'exportComfyUI'
  | 'exportComfyUIPrompt'
  | 'open'
  | 'copy'
  | 'paste'
  | 'pasteWithLinks'
  | 'delete'
  | 'selectAll'
  | 'fitView'
  | 'search'
  | 'addGroup'
  | 'arrange'
  | 'newGraph'
  | 'clearGraph'
  | 'templates'
  | 'bypass'
  | 'mute'
  | 'collapse'
  | 'pin'
  | 'toggleMinimap'
  | 'sweep'

export interface Command {
  readonly id: CommandId
  readonly label: string
  /** Key chords like "Ctrl+Shift+Z"; Ctrl also matches Cmd on macOS. */
  readonly keys: readonly string[]
  /** When false the command leaves keys alone inside text fields (their native undo, copy, select-all). */
  readonly inTextFields?: boolean
  /**
   * The chord is left to the browser, whose own event runs the command: Ctrl+V's paste event carries what is on
   * the system clipboard (a graph pasted from elsewhere), which a key handler cannot read without a permission.
   */
  readonly viaBrowserEvent?: 'paste'
}

export const COMMANDS: readonly Command[] = [
  { id: 'run', label: 'Queue run', keys: ['Ctrl+Enter'], inTextFields: true },
  { id: 'runFront', label: 'Queue run first, ahead of the waiting runs', keys: ['Ctrl+Shift+Enter'], inTextFields: true },
  { id: 'cancel', label: 'Cancel run', keys: ['Ctrl+Alt+Enter'], inTextFields: true },
  { id: 'undo', label: 'Undo', keys: ['Ctrl+Z'] },
  { id: 'redo', label: 'Redo', keys: ['Ctrl+Shift+Z', 'Ctrl+Y'] },
  { id: 'save', label: 'Save graph', keys: ['Ctrl+S'], inTextFields: true },
  { id: 'exportComfyUI', label: 'Export for ComfyUI', keys: [] },
  { id: 'exportComfyUIPrompt', label: 'Export for ComfyUI (API prompt)', keys: [] },
  { id: 'open', label: 'Open graph', keys: ['Ctrl+O'], inTextFields: true },
  { id: 'copy', label: 'Copy', keys: ['Ctrl+C'] },
  { id: 'paste', label: 'Paste', keys: ['Ctrl+V'], viaBrowserEvent: 'paste' },
  // ComfyUI's chord: the pasted nodes keep the links into them from nodes that were not copied.
  { id: 'pasteWithLinks', label: 'Paste, keeping the links into the pasted nodes', keys: ['Ctrl+Shift+V'], viaBrowserEvent: 'paste' },
  { id: 'delete', label: 'Delete selection', keys: ['Delete', 'Backspace'] },
  { id: 'selectAll', label: 'Select all', keys: ['Ctrl+A'] },
  { id: 'fitView', label: 'Fit view', keys: ['.'] },
  { id: 'search', label: 'Add node', keys: ['Ctrl+K'] },
  { id: 'addGroup', label: 'Group selection', keys: ['Ctrl+G'] },
  { id: 'arrange', label: 'Arrange nodes (the selection, or the whole graph)', keys: [] },
  // No chords: the browser keeps Ctrl+N for a new window, and Clear is one click away from being undone anyway.
  { id: 'newGraph', label: 'New graph', keys: [] },
  { id: 'clearGraph', label: 'Clear graph', keys: [] },
  { id: 'templates', label: 'Templates', keys: [] },
  // ComfyUI's chords for its everyday node tools; they act on the selected nodes (see src/editor/node-tools.ts).
  { id: 'bypass', label: 'Bypass selected nodes', keys: ['Ctrl+B'] },
  { id: 'mute', label: 'Mute selected nodes', keys: ['Ctrl+M'] },
  { id: 'collapse', label: 'Collapse selected nodes', keys: ['Alt+C'] },
  { id: 'pin', label: 'Pin selected nodes', keys: [] },
  { id: 'toggleMinimap', label: 'Show or hide the minimap', keys: ['Alt+M'] },
  { id: 'sweep', label: 'Sweep: vary one or two inputs over values and compare', keys: [] },
]

export interface KeyLike {
  readonly key: string
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly shiftKey: boolean
  readonly altKey: boolean
}

/** The chord a key event spells, in the table's notation ("Ctrl+Shift+Z"). */
export function chordOf(event: KeyLike): string {
  const parts: string[] = []
  if (event.ctrlKey || event.metaKey) parts.push('Ctrl')
  if (event.altKey) parts.push('Alt')
  if (event.shiftKey) parts.push('Shift')
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key
  parts.push(key)
  return parts.join('+')
}

export function findCommand(event: KeyLike, inTextField: boolean): Command | undefined {
  const chord = chordOf(event)
  return COMMANDS.find((c) => c.keys.includes(chord) && (!inTextField || c.inTextFields === true))
}
