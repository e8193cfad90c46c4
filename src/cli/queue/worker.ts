// The worker's side of queued sweeps: a BullMQ Worker whose processor runs each cell on an engine of this process
// (so the text encoder, sessions and unchanged nodes stay cached across the cells it gets) and returns the
// cell's record and PNG as the job's return value.
import { UnrecoverableError, Worker, type Job } from 'bullmq'
import type { NodeRegistry } from '../../engine/index.js'
import { runCell, type SweepEngine } from '../../sweep/index.js'
import { SWEEP_QUEUE_NAME, type QueueAddress } from './connection.js'
import { CellKeyMismatchError, cellJobResult, cellOfJob, definitionRedisKey, DefinitionMissingError, type CellJobData, type ParsedDefinitions, type CellJobResult } from './jobs.js'

export interface CellWorkerOptions {
  readonly address: QueueAddress
  readonly registry: NodeRegistry
  /** One engine per concurrent cell: a cell holds its engine (runs on one engine are serialised anyway). */
  readonly engines: readonly SweepEngine[]
  /**
   * How long a cell's lock lives without renewal, and how often workers look for cells whose worker died. A killed
   * worker's cell is retried after about this long (up to twice it); too short, and a worker whose event loop is
   * blocked longer (a big synchronous decode) loses its lock and the cell runs twice (harmless: same key, same result).
   */
  readonly stalledMs: number
  readonly log: (line: string) => void
}

/** A cell whose worker died this many times fails instead of taking down the next worker too. */
const MAX_STALLED = 2

export function startCellWorker(options: CellWorkerOptions): Worker<CellJobData, CellJobResult> {
  const free = [...options.engines]
  const parsed: ParsedDefinitions = new Map()
  const definitions = async (id: string): Promise<string | null> => (await worker.client).get(definitionRedisKey(id))
  const processCell = async (job: Job<CellJobData, CellJobResult>): Promise<CellJobResult> => {
    let cell
    try {
      cell = (await cellOfJob(job.id, job.data, options.registry, definitions, parsed)).cell
    } catch (error) {
      // Another worker would fail the same way: no retry.
      if (error instanceof CellKeyMismatchError || error instanceof DefinitionMissingError) throw new UnrecoverableError(error.message)
      throw error
    }
    const engine = free.pop()
    if (!engine) throw new Error('no free engine: concurrency exceeds the engines created')
    const started = performance.now()
    options.log(`cell ${cell.key} started (cell ${cell.index + 1}, attempt ${job.attemptsStarted}, stalled ${job.stalledCounter})`)
    try {
      const result = await runCell(engine, cell)
      options.log(`cell ${cell.key} done in ${Math.round(performance.now() - started)} ms`)
      return cellJobResult(result)
    } catch (error) {
      options.log(`cell ${cell.key} failed: ${error instanceof Error ? error.message : String(error)}`)
      throw error
    } finally {
      free.push(engine)
    }
  }
  const worker = new Worker<CellJobData, CellJobResult>(SWEEP_QUEUE_NAME, processCell, {
    connection: options.address.connection,
    concurrency: options.engines.length,
    lockDuration: options.stalledMs,
    stalledInterval: options.stalledMs,
    maxStalledCount: MAX_STALLED,
  })
  worker.on('error', (error) => options.log(`queue error: ${error.message}`))
  return worker
}
