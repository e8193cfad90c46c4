// Binds the commands table to the app: one handler per command id, one keydown listener for all chords.
import { findCommand, type CommandId } from '../editor/commands.js'

export type CommandHandlers = Record<CommandId, () => void>

export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'range'].includes((target as HTMLInputElement).type)) || target.tagName === 'SELECT'
}

/** Installs the keyboard listener (chords found by `find`: the user's keymap); returns a function that removes it. */
export function installKeybindings(handlers: CommandHandlers, enabled: () => boolean, find: typeof findCommand = findCommand): () => void {
  const onKey = (event: KeyboardEvent): void => {
    if (!enabled()) return
    const command = find(event, isTextField(event.target))
    if (!command || command.viaBrowserEvent) return
    event.preventDefault()
    event.stopPropagation()
    handlers[command.id]()
  }
  window.addEventListener('keydown', onKey, true)
  return () => window.removeEventListener('keydown', onKey, true)
}
