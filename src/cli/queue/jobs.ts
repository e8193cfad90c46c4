// What travels through the queue. A job is one cell: its id is the cell key (so adding a cell twice is a no-op and
// its result is stored once, as the completed job's return value), its data the whole sweep definition and the
// cell's index (the worker re-derives the cell and checks the key). The return value is the cell's record and PNG.
import { z } from 'zod'
import type { NodeRegistry } from '../../engine/index.js'
import { zodFailure } from '../../graph/parse.js'
import {
  cellFromRecord, cellRecordJson, parseSweepDefinition, sweepCells,
  type CellResult, type SweepCell, type SweepDefinition,
} from '../../sweep/index.js'

const CELL_KEY = /^[0-9a-f]{32}$/

const CellJobDataSchema = z.strictObject({
  /** serializeSweepDefinition's text: workers parse it with the same checks as a sweep.json. */
  definition: z.string().min(1),
  index: z.number().int().nonnegative(),
  key: z.string().regex(CELL_KEY, 'expected a 32-digit hex cell key'),
})
export type CellJobData = z.output<typeof CellJobDataSchema>

const CellJobResultSchema = z.strictObject({
  /** cellRecordJson's text (scores, notes, times). */
  record: z.string().min(1),
  pngBase64: z.string().min(1),
})
export type CellJobResult = z.output<typeof CellJobResultSchema>

/**
 * How long a finished cell stays in Redis for other submitters (a week): BullMQ drops completed and failed jobs
 * older than this as later jobs finish, so a long-lived queue does not grow without bound. Each submitter keeps its
 * own results in its --out folder, so an expired cell costs at most a recomputation.
 */
export const KEEP_FINISHED_SECONDS = 7 * 24 * 3600

/** BullMQ rejects custom ids that read as integers; 32 hex digits never round-trip through parseInt, so keys are safe. */
export const jobIdOf = (key: string): string => key

export function cellJobData(definitionText: string, cell: SweepCell): CellJobData {
  return { definition: definitionText, index: cell.index, key: cell.key }
}

/** A cell shared by a worker whose node versions differ from the submitter's would compute something else. */
export class CellKeyMismatchError extends Error {
  override readonly name = 'CellKeyMismatchError'
}

/** The worker's side: the job's data back into the cell to run (the definition re-validated against its registry). */
export function cellOfJob(jobId: string | undefined, data: unknown, registry: NodeRegistry): { definition: SweepDefinition; cell: SweepCell } {
  const source = `queue job ${jobId ?? '(no id)'}`
  const parsed = CellJobDataSchema.safeParse(data)
  if (!parsed.success) throw zodFailure(parsed.error, source)
  const definition = parseSweepDefinition(parsed.data.definition, registry, `${source} (sweep definition)`)
  const cell = sweepCells(definition, registry)[parsed.data.index]
  if (!cell) throw new Error(`${source}: the sweep has no cell ${parsed.data.index + 1}`)
  if (cell.key !== parsed.data.key || (jobId !== undefined && jobId !== jobIdOf(cell.key))) {
    throw new CellKeyMismatchError(
      `${source}: this worker computes cell key ${cell.key} for cell ${parsed.data.index + 1}, the submitter ${parsed.data.key}: ` +
        'run the same hypersd version on the submitter and every worker',
    )
  }
  return { definition, cell }
}

export function cellJobResult(result: CellResult): CellJobResult {
  return { record: cellRecordJson(result), pngBase64: Buffer.from(result.png).toString('base64') }
}

/** The submitter's side: a completed job's return value back into the cell's result (checked to be for `key`). */
export function resultOfJob(key: string, returnvalue: unknown): CellResult {
  const source = `queue job ${jobIdOf(key)} (result)`
  const parsed = CellJobResultSchema.safeParse(returnvalue)
  if (!parsed.success) throw zodFailure(parsed.error, source)
  return cellFromRecord(key, parsed.data.record, new Uint8Array(Buffer.from(parsed.data.pngBase64, 'base64')), source)
}
