// The worker's side of a sweep: every cell runs through runSweep on the engine normal runs use (so its cache is
// shared: the text encoder runs once, a live LoRA scale change builds no session), results go to an IndexedDB
// cell store as they finish, and each finished cell is posted to the UI thread with the progress and ETA.
import { parseSweepDefinition } from '../sweep/definition.js'
import { runSweep } from '../sweep/sweep.js'
import { cellRecordJson, type CellStore } from '../sweep/store.js'
import type { CellResult, SweepEngine } from '../sweep/run-cell.js'
import type { SessionStats } from './protocol.js'
import type { SweepFromWorker, SweepToWorker } from './sweep-protocol.js'
import { IndexedDbCellStore } from './sweep-cell-db.js'

export interface SweepHostDeps {
  engine(): SweepEngine | undefined
  /** Session stats since the last take (shared with normal runs: a run during a sweep takes its own part). */
  takeSessions(): SessionStats
  beginRun(runId: string, graphJson: string): void
  post(message: SweepFromWorker): void
  /** Told when a sweep has ended (the engine may be idle now). */
  ended?(): void
}

/** Remembers the results the store hands out or takes in, so a progress report can carry its cell's result. */
class RememberingStore implements CellStore {
  readonly seen = new Map<string, CellResult>()
  constructor(private readonly inner: CellStore) {}

  async get(key: string): Promise<CellResult | undefined> {
    const result = this.seen.get(key) ?? (await this.inner.get(key))
    if (result) this.seen.set(key, result)
    return result
  }

  async put(result: CellResult): Promise<void> {
    this.seen.set(result.key, result)
    await this.inner.put(result)
  }
}

export function createSweepHost(deps: SweepHostDeps, cellStore: () => CellStore = () => new IndexedDbCellStore()) {
  const running = new Map<string, AbortController>()

  async function run(message: Extract<SweepToWorker, { type: 'sweep-run' }>): Promise<void> {
    const { sweepId } = message
    const engine = deps.engine()
    if (!engine) {
      deps.post({ type: 'sweep-error', sweepId, message: 'The engine is not ready' })
      return
    }
    const controller = new AbortController()
    running.set(sweepId, controller)
    const created: string[] = []
    const reusedSessions: string[] = []
    const released: string[] = []
    const collect = (): void => {
      const stats = deps.takeSessions()
      created.push(...stats.created)
      reusedSessions.push(...stats.reused)
      released.push(...stats.released)
    }
    deps.takeSessions()
    try {
      const definition = parseSweepDefinition(message.definitionJson, engine.registry, 'sweep')
      const store = new RememberingStore(cellStore())
      // Images the cells' Save Image nodes emit carry this run id; the UI keeps them out of the gallery.
      deps.beginRun(`sweep-${sweepId}`, JSON.stringify(definition.graph))
      const outcome = await runSweep({
        definition,
        engine,
        store,
        signal: controller.signal,
        onProgress: (progress) => {
          collect()
          const result = store.seen.get(progress.cell.key)
          if (!result) return
          const reusedCell = progress.done <= progress.reused
          deps.post({
            type: 'sweep-progress',
            sweepId,
            done: progress.done,
            total: progress.total,
            computed: progress.computed,
            reused: progress.reused,
            etaMs: progress.etaMs,
            cell: { index: progress.cell.index, record: cellRecordJson(result), png: result.png, reused: reusedCell },
          })
        },
      })
      collect()
      deps.post({ type: 'sweep-done', sweepId, cancelled: outcome.cancelled, computed: outcome.computed, reused: outcome.reused, sessions: { created, reused: reusedSessions, released } })
    } catch (error) {
      deps.post({ type: 'sweep-error', sweepId, message: error instanceof Error ? error.message : String(error) })
    } finally {
      running.delete(sweepId)
      deps.ended?.()
    }
  }

  return {
    /** Whether a sweep is running. */
    get busy(): boolean {
      return running.size > 0
    },
    handle(message: SweepToWorker): void {
      if (message.type === 'sweep-run') void run(message)
      else running.get(message.sweepId)?.abort()
    },
  }
}
