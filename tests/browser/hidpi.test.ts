// The editor on a HiDPI screen (devicePixelRatio 2): a sharp canvas that fills its area, with the DOM textareas
// and pointer hit-testing lined up with what litegraph draws, and a ratio change at the same window size followed.
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, screenshot } from './harness.js'

describe('editor at devicePixelRatio 2', () => {
  const app = appForSuite({ query: '?backend=wasm', deviceScaleFactor: 2 })

  it('fills the canvas area with a device-pixel backing store, textareas and clicks aligned with the nodes', async () => {
    const { page } = app
    const sizes = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
      const wrap = canvas.parentElement!.getBoundingClientRect()
      const rect = canvas.getBoundingClientRect()
      return { wrap: [Math.floor(wrap.width), Math.floor(wrap.height)], css: [rect.width, rect.height], device: [canvas.width, canvas.height] }
    })
    expect(sizes.css).toEqual(sizes.wrap)
    expect(sizes.device).toEqual(sizes.wrap.map((v) => v * 2))

    const byType = await nodeIdsByType(page)
    const [promptId] = byType['CLIPTextEncode']!
    const clip = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'clip'), promptId!))!
    const conditioning = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'conditioning'), promptId!))!
    const area = (await page.locator(`textarea.node-textarea[data-node-id="${promptId}"]`).boundingBox())!
    // The textarea sits in the Prompt node's body: aligned with its input sockets, below the first row.
    expect(Math.abs(area.x - clip.x)).toBeLessThan(4)
    expect(area.x + area.width).toBeLessThan(conditioning.x + 10)
    expect(area.y).toBeGreaterThan(clip.y)
    expect(area.y - clip.y).toBeLessThan(40)

    // Hit-testing in CSS pixels: a double-click on a node's title opens its rename dialog.
    const [latentId] = byType['EmptyLatent']!
    const latent = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), latentId!))!
    await page.mouse.dblclick(latent.x - 100, latent.y - 22)
    await expect(page.locator('.prompt-dialog input').inputValue()).resolves.toBe('Empty Latent')
    await page.keyboard.press('Escape')
    await screenshot(page, 'editor-hidpi')
    expect(app.errors).toEqual([])
  })

  it('a change of devicePixelRatio at the same window size (a window moved to another screen), with the canvas at rest, resizes the backing stores of the canvas and the minimap', async () => {
    const { page } = app
    const session = await page.context().newCDPSession(page)
    const sizes = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=graph-canvas]')!
        const rect = canvas.getBoundingClientRect()
        const minimap = document.querySelector<HTMLCanvasElement>('[data-testid=minimap]')
        return { ratio: window.devicePixelRatio, css: [rect.width, rect.height], device: [canvas.width, canvas.height], minimap: minimap ? [minimap.width, minimap.height] : null }
      })
    const before = await sizes()
    // At rest (no animation frames: render-loop.ts), where a ratio change has no frame to follow it.
    const atRest = () => page.waitForFunction(() => !window.__hypersd!.view().frames.active, null, { timeout: 10_000, polling: 50 })
    try {
      await atRest()
      await session.send('Emulation.setDeviceMetricsOverride', { width: 1440, height: 900, deviceScaleFactor: 1, mobile: false })
      await page.waitForFunction(() => window.devicePixelRatio === 1)
      await expect.poll(async () => (await sizes()).device, { timeout: 3000 }).toEqual(before.css)
      await atRest()
      await session.send('Emulation.setDeviceMetricsOverride', { width: 1440, height: 900, deviceScaleFactor: 1.5, mobile: false })
      await expect.poll(async () => (await sizes()).device, { timeout: 3000 }).toEqual(before.css.map((v) => Math.round(v * 1.5)))
      expect((await sizes()).css).toEqual(before.css)
      // The minimap's backing store follows too (180x120 CSS pixels), though nothing in the graph changed.
      expect(before.minimap).toEqual([360, 240])
      await expect.poll(async () => (await sizes()).minimap, { timeout: 3000 }).toEqual([270, 180])
    } finally {
      await session.send('Emulation.clearDeviceMetricsOverride')
      await session.detach()
    }
    expect(before.ratio).toBe(2)
    expect(app.errors).toEqual([])
  })
})
