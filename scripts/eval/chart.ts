// All-right accuracy against steps, one line per family, steps on a log axis (1 to 50 spread evenly by doubling).
import { Raster, textWidth, TEXT_HEIGHT, type Colour } from './raster.js'
import type { VariantResult } from './tally.js'

const LINE_COLOURS: readonly Colour[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75],
  [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207], [0, 0, 0],
]
const INK: Colour = [30, 30, 30]
const GRID: Colour = [225, 225, 225]
const S = 2

export function drawChart(results: readonly VariantResult[], title = 'ALL-RIGHT ACCURACY VS STEPS'): Raster {
  const families = [...new Set(results.map((r) => r.family))]
  const legendWidth = Math.max(0, ...families.map((f) => textWidth(f, S))) + 40
  const [left, top, plotW, plotH] = [60, 40, 520, 320]
  const chart = new Raster(left + plotW + 30 + legendWidth, top + plotH + 60)
  const steps = [...new Set(results.map((r) => r.steps))].sort((a, b) => a - b)
  const maxLog = Math.log2(Math.max(2, ...steps))
  const x = (s: number) => left + (Math.log2(s) / maxLog) * plotW
  const y = (v: number) => top + (1 - v) * plotH

  chart.text(left, 12, title, INK, S)
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    chart.line(left, y(v), left + plotW, y(v), GRID)
    const label = `${Math.round(v * 100)}%`
    chart.text(left - 8 - textWidth(label, S), y(v) - TEXT_HEIGHT, label, INK, S)
  }
  for (const s of steps) {
    chart.line(x(s), top, x(s), top + plotH, GRID)
    chart.text(x(s) - textWidth(String(s), S) / 2, top + plotH + 8, String(s), INK, S)
  }
  chart.text(left + plotW / 2 - textWidth('STEPS', S) / 2, top + plotH + 30, 'STEPS', INK, S)
  chart.line(left, top, left, top + plotH, INK)
  chart.line(left, top + plotH, left + plotW, top + plotH, INK)

  families.forEach((family, i) => {
    const colour = LINE_COLOURS[i % LINE_COLOURS.length]!
    const points = results.filter((r) => r.family === family).sort((a, b) => a.steps - b.steps)
    points.forEach((p, j) => {
      const next = points[j + 1]
      if (next) chart.line(x(p.steps), y(p.allRight), x(next.steps), y(next.allRight), colour, 2)
      chart.fillRect(Math.round(x(p.steps)) - 3, Math.round(y(p.allRight)) - 3, 7, 7, colour)
    })
    const ly = top + i * 18
    chart.fillRect(left + plotW + 30, ly, 14, 10, colour)
    chart.text(left + plotW + 50, ly, family, INK, S)
  })
  return chart
}
