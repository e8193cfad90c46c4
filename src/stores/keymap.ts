// The user's chords for commands, kept in localStorage; the keyboard listener, tooltips and the Settings tab read
// them from here (src/editor/keymap.ts has the rules).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { COMMANDS, type Command, type CommandId, type KeyLike } from '../editor/commands.js'
import { chordRefusal, findCommandWith, keysOf, readOverrides, type KeyOverrides } from '../editor/keymap.js'

export const KEYMAP_KEY = 'hypersd.keymap'

function stored(): KeyOverrides {
  try {
    return readOverrides(JSON.parse(localStorage.getItem(KEYMAP_KEY) ?? '{}'))
  } catch {
    return {}
  }
}

export const useKeymap = defineStore('keymap', () => {
  const overrides = ref<KeyOverrides>(stored())
  /** The command whose new chord the Settings tab is waiting for; the keyboard runs no command meanwhile. */
  const recording = ref<CommandId | null>(null)

  function save(next: KeyOverrides): void {
    overrides.value = next
    localStorage.setItem(KEYMAP_KEY, JSON.stringify(next))
  }

  const command = (id: CommandId): Command => COMMANDS.find((c) => c.id === id)!

  /** Binds `chord` to `id` alone; returns why not, or null when done. */
  function bind(id: CommandId, chord: string): string | null {
    const refusal = chordRefusal(id, chord, overrides.value)
    if (refusal) return refusal
    save({ ...overrides.value, [id]: [chord] })
    return null
  }

  function reset(id: CommandId): void {
    const { [id]: _dropped, ...rest } = overrides.value
    save(rest)
  }

  return {
    overrides,
    recording,
    bind,
    reset,
    resetAll: () => save({}),
    keys: (id: CommandId): readonly string[] => keysOf(command(id), overrides.value),
    isChanged: (id: CommandId): boolean => Object.hasOwn(overrides.value, id),
    find: (event: KeyLike, inTextField: boolean): Command | undefined => findCommandWith(overrides.value, event, inTextField),
    /** The first chord of a command, for tooltips ("Save (Ctrl+S)"). */
    label: (id: CommandId): string => keysOf(command(id), overrides.value)[0] ?? '',
  }
})
