// Far zoomed out (below MINIMAL_DETAIL_SCALE), nodes are drawn as outlined boxes with their title bars, without their
// slots and widgets: those are a pixel or two high there, and drawing them took half of each frame while panning 500
// nodes in view (about 30 fps, 55 without them). Above it litegraph's low-detail drawing is kept, widgets included.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appForSuite, nodeIdsByType } from './harness.js'

/** Colours of the graph canvas down a vertical run of CSS pixels at page x, from page y `top` to `bottom`. */
async function canvasColumn(page: Page, x: number, top: number, bottom: number): Promise<string[]> {
  return page.evaluate(
    ({ x, top, bottom }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
      const rect = canvas.getBoundingClientRect()
      const ratio = canvas.width / rect.width
      const data = canvas.getContext('2d')!.getImageData(Math.round((x - rect.left) * ratio), Math.round((top - rect.top) * ratio), 1, Math.round((bottom - top) * ratio)).data
      const colours: string[] = []
      for (let i = 0; i < data.length; i += 4) colours.push(`${data[i]},${data[i + 1]},${data[i + 2]}`)
      return colours
    },
    { x, top, bottom },
  )
}

describe('nodes far zoomed out', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('are outlined boxes with a title bar and no widgets below 20 % zoom, and keep their widgets above it', async () => {
    const { page } = app
    const [samplerId] = (await nodeIdsByType(page))['TSCDSampler']!
    const bodyColumn = async (scale: number): Promise<{ inside: string[]; acrossBottom: string[] }> => {
      const before = await page.evaluate(() => window.__hypersd!.view())
      const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), samplerId!))!
      const canvas = (await page.getByTestId('graph-canvas').boundingBox())!
      const centre: [number, number] = [(rect.x + rect.width / 2 - canvas.x) / before.scale - before.offset[0], (rect.y + rect.height / 2 - canvas.y) / before.scale - before.offset[1]]
      await page.evaluate(({ scale, centre }) => window.__hypersd!.zoom(scale, centre), { scale, centre })
      await expect.poll(async () => (await page.evaluate(() => window.__hypersd!.view())).scale, { timeout: 3000 }).toBeCloseTo(scale)
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
      const node = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), samplerId!))!
      // The sampler's widgets fill its body below the title bar and the four input slots' rows.
      const title = 30 * scale
      const x = node.x + node.width / 2
      const inside = await canvasColumn(page, x, node.y + title + 90 * scale, node.y + node.height - 3)
      // Down across the bottom edge, from the body into the empty canvas below (no link passes there).
      const acrossBottom = await canvasColumn(page, x, node.y + node.height - 4, node.y + node.height + 4)
      return { inside, acrossBottom }
    }

    // 30 %: litegraph's low detail, its widgets drawn as boxes of another colour across the body.
    const low = await bodyColumn(0.3)
    expect(new Set(low.inside).size).toBeGreaterThan(1)

    // 12 %: one colour down the whole body (no widget boxes), and an outline lighter than the body and the canvas.
    const far = await bodyColumn(0.12)
    const lightness = (c: string): number => c.split(',').reduce((sum, v) => sum + Number(v), 0)
    const run = far.acrossBottom.map(lightness)
    expect(far.acrossBottom[0]).toBe(far.inside[0])
    expect(Math.max(...run)).toBeGreaterThan(run[0]! + 20)
    expect(Math.max(...run)).toBeGreaterThan(run[run.length - 1]! + 20)
    expect(app.errors).toEqual([])
  })
})
