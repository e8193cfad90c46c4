// Small files read once and shared by the readers that follow. A LoRA is opened by every model it may patch: the
// text encoder's build reads the whole file to learn that a UNet-only LoRA leaves it alone, and the UNet's build then
// read it again (0.1-0.15 s each for the bundled 1.2 MB LoRA, on the first image's critical path). Files above the
// limit are never held: a real LoRA (0.27-0.79 GB) is read by each build as before.

interface Entry {
  readonly bytes: Promise<Uint8Array>
  /** Bytes held once the read has arrived; 0 while it is in flight. */
  size: number
}

export class SmallFileMemo {
  private readonly entries = new Map<string, Entry>()
  private held = 0

  /** `maxBytes`: the most bytes held in all, and so the largest file kept. */
  constructor(private readonly maxBytes: number) {}

  /** The bytes of `key`: a held or in-flight read of it, else `load()`, kept when it fits. A failed read is not kept. */
  read(key: string, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.entries.get(key)
    if (hit) {
      // Most recently used last: eviction starts from the front.
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit.bytes
    }
    const entry: Entry = { bytes: load(), size: 0 }
    this.entries.set(key, entry)
    entry.bytes.then(
      (bytes) => {
        if (this.entries.get(key) !== entry) return
        if (bytes.byteLength > this.maxBytes) {
          this.entries.delete(key)
          return
        }
        entry.size = bytes.byteLength
        this.held += bytes.byteLength
        this.evictOver(this.maxBytes)
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key)
      },
    )
    return entry.bytes
  }

  /** Bytes held now (arrived reads only). */
  get heldBytes(): number {
    return this.held
  }

  private evictOver(limit: number): void {
    for (const [name, entry] of this.entries) {
      if (this.held <= limit) return
      if (entry.size === 0) continue // in flight: its bytes are not held yet
      this.entries.delete(name)
      this.held -= entry.size
    }
  }
}
