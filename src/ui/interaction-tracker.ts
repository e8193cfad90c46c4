// Tells the engine worker when the user drags or zooms the canvas, so that its background work (a graph's warm-up,
// idle tasks, cache copies) waits instead of taking the core the page draws with (src/worker/interaction-gate.ts).
// Only transitions and a refresh every REFRESH_MS are sent: the worker lets an "active" lapse on its own after
// INTERACTION_HOLD_MS, so a lost "stopped" never holds its work for long.
import { realClock, type TimerClock } from '../worker/timer-clock.js'

/** Without drag or zoom input for this long, the interaction has ended. */
export const QUIET_MS = 400
/** While input goes on, "active" is sent again this often (under the worker's INTERACTION_HOLD_MS). */
export const REFRESH_MS = 1000

export class InteractionTracker {
  private active = false
  private sentAt = -Infinity
  private quietTimer: unknown

  constructor(
    private readonly send: (active: boolean) => void,
    private readonly clock: TimerClock = realClock,
  ) {}

  /** A drag step or a zoom: the user is working on the canvas now. */
  note(): void {
    const now = this.clock.now()
    if (!this.active || now - this.sentAt >= REFRESH_MS) {
      this.active = true
      this.sentAt = now
      this.send(true)
    }
    this.lastInputAt = now
    // One timer per quiet period, not one per pointer move: it looks again when input came since it was set.
    if (this.quietTimer === undefined) this.waitForQuiet(QUIET_MS)
  }

  private lastInputAt = 0

  private waitForQuiet(ms: number): void {
    this.quietTimer = this.clock.setTimeout(() => {
      this.quietTimer = undefined
      const quietFor = this.clock.now() - this.lastInputAt
      if (quietFor >= QUIET_MS) this.end()
      else this.waitForQuiet(QUIET_MS - quietFor)
    }, ms)
  }

  /** Ends an interaction at once (the editor goes away). */
  end(): void {
    if (this.quietTimer !== undefined) this.clock.clearTimeout(this.quietTimer)
    this.quietTimer = undefined
    if (!this.active) return
    this.active = false
    this.send(false)
  }

  /** Listens to `element`'s drag and zoom input; returns the function that stops listening. */
  watch(element: HTMLElement): () => void {
    const onMove = (event: PointerEvent): void => {
      if (event.buttons !== 0) this.note()
    }
    const onInput = (): void => this.note()
    element.addEventListener('pointerdown', onInput, { passive: true })
    element.addEventListener('pointermove', onMove, { passive: true })
    element.addEventListener('wheel', onInput, { passive: true })
    return () => {
      element.removeEventListener('pointerdown', onInput)
      element.removeEventListener('pointermove', onMove)
      element.removeEventListener('wheel', onInput)
      this.end()
    }
  }
}
