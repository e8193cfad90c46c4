// Runs a sweep's cells in grid order on one engine: cells already in the store are reused (resume), each new
// result is stored as soon as it exists (so a cancel keeps it), and progress comes with an ETA.
import { RunCancelledError, type EngineEventListener } from '../engine/index.js'
import { axisLabel, type SweepDefinition } from './definition.js'
import { sweepCells, type SweepCell } from './cells.js'
import { runCell, type CellResult, type SweepEngine } from './run-cell.js'
import type { CellStore } from './store.js'

export interface SweepProgress {
  readonly done: number
  readonly total: number
  /** Cells computed by this call, and cells found in the store. */
  readonly computed: number
  readonly reused: number
  readonly elapsedMs: number
  /** Remaining time at the mean time of the cells computed so far; undefined before the first. */
  readonly etaMs: number | undefined
  /** The cell just finished (computed or reused). */
  readonly cell: SweepCell
}

export interface SweepOutcome {
  readonly cells: readonly SweepCell[]
  /** By cell index; undefined for cells not done (cancelled before them). */
  readonly results: readonly (CellResult | undefined)[]
  readonly computed: number
  readonly reused: number
  readonly cancelled: boolean
}

export interface RunSweepOptions {
  readonly definition: SweepDefinition
  readonly engine: SweepEngine
  readonly store: CellStore
  readonly signal?: AbortSignal
  readonly onProgress?: (progress: SweepProgress) => void
  /** Engine events of each cell's run (node started, step progress, ...). */
  readonly onEvent?: EngineEventListener
  /** What else decides a cell's result besides its graph (e.g. model names mapped to other files); part of each key. */
  readonly keyContext?: string
}

const now = (): number => globalThis.performance?.now() ?? Date.now()

/** "Sampler.steps=4, Hyper-SD LoRA.scale=0.5, seed 43": a cell as people name it, for errors and logs. */
export function describeCell(definition: SweepDefinition, cell: SweepCell): string {
  const values = definition.axes.map((axis, a) => `${axisLabel(definition.graph, axis)}=${String(cell.values[a])}`)
  return [...values, ...(cell.seed !== undefined ? [`seed ${cell.seed}`] : [])].join(', ') || 'the graph'
}

export class SweepCellError extends Error {
  override readonly name = 'SweepCellError'
  constructor(
    readonly cell: SweepCell,
    message: string,
    override readonly cause: unknown,
  ) {
    super(message)
  }
}

/** Mean time of the cells computed so far times the cells still to compute. */
export function estimateRemainingMs(computedMs: readonly number[], remaining: number): number | undefined {
  if (computedMs.length === 0) return remaining === 0 ? 0 : undefined
  return (computedMs.reduce((a, b) => a + b, 0) / computedMs.length) * remaining
}

export async function runSweep(options: RunSweepOptions): Promise<SweepOutcome> {
  const { definition, engine, store, signal } = options
  const cells = sweepCells(definition, engine.registry, options.keyContext)
  const results: (CellResult | undefined)[] = await Promise.all(cells.map((cell) => store.get(cell.key)))
  const reused = results.filter((r) => r !== undefined).length
  const computedMs: number[] = []
  const started = now()
  let done = 0
  const report = (cell: SweepCell) => {
    done++
    const toCompute = results.filter((r) => r === undefined).length
    options.onProgress?.({ done, total: cells.length, computed: computedMs.length, reused, elapsedMs: now() - started, etaMs: estimateRemainingMs(computedMs, toCompute), cell })
  }
  for (const cell of cells) if (results[cell.index]) report(cell)
  for (const cell of cells) {
    if (results[cell.index]) continue
    if (signal?.aborted) return { cells, results, computed: computedMs.length, reused, cancelled: true }
    // The same cell twice in one sweep (a repeated value) is computed once.
    const earlier = await store.get(cell.key)
    let result: CellResult
    if (earlier) result = earlier
    else {
      try {
        result = await runCell(engine, cell, { ...(signal ? { signal } : {}), ...(options.onEvent ? { onEvent: options.onEvent } : {}) })
      } catch (error) {
        if (error instanceof RunCancelledError) return { cells, results, computed: computedMs.length, reused, cancelled: true }
        const message = error instanceof Error ? error.message : String(error)
        throw new SweepCellError(cell, `cell ${cell.index + 1} of ${cells.length} (${describeCell(definition, cell)}): ${message}`, error)
      }
      await store.put(result)
      computedMs.push(result.ms)
    }
    results[cell.index] = result
    report(cell)
  }
  return { cells, results, computed: computedMs.length, reused, cancelled: false }
}
