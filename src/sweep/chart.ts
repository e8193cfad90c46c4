// The sweep's chart: each score against the first axis, one line per value of the second, the line at the mean
// over seeds and a band from min to max. Drawn by Vega-Lite (compiled to Vega), rendered to SVG without a canvas,
// so the same spec serves the CLI (a file) and the browser (a view).
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { SweepCell } from './cells.js'
import { axisLabel, type SweepDefinition } from './definition.js'
import type { CellResult } from './run-cell.js'
import { scoreNames } from './table.js'

export const TIME_MEASURE = 'ms per image'

export interface ChartRow {
  readonly x: string | number | boolean
  readonly series: string
  readonly measure: string
  readonly value: number
  readonly seed: number | undefined
}

/** One row per (cell, score), plus the time per image, for cells that are done. */
export function chartRows(definition: SweepDefinition, cells: readonly SweepCell[], results: readonly (CellResult | undefined)[]): ChartRow[] {
  const names = scoreNames(results)
  return cells.flatMap((cell) => {
    const result = results[cell.index]
    if (!result) return []
    const x = definition.axes.length > 0 ? cell.values[0]! : 'graph'
    const series = definition.axes.length > 1 ? String(cell.values[1]) : 'all'
    const measures: [string, number][] = [...names.flatMap((n): [string, number][] => (n in result.scores ? [[n, result.scores[n]!]] : [])), [TIME_MEASURE, result.msPerImage]]
    return measures.map(([measure, value]) => ({ x, series, measure, value, seed: cell.seed }))
  })
}

export function chartSpec(definition: SweepDefinition, cells: readonly SweepCell[], results: readonly (CellResult | undefined)[]): TopLevelSpec {
  const rows = chartRows(definition, cells, results)
  const [xAxis, yAxis] = definition.axes
  const numericX = rows.length > 0 && rows.every((r) => typeof r.x === 'number')
  const xTitle = xAxis ? axisLabel(definition.graph, xAxis) : ''
  const x = {
    field: 'x',
    type: numericX ? ('quantitative' as const) : ('ordinal' as const),
    title: xTitle,
    axis: { labelAngle: 0 },
    ...(numericX ? { scale: { zero: false } } : { sort: null }),
  }
  const colour = yAxis ? { color: { field: 'series', type: 'nominal' as const, title: axisLabel(definition.graph, yAxis), sort: null } } : {}
  const spread = definition.seeds > 1 ? `, band min-max over ${definition.seeds} seeds` : ''
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Scores against ${xTitle || 'the graph'} (line: mean${spread})`,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { field: 'measure', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.measure))], header: { labelFontSize: 12, labelFontWeight: 'bold' } },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 280,
      height: 150,
      layer: [
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: { x, y: { field: 'value', type: 'quantitative', aggregate: 'min', title: null }, y2: { field: 'value', aggregate: 'max' }, ...colour },
        },
        { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'value', type: 'quantitative', aggregate: 'mean', title: null }, ...colour } },
      ],
    },
  }
}

/** The chart as an SVG document (Vega's headless SVG renderer: no canvas, no DOM). */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
