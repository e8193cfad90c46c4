// The engine worker's background steps wait while the user drags the canvas: the gate holds them for as long as the UI
// keeps saying so (or until its word lapses), and lets them go at once for a run or when they are cancelled.
import { describe, expect, it } from 'vitest'
import { InteractionGate } from '../../src/worker/interaction-gate.js'
import { FakeClock, flushMicrotasks } from '../helpers/fake-clock.js'

const flush = flushMicrotasks

function setup(urgent = (): boolean => false) {
  const clock = new FakeClock()
  const holding: boolean[] = []
  const gate = new InteractionGate(urgent, (h) => holding.push(h), clock, 1500)
  const settled: string[] = []
  const wait = (name: string, signal?: AbortSignal): void => void gate.whenQuiet(signal).then(() => settled.push(name))
  return { clock, gate, holding, settled, wait }
}

describe('InteractionGate', () => {
  it('lets a step go at once when nobody interacts', async () => {
    const { settled, wait, holding } = setup()
    wait('a')
    await flush()
    expect(settled).toEqual(['a'])
    expect(holding).toEqual([])
  })

  it('holds steps while the user interacts and lets them go when told it ended', async () => {
    const { gate, clock, settled, wait, holding } = setup()
    gate.interacting(true)
    wait('a')
    wait('b')
    await clock.advance(1000)
    expect(settled).toEqual([])
    expect(gate.holding).toBe(true)
    gate.interacting(false)
    await flush()
    expect(settled).toEqual(['a', 'b'])
    expect(holding).toEqual([true, false])
  })

  it('lets an "interacting" lapse after the hold time unless it is repeated', async () => {
    const { gate, clock, settled, wait } = setup()
    gate.interacting(true)
    wait('a')
    await clock.advance(1000)
    gate.interacting(true) // repeated: another 1.5 s from now
    await clock.advance(1400)
    expect(settled).toEqual([])
    await clock.advance(100)
    expect(settled).toEqual(['a'])
    // Lapsed: the next step goes at once.
    wait('b')
    await flush()
    expect(settled).toEqual(['a', 'b'])
  })

  it('lets waiting steps go once urgent work is queued, and holds none while it is', async () => {
    let runQueued = false
    const { gate, clock, settled, wait } = setup(() => runQueued)
    gate.interacting(true)
    wait('warm-up step')
    await clock.advance(100)
    expect(settled).toEqual([])
    runQueued = true
    gate.recheck()
    await flush()
    expect(settled).toEqual(['warm-up step'])
    wait('next step')
    await flush()
    expect(settled).toEqual(['warm-up step', 'next step'])
  })

  it('lets a step go when it is cancelled while waiting, and keeps holding the others', async () => {
    const { gate, clock, settled, wait } = setup()
    gate.interacting(true)
    const controller = new AbortController()
    wait('cancelled', controller.signal)
    wait('other')
    controller.abort()
    await flush()
    expect(settled).toEqual(['cancelled'])
    expect(gate.holding).toBe(true)
    await clock.advance(1500)
    expect(settled).toEqual(['cancelled', 'other'])
    expect(gate.holding).toBe(false)
  })
})
