// Public surface of sweeps: definitions, cells and their keys, running cells on one engine, stores, and the grid,
// table and chart outputs. Pure TypeScript (no node:fs): the CLI and the browser bring the files and the engine.
export {
  SWEEP_FORMAT, SWEEP_VERSION, MAX_SEEDS, axisLabel, checkAxis, createSweepDefinition, parseSweepDefinition, resolveAxis, seedInputs,
  serializeSweepDefinition, validateSweepDocument, type AxisValue, type SweepAxis, type SweepDeclarations, type SweepDefinition,
} from './definition.js'
export { MAX_AXIS_VALUES, SweepSpecError, expandRange, linesOf, parseVarySpec, sourceValues, type ValueSource, type VarySpec } from './values.js'
export { cellKey, sweepCells, sweepShape, type SweepCell } from './cells.js'
export { imageSource, runCell, SweepRunError, type CellResult, type SweepEngine } from './run-cell.js'
export { MemoryCellStore, cellFromRecord, cellRecordJson, type CellStore } from './store.js'
export { describeCell, estimateRemainingMs, runSweep, SweepCellError, type RunSweepOptions, type SweepOutcome, type SweepProgress } from './sweep.js'
export { SWEEP_KEYWORD, assembleGrid, formatAxisValue, gridLayout, readSweepFromPng, type GridLayout } from './grid.js'
export { cellImagePath, csvField, scoreNames, sweepCsv, sweepReport, type SweepReport } from './table.js'
export { TIME_MEASURE, chartRows, chartSpec, renderChartSvg, type ChartRow } from './chart.js'
