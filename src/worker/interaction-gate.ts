// Background work waits while the user drags or zooms the canvas. On 2 cores, the engine worker building sessions for a
// graph's warm-up (or writing cache copies) takes the core the page needs to draw: panning a 500-node graph dropped
// from 60 to about 45 fps at 100 % zoom and from 35 to 14 fps zoomed out while a warm-up ran. Each background step
// (a warm-up's next node, an idle task, the cache copies) asks whenQuiet() first; a step already started (an
// onnxruntime call cannot be interrupted) runs to its end. Work the user waits for (a run, a sweep) never waits here,
// and while one is queued background steps go on too: a run queued behind a warm-up needs it to finish.
import { realClock, type TimerClock } from './timer-clock.js'

/** How long one "interacting" message holds background work: the UI repeats it while the interaction goes on. */
export const INTERACTION_HOLD_MS = 1500

export class InteractionGate {
  private heldUntil = 0
  private waiters: (() => void)[] = []
  private timer: unknown
  private holdingNow = false

  constructor(
    /** Whether work the user waits for is queued (background steps then go on, since that work may need them). */
    private readonly urgent: () => boolean,
    /** Told when background work starts or stops waiting (for the UI). */
    private readonly onHolding: (holding: boolean) => void = () => undefined,
    private readonly clock: TimerClock = realClock,
    private readonly holdMs = INTERACTION_HOLD_MS,
  ) {}

  /** The UI's word: the user is interacting (repeated while it lasts), or has stopped. */
  interacting(active: boolean): void {
    this.heldUntil = active ? this.clock.now() + this.holdMs : 0
    this.update()
  }

  /** Call when `urgent` may have changed (a run arrived): waiting steps go on if it now holds. */
  recheck(): void {
    this.update()
  }

  /** Whether a background step is waiting for the user now. */
  get holding(): boolean {
    return this.holdingNow
  }

  /** Resolves once nobody is interacting, or at once when nobody is, urgent work is queued, or `signal` is aborted. */
  whenQuiet(signal?: AbortSignal): Promise<void> {
    if (!this.held() || signal?.aborted) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== done)
        this.setHolding(this.waiters.length > 0)
        done()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(done)
      this.update()
    })
  }

  private held(): boolean {
    return !this.urgent() && this.clock.now() < this.heldUntil
  }

  private update(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    if (!this.held()) {
      const waiting = this.waiters
      this.waiters = []
      this.setHolding(false)
      for (const resolve of waiting) resolve()
      return
    }
    this.setHolding(this.waiters.length > 0)
    if (this.waiters.length > 0) this.timer = this.clock.setTimeout(() => this.update(), Math.max(1, this.heldUntil - this.clock.now()))
  }

  private setHolding(holding: boolean): void {
    if (holding === this.holdingNow) return
    this.holdingNow = holding
    this.onHolding(holding)
  }
}
