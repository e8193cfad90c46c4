// While the user drags the canvas, the engine worker's background work waits: a graph's warm-up (sessions built
// before its first run) took the core the page draws with, and panning a 500-node graph dropped from 60 to about
// 45 fps at 100 % zoom (35 to 14 fps zoomed out) until it ended. A step already started runs to its end; the next one
// waits until the drag ends, and a run clicked meanwhile goes on at once.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite } from './harness.js'

const graphText = (file: string): string => readFileSync(resolve(import.meta.dirname, '../../graphs', file), 'utf8')

/** Drags on the canvas's empty bottom-left corner, back and forth, until stopped (a user panning). */
async function startDrag(page: Page): Promise<{ stop(): Promise<void> }> {
  const box = (await page.getByTestId('graph-canvas').boundingBox())!
  const x = box.x + 40
  const y = box.y + box.height - 40
  await page.mouse.move(x, y)
  await page.mouse.down()
  let going = true
  const loop = (async () => {
    for (let i = 0; going; i++) {
      await page.mouse.move(x + (i % 30) * 4, y - (i % 2))
      await page.waitForTimeout(40)
    }
    await page.mouse.up()
  })().catch(() => undefined) // the page closed under a failed test
  return {
    stop: async () => {
      going = false
      await loop
    },
  }
}

const state = (page: Page) => page.evaluate(() => ({ warmUp: window.__hypersd!.warmUp().state, paused: window.__hypersd!.backgroundPaused() }))

describe('background work and canvas drags', () => {
  // With the warm-up on, as the app opens by default (the harness turns it off unless asked).
  const app = appForSuite({ query: '?backend=wasm', warmUp: true })

  it("holds a graph's warm-up while the canvas is dragged, says so, and finishes it once the drag ends", async () => {
    const { page } = app
    await page.waitForFunction(() => window.__hypersd!.warmUp().state === 'done' && window.__hypersd!.idleWork().pending === 0, null, { timeout: 120_000 })
    const drag = await startDrag(page)
    // Opened mid-drag: its warm-up starts while the user pans.
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), graphText('tiny-sd15-4step.json'))
    await page.waitForFunction(() => window.__hypersd!.backgroundPaused(), null, { timeout: 30_000 })
    await expect.poll(() => page.getByTestId('warm-up-state').textContent()).toBe('loading models (paused)')
    // Held for as long as the drag goes on (the worker's hold lapses 1.5 s after the editor's last word).
    await page.waitForTimeout(2500)
    expect(await state(page)).toEqual({ warmUp: 'loading', paused: true })
    await drag.stop()
    await page.waitForFunction(() => window.__hypersd!.warmUp().state === 'done', null, { timeout: 120_000 })
    expect(await state(page)).toEqual({ warmUp: 'done', paused: false })
    expect(await page.evaluate(() => window.__hypersd!.warmUp().sessions.length)).toBeGreaterThan(0)
    expect(app.errors).toEqual([])
  })

  it('lets a run go while the canvas is dragged, with the warm-up it queued behind', async () => {
    const { page } = app
    const drag = await startDrag(page)
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), graphText('tiny-sdxl-4step.json'))
    await page.waitForFunction(() => window.__hypersd!.backgroundPaused(), null, { timeout: 30_000 })
    const before = await page.evaluate(() => window.__hypersd!.lastRun().runId)
    await page.evaluate(() => window.__hypersd!.run())
    // Still dragging: the run and the warm-up ahead of it go on.
    const run = await page.waitForFunction(
      (previous) => {
        const last = window.__hypersd!.lastRun()
        return last.runId !== previous && (last.status === 'done' || last.status === 'error') ? last : null
      },
      before,
      { timeout: 120_000, polling: 100 },
    )
    const last = (await run.jsonValue()) as { status: string; error?: string }
    expect(last.error ?? '').toBe('')
    expect(last.status).toBe('done')
    expect(await page.evaluate(() => window.__hypersd!.warmUp().state)).toBe('done')
    await drag.stop()
    expect(app.errors).toEqual([])
  })
})
