// A TimerClock whose time moves only when told, firing the timers that come due in order (with the microtasks each
// one queues run before the next).
import type { TimerClock } from '../../src/worker/timer-clock.js'

export const flushMicrotasks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

export class FakeClock implements TimerClock {
  time = 0
  private timers: { at: number; callback: () => void; id: number }[] = []
  private next = 0

  now(): number {
    return this.time
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.next
    this.timers.push({ at: this.time + ms, callback, id })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.time = due.at
      due.callback()
      await flushMicrotasks()
    }
    this.time = end
    await flushMicrotasks()
  }
}
