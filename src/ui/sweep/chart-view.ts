// The sweep chart in the page: the sweep library's Vega-Lite spec, compiled and drawn by a Vega View as SVG
// elements (Vega escapes all text). Loaded on demand (vega is large), so the editor's first load stays small.
import { parse, View } from 'vega'
import { compile } from 'vega-lite'
import { chartSpec } from '../../sweep/chart.js'
import type { SweepCell } from '../../sweep/cells.js'
import type { SweepDefinition } from '../../sweep/definition.js'
import type { CellResult } from '../../sweep/run-cell.js'

/** Draws the chart into `container`; returns a function that frees the view. */
export async function renderSweepChart(container: HTMLElement, definition: SweepDefinition, cells: readonly SweepCell[], results: readonly (CellResult | undefined)[]): Promise<() => void> {
  const view = new View(parse(compile(chartSpec(definition, cells, results)).spec), { renderer: 'svg', container, hover: true })
  await view.runAsync()
  return () => view.finalize()
}
