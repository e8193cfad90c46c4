// The grid PNG from known cell images: each cell lands at its place (scaled up), labels are drawn where the layout
// says with the pixel font, missing cells are grey, and the PNG carries the sweep and its graph back.
import { describe, expect, it } from 'vitest'
import { decodePng, encodePng, extractGraphFromPng } from '../../src/graph/png.js'
import { Raster } from '../../src/imaging/raster.js'
import {
  assembleGrid, createSweepDefinition, gridLayout, readSweepFromPng, sweepCells, type CellResult, type SweepDefinition,
} from '../../src/sweep/index.js'
import { registry, shippedGraph } from '../helpers/tiny-host.js'

const graph = shippedGraph('tiny-sd15-lora-4step.json')
const definition: SweepDefinition = createSweepDefinition(
  graph,
  [
    { node: '4', input: 'steps', values: [1, 2, 4] },
    { node: '9', input: 'scale', values: [0.5, 1] },
  ],
  1,
  registry,
)
const cells = sweepCells(definition, registry)
const SIZE = 16

/** A cell whose image is one colour, distinct per cell, with a score. */
function solidCell(index: number): CellResult {
  const colour = [40 + index * 30, 200 - index * 25, (index * 70) % 256]
  const rgba = new Uint8ClampedArray(SIZE * SIZE * 4)
  for (let p = 0; p < SIZE * SIZE; p++) rgba.set([colour[0]!, colour[1]!, colour[2]!, 255], p * 4)
  const key = cells[index]!.key
  return { key, png: encodePng(rgba, SIZE, SIZE), width: SIZE, height: SIZE, scores: { 'Scene Score.score': index / 10 }, notes: {}, ms: 5, msPerImage: 5, nodesRun: [] }
}

const pixel = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)]

describe('grid assembly', () => {
  const results = cells.map((_, i) => (i === 4 ? undefined : solidCell(i)))
  const png = assembleGrid(definition, cells, results)
  const grid = decodePng(png)
  const layout = gridLayout(definition, cells, SIZE, SIZE, 1)

  it('places each cell, scaled up to at least 128 px, in reading order; a missing cell is grey', () => {
    expect([grid.width, grid.height]).toEqual([layout.width, layout.height])
    expect(layout.scale).toBe(8)
    for (const cell of cells) {
      const [x, y] = layout.origins[cell.index]!
      const expected = results[cell.index] ? pixel(decodePng(results[cell.index]!.png), 0, 0) : [215, 215, 215]
      for (const [dx, dy] of [[0, 0], [127, 0], [0, 127], [127, 127], [64, 64]] as const) expect(pixel(grid, x + dx, y + dy)).toEqual(expected)
      // Just outside the image: background, not the cell's colour.
      expect(pixel(grid, x - 1, y)).toEqual([255, 255, 255])
    }
    // Columns follow x values left to right, rows y values top to bottom.
    const [first, second, , fourth] = layout.origins
    expect(second![0]).toBeGreaterThan(first![0])
    expect(second![1]).toBe(first![1])
    expect(fourth![0]).toBe(first![0])
    expect(fourth![1]).toBeGreaterThan(first![1])
  })

  it('labels the axes and their values in the pixel font, where the layout puts them', () => {
    expect(layout.labels.map((l) => l.text)).toEqual(['TSCDSampler.steps', '1', '2', '4', 'rows: Hyper-SD LoRA.scale', '0.5', '1'])
    for (const label of layout.labels) {
      const alone = new Raster(grid.width, grid.height)
      alone.text(label.x, label.y, label.text, [30, 30, 30], 2)
      let ink = 0
      for (let p = 0; p < grid.width * grid.height; p++) {
        if (alone.data[p * 4] !== 30) continue
        ink++
        expect([grid.data[p * 4], grid.data[p * 4 + 1], grid.data[p * 4 + 2]]).toEqual([30, 30, 30])
      }
      expect(ink).toBeGreaterThan(label.text.replace(/ /g, '').length * 4)
    }
    // Column labels sit above their column; row labels left of their row.
    expect(layout.labels[2]!.x).toBe(layout.origins[1]![0])
    expect(layout.labels[6]!.y).toBe(layout.origins[3]![1])
  })

  it("writes each cell's score under it", () => {
    const [x, y] = layout.origins[0]!
    const below = new Raster(grid.width, grid.height)
    below.text(x, y + 128 + 4, 'score 0', [30, 30, 30], 2)
    const inked = [...Array(grid.width * grid.height).keys()].filter((p) => below.data[p * 4] === 30)
    expect(inked.length).toBeGreaterThan(20)
    for (const p of inked) expect(grid.data[p * 4]).toBe(30)
  })

  it('carries the sweep definition and its graph: the PNG reopens the sweep', () => {
    expect(readSweepFromPng(png, registry)).toEqual(definition)
    const opened = extractGraphFromPng(png)
    expect(opened?.kind === 'graph' && opened.graph).toEqual(graph)
    expect(readSweepFromPng(encodePng(new Uint8ClampedArray(4).fill(255), 1, 1), registry)).toBeUndefined()
  })

  it('draws cells of different sizes (a sweep over the size) each at its own size in the largest one\'s box', () => {
    // Cell 1 is 8x8 px (half the others): drawn, centred across the 16 px box, not greyed out as missing.
    const small = (() => {
      const rgba = new Uint8ClampedArray(8 * 8 * 4)
      for (let p = 0; p < 64; p++) rgba.set([250, 20, 20, 255], p * 4)
      return { ...results[1]!, png: encodePng(rgba, 8, 8), width: 8, height: 8 }
    })()
    const mixed = decodePng(assembleGrid(definition, cells, results.map((r, i) => (i === 1 ? small : r))))
    expect([mixed.width, mixed.height]).toEqual([grid.width, grid.height])
    const [x, y] = layout.origins[1]!
    // The 16 px box at 8x is 128 px; the 8 px image at 8x is 64 px, from x + 32.
    expect(pixel(mixed, x + 32, y)).toEqual([250, 20, 20])
    expect(pixel(mixed, x + 95, y + 63)).toEqual([250, 20, 20])
    expect(pixel(mixed, x + 31, y)).toEqual([255, 255, 255])
    expect(pixel(mixed, x + 64, y + 64)).toEqual([255, 255, 255])
    // The other cells are as before.
    const [x0, y0] = layout.origins[0]!
    expect(pixel(mixed, x0 + 64, y0 + 64)).toEqual(pixel(grid, x0 + 64, y0 + 64))
  })

  it('is the same bytes for the same cells (times are not drawn)', () => {
    const slower = results.map((r) => (r ? { ...r, ms: 999, msPerImage: 999 } : r))
    expect(assembleGrid(definition, cells, slower)).toEqual(png)
  })
})
