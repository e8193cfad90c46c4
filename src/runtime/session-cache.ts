// Sessions cached by model key + session options: get-or-create, concurrent requests share one creation, a failed
// creation is forgotten (so a fixed file can be retried), and hit/create counts let tests and the editor check that
// a session was not rebuilt.

import { sessionOptionsKey } from './session-options.js'
import type { InferenceBackend, LazyModelSource, ModelSession, ModelSource, SessionOptions } from './types.js'

export interface SessionCacheStats {
  /** Requests answered by an existing (or in-flight) session. */
  readonly hits: number
  /** Sessions created (including failed attempts). */
  readonly creates: number
  /** Sessions currently held. */
  readonly size: number
}

export class SessionCache {
  private readonly entries = new Map<string, Promise<ModelSession>>()
  private hits = 0
  private creates = 0

  constructor(
    readonly backend: InferenceBackend,
    private readonly defaultOptions?: SessionOptions,
  ) {}

  get stats(): SessionCacheStats {
    return { hits: this.hits, creates: this.creates, size: this.entries.size }
  }

  private cacheKey(modelKey: string, options: SessionOptions | undefined): string {
    return `${modelKey}\u0000${sessionOptionsKey(options)}`
  }

  /** Model keys with a session held or being created. */
  keys(): string[] {
    return [...new Set([...this.entries.keys()].map((k) => k.slice(0, k.indexOf('\u0000'))))]
  }

  has(modelKey: string, options: SessionOptions | undefined = this.defaultOptions): boolean {
    return this.entries.has(this.cacheKey(modelKey, options))
  }

  /** The session for `key`; `load` runs only when no session exists yet (the file is not read on a hit). */
  getOrCreate(key: string, load: () => Promise<ModelSource>, options: SessionOptions | undefined = this.defaultOptions): Promise<ModelSession> {
    const cacheKey = this.cacheKey(key, options)
    const existing = this.entries.get(cacheKey)
    if (existing) {
      this.hits++
      return existing
    }
    this.creates++
    const created = load().then((source) => this.backend.createSession(source, options))
    this.entries.set(cacheKey, created)
    created.catch(() => {
      if (this.entries.get(cacheKey) === created) this.entries.delete(cacheKey)
    })
    return created
  }

  /** Same as getOrCreate for a lazy model or already-loaded source. */
  get(model: LazyModelSource | ModelSource, options: SessionOptions | undefined = this.defaultOptions): Promise<ModelSession> {
    const load = 'load' in model ? () => model.load() : () => Promise.resolve(model)
    return this.getOrCreate(model.key, load, options)
  }

  /** Drops and disposes every session of `modelKey` (any options), e.g. after the file changed. */
  async evict(modelKey: string): Promise<void> {
    const prefix = `${modelKey}\u0000`
    const doomed = [...this.entries].filter(([k]) => k.startsWith(prefix))
    for (const [k] of doomed) this.entries.delete(k)
    await disposeAll(doomed.map(([, session]) => session))
  }

  /** Evicts the sessions of each model key, e.g. those no cached node result uses any more. */
  async release(modelKeys: readonly string[]): Promise<void> {
    await Promise.all(modelKeys.map((key) => this.evict(key)))
  }

  async dispose(): Promise<void> {
    const all = [...this.entries.values()]
    this.entries.clear()
    await disposeAll(all)
  }
}

/** Disposes sessions; a failed creation or a failing release is ignored (there is nothing left to free). */
async function disposeAll(sessions: readonly Promise<ModelSession>[]): Promise<void> {
  await Promise.all(sessions.map((p) => p.then((s) => s.dispose()).catch(() => undefined)))
}
