// The user's own chords for commands (ComfyUI's keybinding panel): overrides over the commands table, checked so
// that every chord still runs one command. Pure data and functions; the keymap store keeps the overrides.
import { chordOf, COMMANDS, type Command, type CommandId, type KeyLike } from './commands.js'

/** Per command, the chords that replace the table's (an empty list unbinds it). */
export type KeyOverrides = Readonly<Partial<Record<CommandId, readonly string[]>>>

const MODIFIERS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'Fn'])
/** Keys the app gives their own meaning everywhere: Escape closes menus and dialogs, Tab moves the focus. */
const RESERVED: Readonly<Record<string, string>> = { Escape: 'Escape closes menus and dialogs', Tab: 'Tab moves the focus' }

/** The chords that run `command` now. */
export function keysOf(command: Command, overrides: KeyOverrides): readonly string[] {
  return Object.hasOwn(overrides, command.id) ? overrides[command.id]! : command.keys
}

/** A command the user may rebind: not one whose chord the browser itself must see (paste reads the clipboard). */
export function isRebindable(command: Command): boolean {
  return command.viaBrowserEvent === undefined
}

export function findCommandWith(overrides: KeyOverrides, event: KeyLike, inTextField: boolean): Command | undefined {
  const chord = chordOf(event)
  return COMMANDS.find((c) => keysOf(c, overrides).includes(chord) && (!inTextField || c.inTextFields === true))
}

/** The chord a key press spells, or null while only modifiers are down. */
export function chordOfPress(event: KeyLike): string | null {
  return MODIFIERS.has(event.key) ? null : chordOf(event)
}

/** Why `chord` cannot run `id`, or null when it can: reserved keys and chords another command runs are refused. */
export function chordRefusal(id: CommandId, chord: string, overrides: KeyOverrides): string | null {
  if (Object.hasOwn(RESERVED, chord)) return RESERVED[chord]!
  const other = COMMANDS.find((c) => c.id !== id && keysOf(c, overrides).includes(chord))
  return other ? `${chord} already runs “${other.label}”${isRebindable(other) ? '; change that one first' : ''}` : null
}

/** Overrides read from storage, keeping only entries for rebindable commands whose chords are strings. */
export function readOverrides(value: unknown): KeyOverrides {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  const kept: Partial<Record<CommandId, readonly string[]>> = {}
  for (const command of COMMANDS) {
    if (!isRebindable(command) || !Object.hasOwn(value, command.id)) continue
    const keys = (value as Record<string, unknown>)[command.id]
    if (Array.isArray(keys) && keys.length <= 4 && keys.every((k) => typeof k === 'string' && k.length > 0 && k.length <= 40)) kept[command.id] = keys as string[]
  }
  return kept
}
