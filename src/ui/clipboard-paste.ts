// Ctrl+V outside text fields: a PNG or graph JSON on the system clipboard (copied from a browser, a chat, a file
// manager) opens as a graph, through the same checks as a dropped file, and an image without a graph goes into a
// Load Image node; anything else pastes the nodes copied in the editor. Text fields keep their own paste.
import { looksLikeGraphText } from '../graph/index.js'
import { findCommand, type CommandId } from '../editor/commands.js'
import { isTextField } from './commands.js'

export interface PasteTargets {
  openFile(file: File): Promise<void>
  /** `withLinks`: the paste came from Ctrl+Shift+V, which keeps the links into the pasted nodes. */
  pasteNodes(withLinks: boolean): void
}

/** What a paste event carries that should open as a file (a graph, or an image), if anything. */
export function pastedGraphFile(data: DataTransfer | null): File | null {
  if (!data) return null
  const file = [...data.files].find((f) => f.type.startsWith('image/') || f.type === 'application/json' || /\.(png|jpe?g|webp|json)$/i.test(f.name))
  if (file) return file
  const text = data.getData('text/plain')
  return looksLikeGraphText(text) ? new File([text], 'pasted graph.json', { type: 'application/json' }) : null
}

/** Listens for paste events; returns a function that removes the listener. */
export function installPasteHandler(targets: PasteTargets, enabled: () => boolean): () => void {
  // A paste event does not say which chord caused it: the keydown just before it does.
  let chord: CommandId | undefined
  const onKey = (event: KeyboardEvent): void => {
    chord = findCommand(event, isTextField(event.target))?.id
  }
  const onPaste = (event: ClipboardEvent): void => {
    const withLinks = chord === 'pasteWithLinks'
    chord = undefined
    if (!enabled() || isTextField(event.target)) return
    event.preventDefault()
    const file = pastedGraphFile(event.clipboardData)
    if (file) void targets.openFile(file)
    else targets.pasteNodes(withLinks)
  }
  window.addEventListener('keydown', onKey, true)
  window.addEventListener('paste', onPaste)
  return () => {
    window.removeEventListener('keydown', onKey, true)
    window.removeEventListener('paste', onPaste)
  }
}
