// When a canvas is drawn. litegraph's own loop asks for an animation frame every vsync, so the page renders 60
// frames a second even with nothing to draw: 3-8 % of a core on an idle 2-core machine (the page's main thread, its
// compositor and the display compositor), which a run's engine then does not get. This loop draws on animation
// frames while the canvas is changing and, once nothing has changed for a while, only looks at the dirty flags
// on a slow timer, which makes no frames; a change reported through wake() (setDirty, pointer and key events) starts
// the frames again at once, and one flagged any other way is drawn at the next look.

/** What the loop draws: litegraph's canvas, seen through these two calls. */
export interface LoopTarget {
  /** Whether the next draw would change something (litegraph's dirty flags). */
  isDirty(): boolean
  draw(): void
}

/** The clock and schedulers the loop runs on (the window's; replaced in tests). */
export interface LoopScheduler {
  now(): number
  frame(callback: () => void): number
  cancelFrame(handle: number): void
  timeout(callback: () => void, ms: number): ReturnType<typeof setTimeout>
  cancelTimeout(handle: ReturnType<typeof setTimeout>): void
}

/** Frames keep coming this long after the last change, drawn or woken (a pan's pauses, a hover's moves). */
export const ACTIVE_MS = 500
/** How often an idle loop looks at the dirty flags. */
export const IDLE_CHECK_MS = 50

export const windowScheduler: LoopScheduler = {
  now: () => performance.now(),
  frame: (callback) => requestAnimationFrame(callback),
  cancelFrame: (handle) => cancelAnimationFrame(handle),
  timeout: (callback, ms) => setTimeout(callback, ms),
  cancelTimeout: (handle) => clearTimeout(handle),
}

export class RenderLoop {
  private frameHandle: number | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastChangeAt = 0
  private stopped = false
  /** Frames rendered, and idle looks taken (for checks). */
  frames = 0
  looks = 0

  constructor(
    private readonly target: LoopTarget,
    private readonly scheduler: LoopScheduler = windowScheduler,
  ) {
    this.wake()
  }

  /** Something changed: draw it at the next animation frame, and keep the frames coming a while. */
  wake(): void {
    if (this.stopped) return
    this.lastChangeAt = this.scheduler.now()
    if (this.frameHandle !== undefined) return
    if (this.timer !== undefined) this.scheduler.cancelTimeout(this.timer)
    this.timer = undefined
    this.frameHandle = this.scheduler.frame(() => this.onFrame())
  }

  /** Whether the loop is making animation frames now (as opposed to looking on its slow timer). */
  get active(): boolean {
    return this.frameHandle !== undefined
  }

  /** Draws again after stop() (litegraph's startRendering). */
  start(): void {
    this.stopped = false
    this.wake()
  }

  stop(): void {
    this.stopped = true
    if (this.frameHandle !== undefined) this.scheduler.cancelFrame(this.frameHandle)
    if (this.timer !== undefined) this.scheduler.cancelTimeout(this.timer)
    this.frameHandle = undefined
    this.timer = undefined
  }

  private onFrame(): void {
    this.frameHandle = undefined
    this.frames++
    const now = this.scheduler.now()
    if (this.target.isDirty()) this.lastChangeAt = now
    this.target.draw()
    if (now - this.lastChangeAt < ACTIVE_MS) this.frameHandle = this.scheduler.frame(() => this.onFrame())
    else this.timer = this.scheduler.timeout(() => this.look(), IDLE_CHECK_MS)
  }

  private look(): void {
    this.timer = undefined
    this.looks++
    if (this.target.isDirty()) this.wake()
    else this.timer = this.scheduler.timeout(() => this.look(), IDLE_CHECK_MS)
  }
}
