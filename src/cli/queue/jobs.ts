// What travels through the queue. A job is one cell: its id is the cell key (so adding a cell twice is a no-op and
// its result is stored once, as the completed job's return value), its data the id of the sweep definition and the
// cell's index (the worker re-derives the cell and checks the key). The definition itself is stored once in Redis
// under its sha256, not copied into every job; workers read and parse it once per sweep. The return value is the
// cell's record and PNG.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { NodeRegistry } from '../../engine/index.js'
import { zodFailure } from '../../graph/parse.js'
import {
  cellFromRecord, cellRecordJson, parseSweepDefinition, sweepCells,
  type CellResult, type SweepCell, type SweepDefinition,
} from '../../sweep/index.js'

const CELL_KEY = /^[0-9a-f]{32}$/

const DEFINITION_ID = /^[0-9a-f]{64}$/

const CellJobDataSchema = z.strictObject({
  /** The sha256 of serializeSweepDefinition's text, stored at definitionRedisKey(id). */
  definition: z.string().regex(DEFINITION_ID, 'expected the 64-digit sha256 of a sweep definition'),
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

/** The id a definition text is stored under: its sha256, so the same sweep submitted twice shares one copy. */
export function definitionId(definitionText: string): string {
  return createHash('sha256').update(definitionText).digest('hex')
}

/** Where a definition text lives in Redis (beside BullMQ's own keys, expiring with the results). */
export const definitionRedisKey = (id: string): string => `hypersd-sweep:definition:${id}`

export function cellJobData(definitionText: string, cell: SweepCell): CellJobData {
  return { definition: definitionId(definitionText), index: cell.index, key: cell.key }
}

/** The worker's definitions, parsed once each: the text as Redis holds it, by id. */
export type DefinitionSource = (id: string) => Promise<string | null>

/** Definitions a worker has parsed, with their cells, by id. */
export type ParsedDefinitions = Map<string, { readonly definition: SweepDefinition; readonly cells: readonly SweepCell[] }>

/** A definition gone from Redis (expired, or the database cleared): every cell of that sweep fails the same way. */
export class DefinitionMissingError extends Error {
  override readonly name = 'DefinitionMissingError'
}

/** A cell shared by a worker whose node versions differ from the submitter's would compute something else. */
export class CellKeyMismatchError extends Error {
  override readonly name = 'CellKeyMismatchError'
}

/**
 * The worker's side: the job's data back into the cell to run, the definition read through `definitions` and
 * re-validated against this worker's registry. Parsed definitions are kept (a few sweeps' worth) in `parsed`.
 */
export async function cellOfJob(
  jobId: string | undefined,
  data: unknown,
  registry: NodeRegistry,
  definitions: DefinitionSource,
  parsed: ParsedDefinitions = new Map(),
): Promise<{ definition: SweepDefinition; cell: SweepCell }> {
  const source = `queue job ${jobId ?? '(no id)'}`
  const checked = CellJobDataSchema.safeParse(data)
  if (!checked.success) throw zodFailure(checked.error, source)
  const id = checked.data.definition
  let entry = parsed.get(id)
  if (!entry) {
    const text = await definitions(id)
    if (text === null) throw new DefinitionMissingError(`${source}: its sweep definition ${id.slice(0, 12)}… is no longer in Redis (expired or cleared): submit the sweep again`)
    if (definitionId(text) !== id) throw new Error(`${source}: the sweep definition stored as ${id.slice(0, 12)}… does not match its sha256`)
    const definition = parseSweepDefinition(text, registry, `${source} (sweep definition)`)
    entry = { definition, cells: sweepCells(definition, registry) }
    // A worker serves a few sweeps at a time at most: keep the newest few parsed.
    if (parsed.size >= 8) parsed.delete(parsed.keys().next().value!)
    parsed.set(id, entry)
  }
  const cell = entry.cells[checked.data.index]
  if (!cell) throw new Error(`${source}: the sweep has no cell ${checked.data.index + 1}`)
  if (cell.key !== checked.data.key || (jobId !== undefined && jobId !== jobIdOf(cell.key))) {
    throw new CellKeyMismatchError(
      `${source}: this worker computes cell key ${cell.key} for cell ${checked.data.index + 1}, the submitter ${checked.data.key}: ` +
        'run the same hypersd version on the submitter and every worker',
    )
  }
  return { definition: entry.definition, cell }
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
