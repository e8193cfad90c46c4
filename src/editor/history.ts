// Undo/redo for the graph: snapshots of the graph file taken after each edit. Text fields keep their own
// native undo because the commands table never handles Ctrl+Z while a text field has focus.

export class GraphHistory {
  private past: string[] = []
  private future: string[] = []
  private current: string | null = null

  constructor(private readonly limit = 100) {}

  /** Starts a fresh history at `snapshot` (after opening a file). */
  reset(snapshot: string): void {
    this.past = []
    this.future = []
    this.current = snapshot
  }

  /** Records the state after an edit; identical snapshots (a click that changed nothing) are ignored. */
  record(snapshot: string): boolean {
    if (snapshot === this.current) return false
    if (this.current !== null) this.past.push(this.current)
    if (this.past.length > this.limit) this.past.shift()
    this.future = []
    this.current = snapshot
    return true
  }

  undo(): string | null {
    const previous = this.past.pop()
    if (previous === undefined || this.current === null) return null
    this.future.push(this.current)
    this.current = previous
    return previous
  }

  redo(): string | null {
    const next = this.future.pop()
    if (next === undefined || this.current === null) return null
    this.past.push(this.current)
    this.current = next
    return next
  }

  /** The snapshot last recorded (or reset to): the graph as it stands when no edit is pending. */
  get latest(): string | null {
    return this.current
  }

  get canUndo(): boolean {
    return this.past.length > 0
  }

  get canRedo(): boolean {
    return this.future.length > 0
  }
}
