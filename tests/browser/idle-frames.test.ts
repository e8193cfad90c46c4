// The editor at rest makes no frames: its canvas is drawn on animation frames only while something on it changes
// (render-loop.ts), where litegraph's own loop asked for one every vsync and kept the page rendering 60 frames a
// second, idle or not. Hover, a widget change and a run still get drawn.
import { beforeAll, describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, runOnce, waitReady } from './harness.js'

interface CountingWindow {
  __frameRequests: number
}

/** Counts every animation frame the page asks for, whoever asks (installed before the app's scripts run). */
function countFrameRequests(): void {
  const w = window as unknown as CountingWindow
  w.__frameRequests = 0
  const request = window.requestAnimationFrame.bind(window)
  window.requestAnimationFrame = (callback) => {
    w.__frameRequests++
    return request(callback)
  }
}

describe('canvas frames', () => {
  // With the warm-up on, as the app opens by default (the harness turns it off unless asked).
  const app = appForSuite({ query: '?backend=wasm', warmUp: true })
  const requests = (): Promise<number> => app.page.evaluate(() => (window as unknown as CountingWindow).__frameRequests)
  const drawn = (): Promise<number> => app.page.evaluate(() => window.__hypersd!.view().frames.count)
  const settle = (): Promise<unknown> => app.page.waitForFunction(() => !window.__hypersd!.view().frames?.active, null, { timeout: 10_000, polling: 50 })
  const drawnSince = (count: number): Promise<unknown> => app.page.waitForFunction((before) => window.__hypersd!.view().frames.count > before, count, { timeout: 5000 })

  beforeAll(async () => {
    await app.page.addInitScript(countFrameRequests)
    await app.page.reload()
    await waitReady(app.page)
  })

  it('asks for no animation frame at rest, and draws the pointer, a widget change and a run', async () => {
    const { page } = app
    // The graph's warm-up and the worker's idle work (a live LoRA's session) change what the nodes show: let them end.
    await page.waitForFunction(() => window.__hypersd!.warmUp().state === 'done' && window.__hypersd!.idleWork().pending === 0, null, { timeout: 120_000 })
    await settle()
    // Whatever was going on (a last frame) has ended within the first look.
    await page.waitForTimeout(200)
    const before = await requests()
    await page.waitForTimeout(1500)
    // A second and a half at rest: not one frame asked for by anything on the page (litegraph's loop alone asked
    // for about 90).
    expect((await requests()) - before).toBe(0)

    // The pointer over a node: litegraph flags its hover itself, the loop draws it.
    const byType = await nodeIdsByType(page)
    const latentId = byType['EmptyLatent']![0]!
    const latent = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), latentId))!
    const atRest = await drawn()
    await page.mouse.move(latent.x - 60, latent.y + 10)
    await page.mouse.move(latent.x - 50, latent.y + 12)
    await drawnSince(atRest)
    await settle()

    // A value set from outside the canvas, and a run's progress and result.
    const afterHover = await drawn()
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'width', 320), latentId)
    await drawnSince(afterHover)
    await settle()
    const beforeRun = await drawn()
    expect((await runOnce(page)).status).toBe('done')
    expect(await drawn()).toBeGreaterThan(beforeRun)
    expect(app.errors).toEqual([])
  })
})
