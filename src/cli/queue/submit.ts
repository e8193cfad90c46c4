// `hypersd sweep --queue URL`: every cell not yet in --out becomes a BullMQ job keyed by the cell (adding one that
// exists is a no-op), results are collected as workers finish them and stored in --out as they arrive, and the
// outcome is in grid order whatever order workers finish in. Restarting re-adds only missing jobs: cells already
// completed in Redis are collected, jobs still queued or running are waited for, failed ones are retried.
import { Queue, QueueEvents, type Job } from 'bullmq'
import type { NodeRegistry } from '../../engine/index.js'
import {
  describeCell, serializeSweepDefinition, sweepCells, SweepCellError,
  type CellResult, type CellStore, type SweepCell, type SweepDefinition, type SweepOutcome, type SweepProgress,
} from '../../sweep/index.js'
import { SWEEP_QUEUE_NAME, probeQueue, type QueueAddress } from './connection.js'
import { cellJobData, definitionId, definitionRedisKey, jobIdOf, KEEP_FINISHED_SECONDS, resultOfJob, type CellJobData, type CellJobResult } from './jobs.js'

export interface QueuedSweepOptions {
  readonly definition: SweepDefinition
  readonly registry: NodeRegistry
  readonly address: QueueAddress
  /** The submitter's own copy of results (--out/cells): checked first, and filled as results arrive. */
  readonly store: CellStore
  readonly signal?: AbortSignal
  readonly onProgress?: (progress: SweepProgress) => void
  /** One-line notes for the user (how many jobs were added, that no worker is connected, ...). */
  readonly onNote?: (text: string) => void
}

/**
 * The submitter gives up when Redis stays unreachable (about 11 s of reconnecting, then the command fails and can be
 * run again to resume); workers, in contrast, keep reconnecting for as long as they live.
 */
const RECONNECT_ATTEMPTS = 10
const submitterRetry = (attempt: number): number | null => (attempt > RECONNECT_ATTEMPTS ? null : Math.min(attempt * 200, 2000))

type CellJob = Job<CellJobData, CellJobResult>

const now = (): number => performance.now()

/** Resolves when `signal` aborts (never without one). */
function aborted(signal: AbortSignal | undefined): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (!signal) return
    if (signal.aborted) resolve('aborted')
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true })
  })
}

