// Sessions cached by model key + session options: get-or-create, concurrent requests share one creation, a failed
// creation is forgotten (so a fixed file can be retried), and hit/create counts let tests and the editor check that
// a session was not rebuilt. Where the backend states its memory, the least recently used idle sessions are evicted
// before a new one is created that would not fit next to them.

import { loaderFor } from './loader.js'
import { modelFileBytes } from './preflight.js'
import { sessionOptionsKey } from './session-options.js'
import type { InferenceBackend, LazyModelSource, LoadRoute, ModelLoader, ModelSession, ModelSource, SessionMemory, SessionOptions } from './types.js'

export interface SessionCacheStats {
  /** Requests answered by an existing (or in-flight) session. */
  readonly hits: number
  /** Sessions created (including failed attempts). */
  readonly creates: number
  /** Sessions currently held. */
  readonly size: number
  /** Sessions evicted to make room for another. */
  readonly evictions: number
}

interface Entry {
  readonly session: Promise<ModelSession>
  /** Estimated memory, known once the model's bytes are. */
  bytes: number
  lastUsed: number
  /** Runs in flight: a busy session is never evicted. */
  busy: number
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>()
  private hits = 0
  private creates = 0
  private evictions = 0
  private clock = 0

  constructor(
    readonly backend: InferenceBackend,
    private readonly defaultOptions?: SessionOptions,
    private readonly memory: SessionMemory | undefined = backend.memory,
  ) {}

  get stats(): SessionCacheStats {
    return { hits: this.hits, creates: this.creates, size: this.entries.size, evictions: this.evictions }
  }

  /** Estimated bytes of the sessions held. */
  get heldBytes(): number {
    return [...this.entries.values()].reduce((sum, e) => sum + e.bytes, 0)
  }

  private cacheKey(modelKey: string, options: SessionOptions | undefined): string {
    return `${modelKey}\u0000${sessionOptionsKey(options)}`
  }

  /** Model keys with a session held or being created, least recently used first. */
  keys(): string[] {
    const byUse = [...this.entries].sort((a, b) => a[1].lastUsed - b[1].lastUsed)
    return [...new Set(byUse.map(([k]) => k.slice(0, k.indexOf('\u0000'))))]
  }

  has(modelKey: string, options: SessionOptions | undefined = this.defaultOptions): boolean {
    return this.entries.has(this.cacheKey(modelKey, options))
  }

  /** The session for `key`; `load` runs only when no session exists yet (the file is not read on a hit). */
  getOrCreate(key: string, load: ModelLoader, options: SessionOptions | undefined = this.defaultOptions): Promise<ModelSession> {
    const cacheKey = this.cacheKey(key, options)
    const existing = this.entries.get(cacheKey)
    if (existing) {
      this.hits++
      existing.lastUsed = ++this.clock
      return existing.session
    }
    this.creates++
    // The callback runs after this function returns, when `entry` exists.
    const created = this.create(key, load, options, async (fileBytes, route) => {
      if (!this.memory) return
      entry.bytes = this.memory.estimate(fileBytes, route)
      await this.makeRoom(entry.bytes, cacheKey)
    }).then((session) => this.track(entry, session))
    const entry: Entry = { session: created, bytes: 0, lastUsed: ++this.clock, busy: 0 }
    this.entries.set(cacheKey, entry)
    created.catch(() => {
      if (this.entries.get(cacheKey) === entry) this.entries.delete(cacheKey)
    })
    return created
  }

  /** Same as getOrCreate for a lazy model or already-loaded source. */
  get(model: LazyModelSource | ModelSource, options: SessionOptions | undefined = this.defaultOptions): Promise<ModelSession> {
    const load = 'load' in model ? loaderFor(model) : () => Promise.resolve(model)
    return this.getOrCreate(model.key, load, options)
  }

  /**
   * A new session: from the local file when the backend can open one (no JS copy of the bytes), else from the
   * bytes `load` reads, after the preflight judged the file sizes, so a refusal never costs a multi-gigabyte read.
   */
  private async create(
    key: string,
    load: ModelLoader,
    options: SessionOptions | undefined,
    reserve: (fileBytes: number, route: LoadRoute) => Promise<void>,
  ): Promise<ModelSession> {
    const route: LoadRoute = this.backend.createSessionFromFile && load.localFile ? 'file' : !load.rewrites ? 'bytes' : load.rewrites.withDeltas ? 'build-with-deltas' : 'build'
    const knownBytes = load.fileBytes ? await load.fileBytes() : undefined
    const refused = knownBytes !== undefined ? this.backend.refusal?.(key, knownBytes, options, route) : undefined
    if (refused) throw refused
    const file = route === 'file' ? await load.localFile!() : undefined
    if (file) {
      await reserve(file.bytes, 'file')
      return this.backend.createSessionFromFile!(key, file, options)
    }
    const source = await load()
    await reserve(modelFileBytes(source), route)
    return this.backend.createSession(source, options)
  }

  /** Counts the session's runs in flight, so eviction leaves it alone while it computes. */
  private track(entry: Entry, session: ModelSession): ModelSession {
    const busy = async <T>(work: () => Promise<T>): Promise<T> => {
      entry.busy++
      entry.lastUsed = ++this.clock
      try {
        return await work()
      } finally {
        entry.busy--
      }
    }
    const resident = session.runResident
    return {
      backend: session.backend,
      ...(session.notice ? { notice: session.notice } : {}),
      inputs: session.inputs,
      outputs: session.outputs,
      run: (feeds, outputNames) => busy(() => session.run(feeds, outputNames)),
      ...(resident ? { runResident: (feeds, outputNames) => busy(() => resident.call(session, feeds, outputNames)) } : {}),
      dispose: () => session.dispose(),
    }
  }

  /** Evicts least recently used idle sessions until `needed` more bytes fit in the backend's memory. */
  private async makeRoom(needed: number, forKey: string): Promise<void> {
    const limit = this.memory!.bytes
    const candidates = [...this.entries]
      .filter(([k, e]) => k !== forKey && e.busy === 0 && e.bytes > 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed)
    const doomed: Promise<ModelSession>[] = []
    let held = this.heldBytes - (this.entries.get(forKey)?.bytes ?? 0)
    for (const [k, e] of candidates) {
      if (held + needed <= limit) break
      this.entries.delete(k)
      this.evictions++
      held -= e.bytes
      doomed.push(e.session)
    }
    // Freed before the new model is handed to onnxruntime, so the two never coexist.
    await disposeAll(doomed)
  }

  /** Drops and disposes every session of `modelKey` (any options), e.g. after the file changed. */
  async evict(modelKey: string): Promise<void> {
    const prefix = `${modelKey}\u0000`
    const doomed = [...this.entries].filter(([k]) => k.startsWith(prefix))
    for (const [k] of doomed) this.entries.delete(k)
    await disposeAll(doomed.map(([, entry]) => entry.session))
  }

  /** Evicts the sessions of each model key, e.g. those no cached node result uses any more. */
  async release(modelKeys: readonly string[]): Promise<void> {
    await Promise.all(modelKeys.map((key) => this.evict(key)))
  }

  async dispose(): Promise<void> {
    const all = [...this.entries.values()].map((e) => e.session)
    this.entries.clear()
    await disposeAll(all)
  }
}

/** Disposes sessions; a failed creation or a failing release is ignored (there is nothing left to free). */
async function disposeAll(sessions: readonly Promise<ModelSession>[]): Promise<void> {
  await Promise.all(sessions.map((p) => p.then((s) => s.dispose()).catch(() => undefined)))
}
