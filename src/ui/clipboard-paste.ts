// Ctrl+V outside text fields: a PNG or graph JSON on the system clipboard (copied from a browser, a chat, a file
// manager) opens as a graph, through the same checks as a dropped file; anything else pastes the nodes copied in
// the editor. Text fields keep their own paste.
import { looksLikeGraphText } from '../graph/index.js'
import { isTextField } from './commands.js'

export interface PasteTargets {
  openFile(file: File): Promise<void>
  pasteNodes(): void
}

/** What a paste event carries that should open as a graph, if anything. */
export function pastedGraphFile(data: DataTransfer | null): File | null {
  if (!data) return null
  const file = [...data.files].find((f) => f.type === 'image/png' || f.type === 'application/json' || /\.(png|json)$/i.test(f.name))
  if (file) return file
  const text = data.getData('text/plain')
  return looksLikeGraphText(text) ? new File([text], 'pasted graph.json', { type: 'application/json' }) : null
}

/** Listens for paste events; returns a function that removes the listener. */
export function installPasteHandler(targets: PasteTargets, enabled: () => boolean): () => void {
  const onPaste = (event: ClipboardEvent): void => {
    if (!enabled() || isTextField(event.target)) return
    event.preventDefault()
    const file = pastedGraphFile(event.clipboardData)
    if (file) void targets.openFile(file)
    else targets.pasteNodes()
  }
  window.addEventListener('paste', onPaste)
  return () => window.removeEventListener('paste', onPaste)
}
