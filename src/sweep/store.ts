// Cell results stored once by cell key. The record (everything but the PNG) is plain JSON, so a store can be
// files (the CLI's --out DIR/cells/<key>.json + .png), memory, IndexedDB or a queue's result backend.
import { z } from 'zod'
import { readJson } from '../graph/parse.js'
import { zodFailure } from '../graph/parse.js'
import type { CellResult } from './run-cell.js'

export interface CellStore {
  get(key: string): Promise<CellResult | undefined>
  put(result: CellResult): Promise<void>
}

const CELL_RECORD_FORMAT = 'hyper-sd-studio/sweep-cell'

const CellRecordSchema = z.strictObject({
  format: z.literal(CELL_RECORD_FORMAT),
  version: z.literal(1),
  key: z.string().regex(/^[0-9a-f]{32}$/, 'expected a 32-digit hex cell key'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  scores: z.record(z.string(), z.number()),
  notes: z.record(z.string(), z.string()),
  ms: z.number().nonnegative(),
  msPerImage: z.number().nonnegative(),
  nodesRun: z.array(z.string()),
})

/** The JSON kept beside a cell's PNG. */
export function cellRecordJson(result: CellResult): string {
  const { png: _png, ...rest } = result
  return `${JSON.stringify({ format: CELL_RECORD_FORMAT, version: 1, ...rest }, null, 2)}\n`
}

/** A stored record and its PNG back into a result; the record must be for `key` (a renamed file is not trusted). */
export function cellFromRecord(key: string, json: string, png: Uint8Array, source = `cell ${key}`): CellResult {
  const parsed = CellRecordSchema.safeParse(readJson(json, source))
  if (!parsed.success) throw zodFailure(parsed.error, source)
  const { format: _format, version: _version, ...record } = parsed.data
  if (record.key !== key) throw new Error(`${source}: holds cell ${record.key}, not ${key}`)
  return { ...record, png }
}

/** For tests and the browser: results kept in memory. */
export class MemoryCellStore implements CellStore {
  readonly results = new Map<string, CellResult>()

  async get(key: string): Promise<CellResult | undefined> {
    return this.results.get(key)
  }

  async put(result: CellResult): Promise<void> {
    this.results.set(result.key, result)
  }
}
