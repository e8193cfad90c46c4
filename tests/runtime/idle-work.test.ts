// The engine worker's idle work: tasks wait for a quiet time with no run, run one at a time, and the sessions they
// build are counted apart from runs' (a run that starts meanwhile must not count them as its own).
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IdleTasks } from '../../src/worker/idle-tasks.js'
import { CountingSessions } from '../../src/worker/session-stats.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { buildAffineModel } from './test-models.js'

describe('IdleTasks', () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())
  const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms)

  it('starts a task only after the quiet time, and never while the engine is busy', async () => {
    let busy = false
    const done: string[] = []
    const counts: number[] = []
    const tasks = new IdleTasks(() => !busy, (n) => counts.push(n), 30)
    tasks.add(async () => void done.push('a'))
    await wait(10)
    expect(done).toEqual([]) // still quiet time
    busy = true
    await wait(50)
    expect(done).toEqual([]) // the timer fired while a run was going: nothing started
    busy = false
    tasks.poke() // the run ended
    await wait(29)
    expect(done).toEqual([])
    await wait(1)
    expect(done).toEqual(['a'])
    expect(counts).toEqual([1, 0])
  })

  it('runs tasks one at a time, in order, and goes on past a failing one', async () => {
    const log: string[] = []
    const tasks = new IdleTasks(() => true, () => undefined, 5)
    tasks.add(async () => {
      log.push('a start')
      await new Promise((resolve) => setTimeout(resolve, 20))
      log.push('a end')
    })
    tasks.add(async () => {
      throw new Error('no')
    })
    tasks.add(async () => void log.push('c'))
    expect(tasks.pending).toBe(3)
    await wait(10)
    expect(log).toEqual(['a start'])
    expect(tasks.pending).toBe(3)
    await wait(20)
    expect(log).toEqual(['a start', 'a end', 'c'])
    expect(tasks.pending).toBe(0)
  })

  it('a poke restarts the quiet time', async () => {
    const done: string[] = []
    const tasks = new IdleTasks(() => true, () => undefined, 40)
    tasks.add(async () => void done.push('a'))
    await wait(25)
    tasks.poke()
    await wait(25)
    expect(done).toEqual([])
    await wait(15)
    expect(done).toEqual(['a'])
  })

  it('waits for its turn before each task (the user dragging the canvas), and starts none if a run came meanwhile', async () => {
    const done: string[] = []
    let busy = false
    let letGo: () => void = () => undefined
    const turns: string[] = []
    const tasks = new IdleTasks(() => !busy, () => undefined, 5, () => {
      turns.push('asked')
      return new Promise<void>((resolve) => (letGo = resolve))
    })
    tasks.add(async () => void done.push('a'))
    tasks.add(async () => void done.push('b'))
    await wait(10)
    expect(turns).toEqual(['asked'])
    tasks.poke() // another poke while one waits: still one drain, one task at a time
    await wait(10)
    expect(done).toEqual([])
    letGo()
    await wait(0)
    expect(done).toEqual(['a'])
    expect(turns).toEqual(['asked', 'asked'])
    busy = true // a run started while 'b' waited for its turn
    letGo()
    await wait(10)
    expect(done).toEqual(['a'])
    expect(tasks.pending).toBe(1)
  })
})

describe('CountingSessions.background', () => {
  const cache = new SessionCache(createNodeBackend())
  afterAll(() => cache.dispose())

  it('counts what background work builds and frees apart from the runs', async () => {
    const sessions = new CountingSessions(cache)
    const model = { key: 'affine', bytes: buildAffineModel().model }
    const background = sessions.background()
    await background.getOrCreate('bg', async () => model)
    expect(background.has('bg')).toBe(true)
    // A run's hit on the session background work built is the run's reuse.
    await sessions.getOrCreate('bg', async () => model)
    await sessions.getOrCreate('run', async () => model)
    expect(sessions.take()).toEqual({ created: ['run'], reused: ['bg'], released: [] })
    await background.release(['bg'])
    expect(sessions.has('bg')).toBe(false)
    expect(sessions.take()).toEqual({ created: [], reused: [], released: [] })
    expect(sessions.takeBackground()).toEqual(['bg'])
    expect(sessions.takeBackground()).toEqual([])
  })
})
