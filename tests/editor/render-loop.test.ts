import { describe, expect, it } from 'vitest'
import { ACTIVE_MS, IDLE_CHECK_MS, RenderLoop, type LoopScheduler } from '../../src/editor/render-loop.js'

/** A clock and schedulers the test advances by hand: frames every 16 ms while any is asked for. */
function fakeScheduler() {
  let now = 0
  let nextId = 1
  const frames = new Map<number, () => void>()
  const timers = new Map<number, { at: number; callback: () => void }>()
  const scheduler: LoopScheduler = {
    now: () => now,
    frame: (callback) => (frames.set(nextId, callback), nextId++),
    cancelFrame: (handle) => void frames.delete(handle),
    timeout: (callback, ms) => {
      timers.set(nextId, { at: now + ms, callback })
      return nextId++ as unknown as ReturnType<typeof setTimeout>
    },
    cancelTimeout: (handle) => void timers.delete(handle as unknown as number),
  }
  /** Runs frames (every 16 ms, when asked for) and timers up to `ms` from now. */
  const advance = (ms: number): void => {
    const end = now + ms
    while (now < end) {
      now = Math.min(end, now + 16)
      for (const [id, timer] of [...timers]) {
        if (timer.at > now) continue
        timers.delete(id)
        timer.callback()
      }
      const due = [...frames]
      frames.clear()
      for (const [, callback] of due) callback()
    }
  }
  return { scheduler, advance, pendingFrames: () => frames.size }
}

function setup() {
  const fake = fakeScheduler()
  const target = { dirty: true, draws: 0, drawnDirty: 0, isDirty() { return this.dirty }, draw() { this.draws++; if (this.dirty) this.drawnDirty++; this.dirty = false } }
  const loop = new RenderLoop(target, fake.scheduler)
  return { ...fake, target, loop }
}

describe('RenderLoop', () => {
  it('draws what is dirty on the next frame, then stops making frames once nothing changes', () => {
    const { advance, target, loop, pendingFrames } = setup()
    advance(16)
    expect(target.drawnDirty).toBe(1)
    advance(ACTIVE_MS + 100)
    expect(loop.active).toBe(false)
    expect(pendingFrames()).toBe(0)
    const frames = loop.frames
    advance(5000)
    // Idle: no frames at all, only the timer's looks at the flags.
    expect(loop.frames).toBe(frames)
    expect(loop.looks).toBeGreaterThan(5000 / (IDLE_CHECK_MS + 16) - 2)
  })

  it('draws a change reported through wake() on the next frame', () => {
    const { advance, target, loop } = setup()
    advance(ACTIVE_MS + 100)
    expect(loop.active).toBe(false)
    target.dirty = true
    loop.wake()
    expect(loop.active).toBe(true)
    advance(16)
    expect(target.drawnDirty).toBe(2)
  })

  it('finds a change flagged without a wake at its next look', () => {
    const { advance, target, loop } = setup()
    advance(ACTIVE_MS + 100)
    target.dirty = true
    advance(IDLE_CHECK_MS + 16)
    expect(target.drawnDirty).toBe(2)
    expect(loop.active).toBe(true)
  })

  it('keeps the frames coming while something keeps changing (a pan), one draw per frame', () => {
    const { advance, target, loop } = setup()
    for (let i = 0; i < 100; i++) {
      target.dirty = true
      advance(16)
    }
    expect(loop.active).toBe(true)
    expect(target.drawnDirty).toBe(100) // the first change joins the initial draw
    expect(target.draws).toBe(target.drawnDirty)
  })

  it('does nothing after stop(), and draws again after start()', () => {
    const { advance, target, loop, pendingFrames } = setup()
    loop.stop()
    target.dirty = true
    loop.wake()
    advance(1000)
    expect(target.draws).toBe(0)
    expect(pendingFrames()).toBe(0)
    loop.start()
    advance(16)
    expect(target.drawnDirty).toBe(1)
  })
})
