// What `hypersd sweep` leaves in --out besides the cells: grid.png (definition embedded), sweep.csv, sweep.json
// (the definition, parameters and scores) and chart.svg. Written after every run, also a cancelled one.
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { assembleGrid, chartSpec, renderChartSvg, sweepCsv, sweepReport, type SweepDefinition, type SweepOutcome } from '../../sweep/index.js'

export const SWEEP_FILES = { grid: 'grid.png', csv: 'sweep.csv', json: 'sweep.json', chart: 'chart.svg' } as const

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.${process.pid}.partial`
  await writeFile(temp, data)
  await rename(temp, path)
}

/** sweep.json: the definition (so the file reopens the sweep) and the report of parameters and scores. */
export function sweepJson(definition: SweepDefinition, outcome: Pick<SweepOutcome, 'cells' | 'results'>): string {
  return `${JSON.stringify({ definition, ...sweepReport(definition, outcome.cells, outcome.results) }, null, 2)}\n`
}

export async function writeSweepOutputs(folder: string, definition: SweepDefinition, outcome: Pick<SweepOutcome, 'cells' | 'results'>): Promise<string[]> {
  const paths = Object.values(SWEEP_FILES).map((name) => join(folder, name))
  const [grid, csv, json, chart] = paths as [string, string, string, string]
  await writeAtomically(grid, assembleGrid(definition, outcome.cells, outcome.results))
  await writeAtomically(csv, sweepCsv(definition, outcome.cells, outcome.results))
  await writeAtomically(json, sweepJson(definition, outcome))
  await writeAtomically(chart, await renderChartSvg(chartSpec(definition, outcome.cells, outcome.results)))
  return paths
}
