// The editor tells the engine worker when a drag or zoom starts, repeats it while input goes on, and says when it has
// ended: the worker's background work waits meanwhile (interaction-gate.ts).
import { describe, expect, it } from 'vitest'
import { InteractionTracker, QUIET_MS, REFRESH_MS } from '../../src/ui/interaction-tracker.js'
import { FakeClock } from '../helpers/fake-clock.js'

describe('InteractionTracker', () => {
  it('says "active" once at the start, again every REFRESH_MS while input goes on, and "ended" after QUIET_MS', async () => {
    const clock = new FakeClock()
    const sent: boolean[] = []
    const tracker = new InteractionTracker((active) => sent.push(active), clock)
    tracker.note()
    // A drag: a step every 16 ms for 2.5 s.
    for (let t = 0; t < 2500; t += 16) {
      await clock.advance(16)
      tracker.note()
    }
    expect(sent).toEqual([true, true, true])
    expect(REFRESH_MS).toBeLessThan(1500) // under the worker's hold time, so that the hold never lapses mid-drag
    await clock.advance(QUIET_MS - 1)
    expect(sent).toEqual([true, true, true])
    await clock.advance(1)
    expect(sent).toEqual([true, true, true, false])
    // The next drag starts afresh.
    tracker.note()
    expect(sent).toEqual([true, true, true, false, true])
  })

  it('ends at once when asked (the editor goes away), and only once', async () => {
    const clock = new FakeClock()
    const sent: boolean[] = []
    const tracker = new InteractionTracker((active) => sent.push(active), clock)
    tracker.end()
    expect(sent).toEqual([])
    tracker.note()
    tracker.end()
    await clock.advance(QUIET_MS * 2)
    expect(sent).toEqual([true, false])
  })
})
