// Wraps a SessionProvider to record, per run, which model sessions were created and which were reused
// (the LoRA live mode must reuse the UNet session when only a scale changes).
import type { BackgroundSessions, SessionProvider } from '../../nodes/services.js'
import type { SessionCache } from '../runtime/session-cache.js'
import { withHintsOf } from '../runtime/loader.js'
import type { ModelLoader, ModelSession } from '../runtime/types.js'
import type { SessionStats } from './protocol.js'

export interface SessionCreateListener {
  started?(key: string): void
  ended?(key: string): void
}

export class CountingSessions implements SessionProvider {
  private created: string[] = []
  private reused: string[] = []

  private released: string[] = []
  private backgroundCreated: string[] = []

  constructor(
    private readonly inner: SessionProvider & Pick<SessionCache, 'release' | 'has'>,
    /** Told when a session is really built from its model (not served from the cache): before the read, and once built or failed. */
    private readonly onCreate: SessionCreateListener = {},
  ) {}

  /** Frees the sessions of these model keys (no cached node result uses them any more). */
  async release(keys: readonly string[]): Promise<void> {
    this.released.push(...keys)
    await this.inner.release(keys)
  }

  has(key: string): boolean {
    return this.inner.has(key)
  }

  /**
   * The same sessions for idle work: what it builds and frees is kept apart (takeBackground), so a run that starts
   * while a background session is being built does not count that session as its own.
   */
  background(): BackgroundSessions {
    return {
      has: (key) => this.inner.has(key),
      release: (keys) => this.inner.release(keys),
      getOrCreate: (key, load) => this.counted(key, load, this.backgroundCreated),
    }
  }

  /** Sessions built by background work since the last call. */
  takeBackground(): string[] {
    const created = this.backgroundCreated
    this.backgroundCreated = []
    return created
  }

  getOrCreate(key: string, load: ModelLoader): Promise<ModelSession> {
    return this.counted(key, load)
  }

  /** A session built here goes into `createdInto` (background work's list), else into the run's. */
  private async counted(key: string, load: ModelLoader, createdInto?: string[]): Promise<ModelSession> {
    let loaded = false
    const counted = withHintsOf(load, () => {
      loaded = true
      this.onCreate.started?.(key)
      return load()
    })
    const session = await this.inner.getOrCreate(key, counted).finally(() => {
      if (loaded) this.onCreate.ended?.(key)
    })
    // Background work's sessions are its own; its hits on existing sessions are nobody's.
    if (loaded) (createdInto ?? this.created).push(key)
    else if (!createdInto) this.reused.push(key)
    return session
  }

  /** Returns the stats gathered since the last call and starts counting afresh. */
  take(): SessionStats {
    const stats = { created: this.created, reused: this.reused, released: this.released }
    this.created = []
    this.reused = []
    this.released = []
    return stats
  }
}
