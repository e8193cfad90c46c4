// Sample images: one row per caption, one column per variant, each image scaled up and underlined green when
// every attribute is right, red otherwise. Columns are labelled with the variant id; rows by caption number.
import { Raster, textWidth, TEXT_HEIGHT, type Colour } from './raster.js'

export interface GridCell {
  readonly rgba: Uint8ClampedArray
  readonly width: number
  readonly height: number
  readonly allRight: boolean
}

const INK: Colour = [30, 30, 30]
const RIGHT: Colour = [44, 160, 44]
const WRONG: Colour = [214, 39, 40]
const GAP = 6
const ROW_LABEL = 28
const HEADER = 30

/** `cells[row][column]`; a missing cell (variant skipped for that row) is left blank. */
export function drawGrid(columns: readonly string[], cells: readonly (readonly (GridCell | undefined)[])[], cellSize = 128): Raster {
  const cellW = cellSize + GAP
  const cellH = cellSize + 4 + GAP
  const grid = new Raster(ROW_LABEL + columns.length * cellW + GAP, HEADER + cells.length * cellH + GAP)
  columns.forEach((label, c) => {
    // Two lines: the family above the step count ("hyper-lora" / "4"), cut to the cell's width.
    const [family = '', steps = ''] = label.split('/')
    const fit = (t: string) => t.slice(0, Math.floor(cellSize / textWidth('x')))
    const x = ROW_LABEL + c * cellW
    grid.text(x, 6, fit(family), INK)
    grid.text(x, 8 + TEXT_HEIGHT + 4, fit(`${steps} STEPS`), INK)
  })
  cells.forEach((row, r) => {
    const y = HEADER + r * cellH
    grid.text(4, y + cellSize / 2, String(r + 1), INK, 2)
    row.forEach((cell, c) => {
      if (!cell) return
      const x = ROW_LABEL + c * cellW
      const scale = Math.max(1, Math.floor(cellSize / Math.max(cell.width, cell.height)))
      grid.blit(x, y, cell.rgba, cell.width, cell.height, scale)
      grid.fillRect(x, y + cell.height * scale + 1, cell.width * scale, 3, cell.allRight ? RIGHT : WRONG)
    })
  })
  return grid
}
