// `--vary NODE.INPUT=VALUES`: where the values come from (a list, a range or a file of lines) and the values
// themselves, still as text; axes.ts coerces and checks them against the input's declaration.
import { parseOverride } from '../graph/exec.js'
import { ListSyntaxError, splitList } from './list-text.js'

export class SweepSpecError extends Error {
  override readonly name = 'SweepSpecError'
}

export type ValueSource =
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'range'; readonly start: number; readonly stop: number; readonly step: number }
  /** `@path`: one value per non-empty line (e.g. a prompt list); the host reads the file. */
  | { readonly kind: 'file'; readonly path: string }

export interface VarySpec {
  /** As written, for error messages. */
  readonly text: string
  /** Node id, title or type, as `--set` accepts. */
  readonly node: string
  readonly input: string
  readonly source: ValueSource
}

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`
const RANGE = new RegExp(`^\\s*(${NUMBER})\\s*:\\s*(${NUMBER})\\s*:\\s*(${NUMBER})\\s*$`, 'i')

/** Splits `NODE.INPUT=VALUES` and tells a range (`0:1:0.25`), a file (`@prompts.txt`) and a list (`1,2,4,8`) apart. */
export function parseVarySpec(text: string): VarySpec {
  let parsed
  try {
    parsed = parseOverride(text)
  } catch (error) {
    throw new SweepSpecError(`--vary ${text}: expected NODE.INPUT=LIST|START:STOP:STEP|@FILE (${error instanceof Error ? error.message : String(error)})`)
  }
  const { node, input, value } = parsed
  const where = `--vary ${text}`
  if (value.trim() === '') throw new SweepSpecError(`${where}: no values after "="`)
  if (value.startsWith('@')) {
    const path = value.slice(1).trim()
    if (path === '') throw new SweepSpecError(`${where}: "@" needs a file name`)
    return { text, node, input, source: { kind: 'file', path } }
  }
  const range = RANGE.exec(value)
  if (range) return { text, node, input, source: { kind: 'range', start: Number(range[1]), stop: Number(range[2]), step: Number(range[3]) } }
  try {
    return { text, node, input, source: { kind: 'list', items: splitList(value) } }
  } catch (error) {
    if (error instanceof ListSyntaxError) throw new SweepSpecError(`${where}: ${error.message}`)
    throw error
  }
}

/** Decimal places written in a number, so 0.1 steps come out as 0.3, not 0.30000000000000004. */
function decimals(n: number): number {
  const text = String(n).toLowerCase()
  const [mantissa = '', exponent = '0'] = text.split('e')
  const places = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0
  return Math.max(0, places - Number(exponent))
}

/** START to STOP inclusive (when STOP lies on the grid) by STEP, each value rounded to the places START and STEP use. */
export function expandRange(start: number, stop: number, step: number, where = 'range'): number[] {
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step)) throw new SweepSpecError(`${where}: START, STOP and STEP must be numbers`)
  if (step === 0) throw new SweepSpecError(`${where}: STEP must not be 0`)
  if ((stop - start) * step < 0) throw new SweepSpecError(`${where}: STEP ${step} goes away from STOP ${stop}`)
  // A tolerance of a millionth of a step keeps 0:1:0.1 at 11 values despite binary fractions.
  const count = Math.floor((stop - start) / step + 1e-6) + 1
  if (count > MAX_AXIS_VALUES) throw new SweepSpecError(`${where}: ${count} values, more than the ${MAX_AXIS_VALUES} an axis takes`)
  const places = Math.min(12, Math.max(decimals(start), decimals(step)))
  return Array.from({ length: count }, (_, i) => Number((start + i * step).toFixed(places)))
}

/** The lines of a value file: trimmed, blank lines and `#` comments skipped. */
export function linesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

export const MAX_AXIS_VALUES = 256

/** The values as text (a range's as numbers), reading a file through `readText` (the CLI passes node:fs). */
export async function sourceValues(spec: VarySpec, readText: (path: string) => Promise<string>): Promise<(string | number)[]> {
  const where = `--vary ${spec.text}`
  const { source } = spec
  switch (source.kind) {
    case 'range':
      return expandRange(source.start, source.stop, source.step, where)
    case 'list':
      if (source.items.some((item) => item === '')) throw new SweepSpecError(`${where}: empty value in the list (two commas, or a comma at an end)`)
      return [...source.items]
    case 'file': {
      let text: string
      try {
        text = await readText(source.path)
      } catch (error) {
        throw new SweepSpecError(`${where}: cannot read ${source.path} (${(error as { code?: string }).code ?? String(error)})`)
      }
      const lines = linesOf(text)
      if (lines.length === 0) throw new SweepSpecError(`${where}: ${source.path} has no values (one per line)`)
      if (lines.length > MAX_AXIS_VALUES) throw new SweepSpecError(`${where}: ${source.path} has ${lines.length} values, more than the ${MAX_AXIS_VALUES} an axis takes`)
      return lines
    }
  }
}
