// The user's own chords over the commands table: still one command per chord, reserved keys kept, paste left to
// the browser, and stored overrides read defensively.
import { describe, expect, it } from 'vitest'
import { COMMANDS, type KeyLike } from '../../src/editor/commands.js'
import { chordOfPress, chordRefusal, findCommandWith, isRebindable, keysOf, readOverrides } from '../../src/editor/keymap.js'

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods }
}
const command = (id: string) => COMMANDS.find((c) => c.id === id)!

describe('keymap', () => {
  it('an override replaces the table’s chords for its command only', () => {
    const overrides = { mute: ['Alt+K'] }
    expect(findCommandWith(overrides, key('k', { altKey: true }), false)?.id).toBe('mute')
    expect(findCommandWith(overrides, key('m', { ctrlKey: true }), false)).toBeUndefined()
    expect(findCommandWith(overrides, key('b', { ctrlKey: true }), false)?.id).toBe('bypass')
    expect(keysOf(command('mute'), overrides)).toEqual(['Alt+K'])
    expect(keysOf(command('bypass'), overrides)).toEqual(['Ctrl+B'])
    // An empty list unbinds.
    expect(findCommandWith({ undo: [] }, key('z', { ctrlKey: true }), false)).toBeUndefined()
  })

  it('refuses a chord another command runs, naming it, and the keys the app keeps for itself', () => {
    expect(chordRefusal('mute', 'Ctrl+B', {})).toBe('Ctrl+B already runs “Bypass selected nodes”; change that one first')
    expect(chordRefusal('mute', 'Ctrl+V', {})).toBe('Ctrl+V already runs “Paste”')
    expect(chordRefusal('mute', 'Escape', {})).toBe('Escape closes menus and dialogs')
    expect(chordRefusal('mute', 'Ctrl+M', {})).toBeNull() // its own
    expect(chordRefusal('bypass', 'Ctrl+M', { mute: ['Alt+K'] })).toBeNull() // freed by the override
  })

  it('waits for a key while only modifiers are down', () => {
    expect(chordOfPress(key('Control', { ctrlKey: true }))).toBeNull()
    expect(chordOfPress(key('Shift', { ctrlKey: true, shiftKey: true }))).toBeNull()
    expect(chordOfPress(key('k', { altKey: true }))).toBe('Alt+K')
  })

  it('leaves paste to the browser: its chords cannot be changed', () => {
    expect(isRebindable(command('paste'))).toBe(false)
    expect(isRebindable(command('pasteWithLinks'))).toBe(false)
    expect(isRebindable(command('mute'))).toBe(true)
  })

  it('reads stored overrides defensively: unknown commands, paste, non-strings and junk are dropped', () => {
    expect(readOverrides({ mute: ['Alt+K'], paste: ['Alt+P'], nonsense: ['X'], undo: [1], redo: 'Ctrl+R' })).toEqual({ mute: ['Alt+K'] })
    expect(readOverrides(null)).toEqual({})
    expect(readOverrides(['mute'])).toEqual({})
    expect(Object.getPrototypeOf(readOverrides(JSON.parse('{"__proto__": {"polluted": ["X"]}, "mute": []}')))).toBe(Object.prototype)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})
