// Graph undo/redo over snapshots.
import { describe, expect, it } from 'vitest'
import { GraphHistory } from '../../src/editor/history.js'

describe('GraphHistory', () => {
  it('undoes and redoes edits in order, and a new edit drops the redo branch', () => {
    const h = new GraphHistory()
    h.reset('a')
    expect(h.record('b')).toBe(true)
    expect(h.record('c')).toBe(true)
    expect(h.undo()).toBe('b')
    expect(h.undo()).toBe('a')
    expect(h.undo()).toBeNull()
    expect(h.redo()).toBe('b')
    expect(h.record('d')).toBe(true)
    expect(h.canRedo).toBe(false)
    expect(h.redo()).toBeNull()
    expect(h.undo()).toBe('b')
  })

  it('ignores snapshots equal to the current state', () => {
    const h = new GraphHistory()
    h.reset('a')
    expect(h.record('a')).toBe(false)
    expect(h.canUndo).toBe(false)
  })

  it('keeps at most `limit` undo steps', () => {
    const h = new GraphHistory(3)
    h.reset('0')
    for (let i = 1; i <= 10; i++) h.record(String(i))
    const seen: string[] = []
    for (let s = h.undo(); s !== null; s = h.undo()) seen.push(s)
    expect(seen).toEqual(['9', '8', '7'])
  })
})
