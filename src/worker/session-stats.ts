// Wraps a SessionProvider to record, per run, which model sessions were created and which were reused
// (the LoRA live mode must reuse the UNet session when only a scale changes).
import type { SessionProvider } from '../../nodes/services.js'
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

  constructor(
    private readonly inner: SessionProvider & Pick<SessionCache, 'release'>,
    /** Told when a session is really built from its model (not served from the cache): before the read, and once built or failed. */
    private readonly onCreate: SessionCreateListener = {},
  ) {}

  /** Frees the sessions of these model keys (no cached node result uses them any more). */
  async release(keys: readonly string[]): Promise<void> {
    this.released.push(...keys)
    await this.inner.release(keys)
  }

  async getOrCreate(key: string, load: ModelLoader): Promise<ModelSession> {
    let loaded = false
    const counted = withHintsOf(load, () => {
      loaded = true
      this.onCreate.started?.(key)
      return load()
    })
    const session = await this.inner.getOrCreate(key, counted).finally(() => {
      if (loaded) this.onCreate.ended?.(key)
    })
    ;(loaded ? this.created : this.reused).push(key)
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
