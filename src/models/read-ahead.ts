// Reading a pipeline's model files ahead of the nodes that need them. A graph's models are otherwise fetched one after
// another as each node first asks for its session, with the worker idle between requests while the bytes arrive: the
// UNet's fetch waited for the text encoder's session and run. Read ahead, they arrive in order, back to back, while
// the worker builds the sessions of those before them. A read ahead is only a hint: unclaimed bytes are dropped after
// a while, files too large to hold in memory twice are left for their own read, and a failed read ahead is retried by
// the real read, which reports the error.

export type ProgressListener = (loaded: number, total: number) => void

export interface ReadAheadLimits {
  /** Larger files are not read ahead (their own read streams them into place once). */
  readonly maxFileBytes: number
  /** Bytes read ahead and not yet claimed, at most. */
  readonly maxHeldBytes: number
  /** Unclaimed bytes are dropped this long after they arrived. */
  readonly keepMs: number
}

export const DEFAULT_READ_AHEAD_LIMITS: ReadAheadLimits = { maxFileBytes: 256 * 1024 * 1024, maxHeldBytes: 512 * 1024 * 1024, keepMs: 60_000 }

export interface ReadAheadSource {
  size(path: string): Promise<number | undefined>
  readBytes(path: string, onProgress?: ProgressListener): Promise<Uint8Array>
}

interface Pending {
  /** The file's size, asked for as soon as the read ahead is: the read can then start the moment its turn comes. */
  readonly size: Promise<number | undefined>
  /** The bytes, or undefined when this file was not read ahead (too large, unknown size, or the read failed). */
  bytes: Promise<Uint8Array | undefined>
  /** Progress of the read so far, replayed to the reader that claims it. */
  last?: [number, number]
  listener?: ProgressListener
  dropTimer?: ReturnType<typeof setTimeout>
  held: number
}

export class ReadAhead {
  private readonly pending = new Map<string, Pending>()
  /** Files are read one at a time, in the order asked, so the first one needed arrives first (sizes all at once). */
  private queue: Promise<unknown> = Promise.resolve()
  private held = 0

  constructor(
    private readonly source: ReadAheadSource,
    private readonly limits: ReadAheadLimits = DEFAULT_READ_AHEAD_LIMITS,
  ) {}

  /** Starts reading `paths` (in order, after any asked before) unless already read ahead or pending. */
  start(paths: readonly string[]): void {
    for (const path of paths) {
      if (this.pending.has(path)) continue
      const entry: Pending = { size: this.source.size(path).catch(() => undefined), bytes: Promise.resolve(undefined), held: 0 }
      entry.bytes = this.queue.then(() => this.read(path, entry))
      this.queue = entry.bytes
      this.pending.set(path, entry)
    }
  }

  private async read(path: string, entry: Pending): Promise<Uint8Array | undefined> {
    if (this.pending.get(path) !== entry) return undefined // claimed before its turn: the claimer reads it itself
    try {
      const size = await entry.size
      if (size === undefined || size > this.limits.maxFileBytes || this.held + size > this.limits.maxHeldBytes) return undefined
      this.held += entry.held = size
      const bytes = await this.source.readBytes(path, (loaded, total) => {
        entry.last = [loaded, total]
        entry.listener?.(loaded, total)
      })
      if (this.pending.get(path) === entry) entry.dropTimer = setTimeout(() => this.drop(path, entry), this.limits.keepMs)
      else this.release(entry)
      return bytes
    } catch {
      this.release(entry)
      return undefined
    }
  }

  private release(entry: Pending): void {
    this.held -= entry.held
    entry.held = 0
  }

  private drop(path: string, entry: Pending): void {
    if (this.pending.get(path) !== entry) return
    this.pending.delete(path)
    this.release(entry)
  }

  /**
   * The bytes read ahead for `path` (waiting for a read under way, with its progress passed on), or undefined when
   * there are none: the caller then reads the file itself. A file is claimed once.
   */
  async claim(path: string, onProgress?: ProgressListener): Promise<Uint8Array | undefined> {
    const entry = this.pending.get(path)
    if (!entry) return undefined
    this.pending.delete(path)
    if (entry.dropTimer !== undefined) clearTimeout(entry.dropTimer)
    if (onProgress) {
      entry.listener = onProgress
      if (entry.last) onProgress(...entry.last)
    }
    const bytes = await entry.bytes
    this.release(entry)
    return bytes
  }

  /** The size of a file being read ahead or held (known once its read began), so asking it costs no request. */
  knownSize(path: string): number | undefined {
    const held = this.pending.get(path)?.held
    return held ? held : undefined
  }
}
