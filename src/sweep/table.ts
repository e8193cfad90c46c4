// Parameters and scores of a sweep as a CSV (one row per cell) and a JSON document, for spreadsheets and scripts.
import type { SweepCell } from './cells.js'
import { axisLabel, type SweepDefinition } from './definition.js'
import type { CellResult } from './run-cell.js'

/** Where a cell's image lives relative to the sweep's files (the CLI's layout by default). */
export const cellImagePath = (key: string): string => `cells/${key}.png`

/** Score names over all results, in the order first seen (so columns follow the graph's output nodes). */
export function scoreNames(results: readonly (CellResult | undefined)[]): string[] {
  return [...new Set(results.flatMap((r) => (r ? Object.keys(r.scores) : [])))]
}

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: string | number | boolean | undefined): string {
  const text = value === undefined ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function sweepCsv(definition: SweepDefinition, cells: readonly SweepCell[], results: readonly (CellResult | undefined)[]): string {
  const scores = scoreNames(results)
  const header = [...definition.axes.map((axis) => axisLabel(definition.graph, axis)), 'seed', ...scores, 'time_ms', 'cell_key', 'image']
  const rows = cells.map((cell) => {
    const result = results[cell.index]
    return [
      ...cell.values,
      cell.seed,
      ...scores.map((name) => result?.scores[name]),
      result ? Number(result.msPerImage.toFixed(1)) : undefined,
      cell.key,
      result ? cellImagePath(cell.key) : undefined,
    ]
  })
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`
}

export interface SweepReport {
  readonly axes: readonly { readonly label: string; readonly node: string; readonly input: string; readonly values: readonly unknown[] }[]
  readonly seeds: number
  readonly complete: boolean
  readonly cells: readonly {
    readonly index: number
    readonly key: string
    readonly values: Readonly<Record<string, unknown>>
    readonly seed: number | undefined
    readonly done: boolean
    readonly image?: string
    readonly scores?: Readonly<Record<string, number>>
    readonly notes?: Readonly<Record<string, string>>
    readonly msPerImage?: number
  }[]
}

export function sweepReport(definition: SweepDefinition, cells: readonly SweepCell[], results: readonly (CellResult | undefined)[]): SweepReport {
  const labels = definition.axes.map((axis) => axisLabel(definition.graph, axis))
  return {
    axes: definition.axes.map((axis, a) => ({ label: labels[a]!, node: axis.node, input: axis.input, values: axis.values })),
    seeds: definition.seeds,
    complete: results.every((r) => r !== undefined),
    cells: cells.map((cell) => {
      const result = results[cell.index]
      return {
        index: cell.index,
        key: cell.key,
        values: Object.fromEntries(labels.map((label, a) => [label, cell.values[a]])),
        seed: cell.seed,
        done: result !== undefined,
        ...(result ? { image: cellImagePath(cell.key), scores: result.scores, notes: result.notes, msPerImage: Number(result.msPerImage.toFixed(1)) } : {}),
      }
    }),
  }
}