export async function runQueuedSweep(options: QueuedSweepOptions): Promise<SweepOutcome> {
  const { definition, store, address, signal } = options
  const cells = sweepCells(definition, options.registry)
  const results: (CellResult | undefined)[] = await Promise.all(cells.map((cell) => store.get(cell.key)))
  let reused = results.filter((r) => r !== undefined).length
  let computed = 0
  let done = 0
  const started = now()
  const report = (cell: SweepCell) => {
    done++
    const remaining = cells.length - done
    // Workers run in parallel: the rate is cells finished per wall-clock time, not the mean time of one cell.
    const etaMs = computed === 0 ? (remaining === 0 ? 0 : undefined) : ((now() - started) / computed) * remaining
    options.onProgress?.({ done, total: cells.length, computed, reused, elapsedMs: now() - started, etaMs, cell })
  }
  for (const cell of cells) if (results[cell.index]) report(cell)
  // A value repeated on an axis gives the same cell twice: one job, its result used at every index.
  const missing = new Map<string, SweepCell[]>()
  for (const cell of cells) if (!results[cell.index]) missing.set(cell.key, [...(missing.get(cell.key) ?? []), cell])
  if (missing.size === 0) return { cells, results, computed, reused, cancelled: false }

  await probeQueue(address)
  const connection = { ...address.connection, retryStrategy: submitterRetry, connectTimeout: 5000 }
  const queue = new Queue<CellJobData, CellJobResult>(SWEEP_QUEUE_NAME, { connection })
  const events = new QueueEvents(SWEEP_QUEUE_NAME, { connection })
  // Connection errors surface through the awaited calls below; unheard, the emitters would print each retry.
  queue.on('error', () => undefined)
  events.on('error', () => undefined)
  try {
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()])
    } catch (error) {
      throw new Error(`--queue ${address.display}: cannot reach Redis (${error instanceof Error ? error.message : String(error)}); is redis-server running and reachable?`)
    }
    const definitionText = serializeSweepDefinition(definition)
    // Stored once for all the sweep's jobs (and refreshed on every submit, so it outlives the jobs that need it).
    await (await queue.client).set(definitionRedisKey(definitionId(definitionText)), definitionText, 'EX', KEEP_FINISHED_SECONDS)
    const jobs = new Map<string, CellJob>()
    const toAdd: SweepCell[] = []
    let retried = 0
    for (const [key, [cell]] of missing) {
      const existing = (await queue.getJob(jobIdOf(key))) as CellJob | undefined
      if (!existing) toAdd.push(cell!)
      else {
        if ((await existing.getState()) === 'failed') {
          await existing.retry('failed')
          retried++
        }
        jobs.set(key, existing)
      }
    }
    // Results are the completed jobs' return values: they stay in Redis (for KEEP_FINISHED_SECONDS) so a cell is
    // computed once, however many submitters ask for it. Attempts: 1, since a cell that throws throws again;
    // a worker that dies is the stalled-job check's business (see worker.ts).
    const added = await queue.addBulk(
      toAdd.map((cell) => ({ name: 'cell', data: cellJobData(definitionText, cell), opts: { jobId: jobIdOf(cell.key), attempts: 1, removeOnComplete: { age: KEEP_FINISHED_SECONDS }, removeOnFail: { age: KEEP_FINISHED_SECONDS } } })),
    )
    for (const job of added) jobs.set(job.data.key, job)
    const workers = await queue.getWorkersCount()
    const open = (await Promise.all([...jobs.values()].map((job) => job.getState()))).filter((state) => state !== 'completed').length
    const noWorker = open > 0 && workers === 0 ? '; no worker is connected yet: start `hypersd worker --queue URL` on each GPU host' : ''
    options.onNote?.(
      `queue ${address.display}: ${toAdd.length} cells added, ${missing.size - toAdd.length} already there${retried ? ` (${retried} failed ones retried)` : ''}, ` +
        `${open} to compute, ${workers} worker${workers === 1 ? '' : 's'} connected${noWorker}`,
    )

    const collect = async (key: string, job: CellJob): Promise<void> => {
      const wasDone = (await job.getState()) === 'completed'
      try {
        await job.waitUntilFinished(events)
      } catch (error) {
        if (signal?.aborted) return
        const cell = missing.get(key)![0]!
        const message = error instanceof Error ? error.message : String(error)
        throw new SweepCellError(cell, `cell ${cell.index + 1} of ${cells.length} (${describeCell(definition, cell)}), queue job ${job.id}: ${message}`, error)
      }
      // The event carries the return value too, but the stored job is the one source of truth.
      const finished = (await queue.getJob(job.id!)) as CellJob | undefined
      if (signal?.aborted) return
      if (!finished) throw new Error(`queue job ${job.id}: completed but no longer in Redis (was the queue cleared?)`)
      const result = resultOfJob(key, finished.returnvalue)
      await store.put(result)
      if (wasDone) reused++
      else computed++
      for (const cell of missing.get(key)!) {
        results[cell.index] = result
        report(cell)
      }
    }
    // Each waiting job listens for the queue closing: one listener per cell, more than EventEmitter's default 10.
    queue.setMaxListeners(jobs.size + 10)
    const all = Promise.all([...jobs].map(([key, job]) => collect(key, job))).then(() => 'done' as const)
    // After a cancel, closing the queue rejects what is still in flight: nobody awaits it any more.
    all.catch(() => undefined)
    // Cancelling leaves the jobs queued: workers finish them, and the same command collects them later.
    const ended = await Promise.race([all, aborted(signal)])
    return { cells, results, computed, reused, cancelled: ended === 'aborted' }
  } finally {
    // BullMQ's waitUntilFinished checks the job from a promise nobody can await, which rejects with "Connection is
    // closed" when a cancel closes the queue under it; that is the cancel working, not a crash.
    if (signal?.aborted) process.on('unhandledRejection', ignoreClosedConnection)
    await Promise.allSettled([events.close(), queue.close()])
  }
}

function ignoreClosedConnection(reason: unknown): void {
  if (reason instanceof Error && reason.message === 'Connection is closed.') return
  throw reason
}
