// Wraps a SessionProvider to record, per run, which model sessions were created and which were reused
// (the LoRA live mode must reuse the UNet session when only a scale changes).
import type { SessionProvider } from '../../nodes/services.js'
import type { ModelSession, ModelSource } from '../runtime/types.js'
import type { SessionStats } from './protocol.js'

export class CountingSessions implements SessionProvider {
  private created: string[] = []
  private reused: string[] = []

  constructor(private readonly inner: SessionProvider) {}

  async getOrCreate(key: string, load: () => Promise<ModelSource>): Promise<ModelSession> {
    let loaded = false
    const session = await this.inner.getOrCreate(key, () => {
      loaded = true
      return load()
    })
    ;(loaded ? this.created : this.reused).push(key)
    return session
  }

  /** Returns the stats gathered since the last call and starts counting afresh. */
  take(): SessionStats {
    const stats = { created: this.created, reused: this.reused }
    this.created = []
    this.reused = []
    return stats
  }
}
