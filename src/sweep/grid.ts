// The grid PNG: cells in reading order (x values across, y values and seeds down), axis names and values as
// labels, each cell's scores under it (not its time: see sweep.csv); the sweep definition rides along in a text
// chunk so the PNG reopens it.
import { decodePng, embedGraphInPng, readPngTextChunks } from '../graph/png.js'
import { serializeGraphFile } from '../graph/parse.js'
import { Raster, textWidth, TEXT_HEIGHT, type Colour } from '../imaging/raster.js'
import { sweepShape } from './cells.js'
import type { SweepCell } from './cells.js'
import { axisLabel, parseSweepDefinition, serializeSweepDefinition, type SweepDeclarations, type SweepDefinition } from './definition.js'
import type { CellResult } from './run-cell.js'

export const SWEEP_KEYWORD = 'hypersd-sweep'

const INK: Colour = [30, 30, 30]
const MISSING: Colour = [215, 215, 215]
const BACKGROUND: Colour = [255, 255, 255]
/** Font pixels per glyph pixel for labels; scores use 1 on small cells. */
const LABEL_SCALE = 2
const LINE = (TEXT_HEIGHT + 2) * LABEL_SCALE
const GAP = 8
const MAX_SCORE_LINES = 4

export interface GridLayout {
  readonly width: number
  readonly height: number
  /** Image pixels per cell pixel (cells smaller than `minCell` are scaled up by a whole factor). */
  readonly scale: number
  readonly cellWidth: number
  readonly cellHeight: number
  /** Top-left of each cell's image, by cell index. */
  readonly origins: readonly (readonly [number, number])[]
  /** Where the axis title and value labels are drawn (top-left of each text). */
  readonly labels: readonly { readonly text: string; readonly x: number; readonly y: number }[]
}

/** A value as a label: numbers as written, text cut to fit. */
export function formatAxisValue(value: unknown, maxChars = 24): string {
  const text = String(value)
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}~` : text
}

function scoreLines(result: CellResult | undefined): string[] {
  if (!result) return []
  const lines = Object.entries(result.scores).map(([name, value]) => `${name.slice(name.lastIndexOf('.') + 1)} ${Number.isInteger(value) ? value : value.toFixed(3)}`)
  // No times here: they differ from run to run, and the grid of the same cells must be the same bytes wherever they ran.
  return lines.slice(0, MAX_SCORE_LINES)
}

export function gridLayout(definition: SweepDefinition, cells: readonly SweepCell[], imageWidth: number, imageHeight: number, scoreLineCount = MAX_SCORE_LINES, minCell = 128): GridLayout {
  const { columns, rows } = sweepShape(definition)
  const [xAxis, yAxis] = definition.axes
  const scale = Math.max(1, Math.floor(minCell / Math.max(imageWidth, imageHeight)))
  const cellWidth = Math.max(imageWidth * scale, textWidth('0'.repeat(12), LABEL_SCALE))
  const cellHeight = imageHeight * scale + Math.min(MAX_SCORE_LINES, scoreLineCount) * LINE + 4
  const rowLabel = (row: number): string[] => {
    const cell = cells.find((c) => c.row === row && c.column === 0)
    const parts = yAxis && cell ? [formatAxisValue(cell.values[1])] : []
    if (definition.seeds > 1 && cell?.seed !== undefined) parts.push(`seed ${cell.seed}`)
    return parts
  }
  const rowLabelWidth = Math.max(0, ...Array.from({ length: rows }, (_, r) => Math.max(0, ...rowLabel(r).map((t) => textWidth(t, LABEL_SCALE)))))
  const left = GAP + (rowLabelWidth > 0 ? rowLabelWidth + GAP : 0)
  const top = GAP + (xAxis ? 2 * LINE : 0) + (yAxis ? LINE : 0) + 4
  const labels: { text: string; x: number; y: number }[] = []
  if (xAxis) {
    labels.push({ text: axisLabel(definition.graph, xAxis), x: left, y: GAP })
    xAxis.values.forEach((value, c) => labels.push({ text: formatAxisValue(value, Math.floor(cellWidth / textWidth('0', LABEL_SCALE))), x: left + c * (cellWidth + GAP), y: GAP + LINE }))
  }
  if (yAxis) labels.push({ text: `rows: ${axisLabel(definition.graph, yAxis)}`, x: GAP, y: top - LINE - 2 })
  for (let r = 0; r < rows; r++) {
    rowLabel(r).forEach((text, i) => labels.push({ text, x: GAP, y: top + r * (cellHeight + GAP) + i * LINE }))
  }
  const titleWidth = Math.max(0, ...labels.map((l) => l.x + textWidth(l.text, LABEL_SCALE)))
  const origins = cells.map((cell) => [left + cell.column * (cellWidth + GAP), top + cell.row * (cellHeight + GAP)] as const)
  return {
    width: Math.max(left + columns * (cellWidth + GAP), titleWidth + GAP),
    height: top + rows * (cellHeight + GAP),
    scale,
    cellWidth,
    cellHeight,
    origins,
    labels,
  }
}

/**
 * The grid as PNG bytes. Cells not done (a cancelled sweep) are grey. Carries the definition (`hypersd-sweep`) and
 * the base graph (`hypersd-graph`, so tools that only know graphs still open something useful).
 */
export function assembleGrid(definition: SweepDefinition, cells: readonly SweepCell[], results: readonly (CellResult | undefined)[]): Uint8Array {
  const decoded = results.map((r) => (r ? decodePng(r.png) : undefined))
  const done = decoded.filter((d) => d !== undefined)
  // Cells of different sizes (a sweep over width, or an upscale factor) share the largest one's box, each image at
  // its own size, centred across the box, so their sizes compare as they are.
  const [imageWidth, imageHeight] = done.length > 0 ? [Math.max(...done.map((d) => d.width)), Math.max(...done.map((d) => d.height))] : [64, 64]
  const layout = gridLayout(definition, cells, imageWidth, imageHeight, Math.max(0, ...results.map((r) => scoreLines(r).length)))
  const grid = new Raster(layout.width, layout.height, BACKGROUND)
  for (const label of layout.labels) grid.text(label.x, label.y, label.text, INK, LABEL_SCALE)
  for (const cell of cells) {
    const [x, y] = layout.origins[cell.index]!
    const image = decoded[cell.index]
    if (image) grid.blit(x + Math.floor(((imageWidth - image.width) * layout.scale) / 2), y, image.data, image.width, image.height, layout.scale)
    else grid.fillRect(x, y, imageWidth * layout.scale, imageHeight * layout.scale, MISSING)
    const textScale = textWidth('0'.repeat(16), LABEL_SCALE) <= layout.cellWidth ? LABEL_SCALE : 1
    scoreLines(results[cell.index]).forEach((line, i) => grid.text(x, y + imageHeight * layout.scale + 4 + i * LINE, line, INK, textScale))
  }
  return embedGraphInPng(grid.png(), serializeGraphFile(definition.graph), { [SWEEP_KEYWORD]: serializeSweepDefinition(definition) })
}

/** The sweep a grid PNG carries (checked against the registry), or undefined for a PNG without one. */
export function readSweepFromPng(png: Uint8Array, registry: SweepDeclarations, source = 'PNG'): SweepDefinition | undefined {
  const text = readPngTextChunks(png, new Set([SWEEP_KEYWORD])).get(SWEEP_KEYWORD)
  return text === undefined ? undefined : parseSweepDefinition(text, registry, `${source} (${SWEEP_KEYWORD} chunk)`)
}
