// Work the engine worker does when nothing else is going: no run, no warm-up, for a short quiet time. Tasks run one
// at a time, e.g. a live LoRA's session built after the first image came from a merged one (src/lora/first-session.ts).
// onnxruntime's calls hold the worker's thread, so a task is never started while a run or warm-up is going; a run
// that comes during one waits for that task's current step (a session being built is shared, not built twice).

/** How long the engine stays idle before a task starts: a run clicked just after a warm-up gets the thread first. */
export const IDLE_QUIET_MS = 500

export class IdleTasks {
  private readonly queue: (() => Promise<void>)[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private draining = false

  constructor(
    private readonly isIdle: () => boolean,
    /** Told how many tasks are queued or running whenever that changes. */
    private readonly onPending: (pending: number) => void = () => undefined,
    private readonly quietMs = IDLE_QUIET_MS,
    /** Awaited before each task starts (e.g. while the user drags the canvas); the engine must still be idle after. */
    private readonly turn: () => Promise<void> = () => Promise.resolve(),
  ) {}

  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0)
  }

  add(task: () => Promise<void>): void {
    this.queue.push(task)
    this.onPending(this.pending)
    this.poke()
  }

  /** Call whenever the engine may have become idle (a run or warm-up ended): the quiet time starts again. */
  poke(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.running || this.queue.length === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.drain()
    }, this.quietMs)
  }

  private async drain(): Promise<void> {
    if (this.draining) return
    this.draining = true
    try {
      while (this.queue.length > 0 && this.isIdle()) {
        await this.turn()
        if (this.queue.length === 0 || !this.isIdle()) break
        await this.runNext()
      }
    } finally {
      this.draining = false
    }
  }

  private async runNext(): Promise<void> {
    const task = this.queue.shift()!
    this.running = true
    try {
      await task()
    } catch {
      // A task is an optimisation: what it failed to prepare, the run that needs it builds and reports.
    }
    this.running = false
    this.onPending(this.pending)
  }
}
