// The commands table: every shortcut named in the issue resolves to its command, chords are unambiguous, and
// text fields keep their native undo/copy/select-all.
import { describe, expect, it } from 'vitest'
import { chordOf, COMMANDS, findCommand, type KeyLike } from '../../src/editor/commands.js'

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods }
}

describe('commands table', () => {
  it('maps the required shortcuts', () => {
    expect(findCommand(key('Enter', { ctrlKey: true }), false)?.id).toBe('run')
    expect(findCommand(key('Enter', { ctrlKey: true, altKey: true }), false)?.id).toBe('cancel')
    expect(findCommand(key('z', { ctrlKey: true }), false)?.id).toBe('undo')
    expect(findCommand(key('Z', { ctrlKey: true, shiftKey: true }), false)?.id).toBe('redo')
    expect(findCommand(key('s', { ctrlKey: true }), false)?.id).toBe('save')
    expect(findCommand(key('o', { ctrlKey: true }), false)?.id).toBe('open')
    // Cmd on macOS counts as Ctrl.
    expect(findCommand(key('z', { metaKey: true }), false)?.id).toBe('undo')
  })

  it('leaves undo, copy, paste and delete to text fields but still runs, saves and opens from them', () => {
    expect(findCommand(key('z', { ctrlKey: true }), true)).toBeUndefined()
    expect(findCommand(key('c', { ctrlKey: true }), true)).toBeUndefined()
    expect(findCommand(key('Backspace'), true)).toBeUndefined()
    expect(findCommand(key('Enter', { ctrlKey: true }), true)?.id).toBe('run')
    expect(findCommand(key('s', { ctrlKey: true }), true)?.id).toBe('save')
  })

  it('binds each chord to one command only', () => {
    const chords = COMMANDS.flatMap((c) => c.keys)
    expect(new Set(chords).size).toBe(chords.length)
    expect(new Set(COMMANDS.map((c) => c.id)).size).toBe(COMMANDS.length)
  })

  it('spells chords in the table notation', () => {
    expect(chordOf(key('z', { ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+Z')
    expect(chordOf(key('Enter', { ctrlKey: true, altKey: true }))).toBe('Ctrl+Alt+Enter')
    expect(findCommand(key('x'), false)).toBeUndefined()
  })
})
