// Comparing what you tried, and an Output panel that tells the truth: the tiny random-weight model's noise is
// announced as expected, gallery items name what changed since the run before, two items compare side by side or
// with a slider, results belong to the graph that made them (opening another graph clears the Output panel and the
// Save Image preview), and the gallery survives a reload and can be cleared. (Naming a trained model is unit-tested
// in tests/ui/model-notice.test.ts; one cold model load keeps this file short.)
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, runOnce, screenshot, waitReady } from './harness.js'

const TINY_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
const SHAPES_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/shapes-4step.json'), 'utf8')

const labels = (page: Page): Promise<string[]> => page.locator('[data-testid=gallery-label]').allTextContents()
const tab = (page: Page, name: string): Promise<void> => page.click(`.tabs button:has-text("${name}")`)

async function loadGraph(page: Page, text: string): Promise<void> {
  await page.evaluate((json) => window.__hypersd!.loadGraph(json), text)
}

/** Waits until Save Image (node 6 in both graphs) shows an output image on the canvas, or shows none. */
async function saveNodeShowsImage(page: Page, shown: boolean): Promise<void> {
  await page.waitForFunction((want) => window.__hypersd!.nodeResults('6').image === want, shown)
}

describe('gallery and Output panel', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('warns of noise before the tiny graph runs, and says its noise is expected after', async () => {
    const { page } = app
    await loadGraph(page, TINY_GRAPH)
    const empty = page.locator('[data-testid=output-empty]')
    await empty.waitFor()
    await expect(empty.textContent()).resolves.toContain('Run the graph (Ctrl+Enter) to see its image here')
    await expect(empty.locator('[data-testid=output-model-notice]').textContent()).resolves.toContain('tiny-sd15 is a bundled tiny model with random weights')

    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const notice = page.locator('[data-testid=output-model-notice]')
    await expect(notice.getAttribute('data-kind')).resolves.toBe('noise')
    await expect(notice.textContent()).resolves.toMatch(/^This picture is noise, as expected: the bundled tiny model “tiny-sd15” .* has random weights/)
    await expect(page.locator('[data-testid=output-empty]').count()).resolves.toBe(0)
    await saveNodeShowsImage(page, true)
    await screenshot(page, 'gallery-noise-notice')
  })

  it('labels each gallery item with what changed since the run before', async () => {
    const { page } = app
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 43), sampler!)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    await tab(page, 'Gallery')
    // The app opened on the shapes graph, so the first tiny image may follow none (a fresh profile): seed and steps.
    await expect(page.locator('[data-testid=gallery-item]').count()).resolves.toBe(2)
    expect(await labels(page)).toEqual(['seed 42 → 43', 'seed 42 · 4 steps'])
    await screenshot(page, 'gallery-labels')
  })

  it('compares two items side by side and with a slider, listing their differences', async () => {
    const { page } = app
    const items = page.locator('[data-testid=gallery-item]')
    await expect(page.locator('[data-testid=gallery-compare]').isDisabled()).resolves.toBe(true)
    // A: the seed-42 run, B: the seed-43 one.
    await items.nth(1).locator('[data-testid=gallery-pick]').check()
    await items.nth(0).locator('[data-testid=gallery-pick]').check()
    await page.click('[data-testid=gallery-compare]')
    const view = page.locator('[data-testid=compare-view]')
    await view.waitFor()
    const urls = await items.evaluateAll((figures) => figures.map((f) => f.querySelector('img')!.src))
    await expect(view.locator('[data-testid=compare-a] img').getAttribute('src')).resolves.toBe(urls[1])
    await expect(view.locator('[data-testid=compare-b] img').getAttribute('src')).resolves.toBe(urls[0])
    for (const side of ['a', 'b']) {
      expect(await view.locator(`[data-testid=compare-${side}] img`).evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBeGreaterThan(0)
    }
    await expect(view.locator('[data-testid=compare-diff-row]').allTextContents()).resolves.toEqual(['seed 42 → 43'])
    await screenshot(page, 'gallery-compare-side')

    await page.click('[data-testid=compare-mode-slider]')
    const slider = view.locator('[data-testid=compare-slider]')
    await slider.waitFor()
    const box = (await slider.boundingBox())!
    const y = box.y + box.height / 2
    await page.mouse.move(box.x + box.width * 0.5, y)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.2, y, { steps: 4 })
    await page.mouse.up()
    const at = Number(await view.locator('[data-testid=compare-divider]').getAttribute('aria-valuenow'))
    expect(at).toBeGreaterThanOrEqual(18)
    expect(at).toBeLessThanOrEqual(22)
    // A shows left of the divider only, B right of it, as side by side has them.
    await expect(view.locator('img[data-testid=compare-a]').evaluate((img: HTMLElement) => img.style.clipPath)).resolves.toMatch(/^inset\(0(px)? 8\d(\.\d+)?% 0(px)? 0(px)?\)$/)
    await expect(view.locator('img[data-testid=compare-b]').evaluate((img: HTMLElement) => img.style.clipPath)).resolves.toBe('')
    await expect(view.locator('.tag.left').textContent()).resolves.toBe('A')
    await screenshot(page, 'gallery-compare-slider')
    await page.click('[data-testid=compare-close]')
    await expect(view.count()).resolves.toBe(0)
  })

  it('opening another graph clears the Output panel and the Save Image preview; the gallery keeps its images', async () => {
    const { page } = app
    await tab(page, 'Output')
    await expect(page.locator('[data-testid=output-params]').textContent()).resolves.toContain('time: ')
    await loadGraph(page, SHAPES_GRAPH)
    const empty = page.locator('[data-testid=output-empty]')
    await empty.waitFor()
    // Nothing of the tiny graph's run is left: no image, no parameters or node timings, no noise notice (the shapes
    // model is trained), no preview on Save Image.
    await expect(page.locator('[data-testid=output-image]').count()).resolves.toBe(0)
    await expect(page.locator('[data-testid=output-params]').count()).resolves.toBe(0)
    await expect(page.locator('[data-testid=output-model-notice]').count()).resolves.toBe(0)
    await expect(page.locator('.output-panel').textContent()).resolves.not.toMatch(/time: |tiny-sd15|seed|noise/)
    await saveNodeShowsImage(page, false)
    expect(await page.evaluate(() => window.__hypersd!.nodeResults('6'))).toEqual({ image: false, values: [] })
    // Nor does the toolbar keep saying how long the other graph's run took.
    await expect(page.locator('[data-testid=progress] .label').textContent()).resolves.toBe('ready')
    await expect(page.locator('[data-testid=gallery-item]').count()).resolves.toBe(2)
    await screenshot(page, 'gallery-output-empty')
  })

  it('keeps the gallery across a reload, and Clear empties it for good', async () => {
    const { page } = app
    await tab(page, 'Gallery')
    const before = await labels(page)
    await page.reload()
    await waitReady(page)
    // The restored graph has made no image in this page yet: the Output panel says so, the gallery has them all.
    await page.locator('[data-testid=output-empty]').waitFor()
    await tab(page, 'Gallery')
    await page.locator('[data-testid=gallery][data-restored=true]').waitFor()
    expect(await labels(page)).toEqual(before)
    await expect(page.locator('[data-testid=gallery-cap]').textContent()).resolves.toContain('the oldest are dropped first')
    await screenshot(page, 'gallery-restored')

    await page.click('[data-testid=gallery-clear]')
    await expect(page.locator('[data-testid=gallery-item]').count()).resolves.toBe(0)
    await page.locator('[data-testid=gallery-empty]').waitFor()
    await page.reload()
    await waitReady(page)
    await tab(page, 'Gallery')
    // Once the stored gallery has been read back, it is still empty.
    await page.locator('[data-testid=gallery][data-restored=true]').waitFor()
    await expect(page.locator('[data-testid=gallery-item]').count()).resolves.toBe(0)
    expect(app.errors).toEqual([])
  })
})
