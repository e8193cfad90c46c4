// The sweep in the editor, in real Chromium on the WASM backend: a 2x2 sweep (sampler steps x live LoRA scale) on
// the tiny LoRA graph with an aesthetic reward node runs on the worker's engine (the text encoder runs once over
// the sweep, a scale change builds no UNet session), cancel keeps the cells done and Run again reuses them, the grid
// shows images and scores, the chart is drawn, the grid PNG reopens the sweep and the CSV has a row per cell, and
// forgetting the stored cells makes the sweep compute them again.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appForSuite, screenshot } from './harness.js'
import { dropFile } from './drop-file.js'
import type { SweepView } from '../../src/stores/sweep.js'

interface GraphJson {
  nodes: { id: string; type: string; title?: string; inputs: Record<string, unknown> }[]
  [key: string]: unknown
}

/** The live-LoRA graph at 64x64 with the LoRA on the UNet only and a reward node before saving, so cells have scores. */
function sweepGraph(): string {
  const graph = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-lora-4step.json'), 'utf8')) as GraphJson
  const latent = graph.nodes.find((n) => n.type === 'EmptyLatent')!
  latent.inputs = { ...latent.inputs, width: 64, height: 64 }
  const decode = graph.nodes.find((n) => n.type === 'VAEDecode')!
  const save = graph.nodes.find((n) => n.type === 'SaveImage')!
  graph.nodes.push({ id: '20', type: 'AestheticScore', title: 'Reward Score', inputs: { image: { from: [decode.id, 'image'] }, vision_model: 'tiny-clip-vision', head: 'aesthetic/aesthetic-mlp-l14.safetensors' } })
  save.inputs = { ...save.inputs, image: { from: ['20', 'image'] } }
  // The LoRA on the UNet only: the prompt's encoding then does not depend on the LoRA scale the sweep varies.
  const lora = graph.nodes.find((n) => n.type === 'UNetLoRA')!
  const encoder = graph.nodes.find((n) => n.type === 'CLIPTextEncode')!
  const { clip: _clip, ...loraInputs } = lora.inputs
  lora.inputs = loraInputs
  encoder.inputs = { ...encoder.inputs, clip: { from: ['1', 'clip'] } }
  return JSON.stringify(graph)
}

const view = (page: Page): Promise<SweepView> => page.evaluate(() => window.__hypersd!.sweep())

async function pickAxis(page: Page, index: number, node: string, input: string, values: string): Promise<void> {
  await page.selectOption(`[data-testid=sweep-node-${index}]`, node)
  await page.selectOption(`[data-testid=sweep-input-${index}]`, input)
  await page.fill(`[data-testid=sweep-values-${index}]`, values)
}

describe('sweep panel', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('runs a 2x2 sweep through the engine cache, cancels, resumes, charts, saves and reopens it', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), sweepGraph())
    const types = await page.evaluate(() => window.__hypersd!.nodeTypes())
    const id = (type: string) => Object.entries(types).find(([, t]) => t === type)![0]
    const [sampler, lora, encoder] = [id('TSCDSampler'), id('UNetLoRA'), id('CLIPTextEncode')]

    await page.click('[data-testid=sweep-button]')
    await page.locator('[data-testid=sweep-panel]').waitFor()
    // Values are checked live; the error names the axis, the node and the input.
    await pickAxis(page, 0, sampler, 'steps', '1,x')
    await expect.poll(() => page.locator('[data-testid=sweep-form-error]').textContent()).toMatch(new RegExp(`axis 1.*${sampler}.*steps`))
    expect(await page.locator('[data-testid=sweep-run]').isDisabled()).toBe(true)
    await page.fill('[data-testid=sweep-values-0]', '1,2')
    await page.click('[data-testid=sweep-add-axis]')
    await pickAxis(page, 1, lora, 'scale', '0.5:1:0.5')
    await expect.poll(() => page.locator('[data-testid=sweep-form-error]').count()).toBe(0)

    // Run, and cancel as soon as the first cell is in (a MutationObserver clicks Cancel without a round trip).
    await page.evaluate(() => {
      const progress = document.querySelector('[data-testid=sweep-progress]')!
      const observer = new MutationObserver(() => {
        if (/^[1-3] \/ 4 cells/.test(progress.textContent ?? '')) {
          observer.disconnect()
          document.querySelector<HTMLButtonElement>('[data-testid=sweep-cancel]')!.click()
        }
      })
      observer.observe(progress, { childList: true, characterData: true, subtree: true })
    })
    await page.click('[data-testid=sweep-run]')
    await page.waitForFunction(() => ['cancelled', 'done', 'error'].includes(window.__hypersd!.sweep().status), null, { timeout: 60_000 })
    const cancelled = await view(page)
    expect(cancelled.status, cancelled.error ?? '').toBe('cancelled')
    expect(cancelled.done).toBeGreaterThanOrEqual(1)
    expect(cancelled.done).toBeLessThan(4)
    const kept = cancelled.cells.filter((c) => c.done).length
    expect(kept).toBe(cancelled.done)

    // Run again: the cells done come from the IndexedDB cell store, the rest are computed.
    await page.click('[data-testid=sweep-run]')
    await page.waitForFunction(() => ['cancelled', 'done', 'error'].includes(window.__hypersd!.sweep().status), null, { timeout: 60_000 })
    const resumed = await view(page)
    expect(resumed.status, resumed.error ?? '').toBe('done')
    expect(resumed.reused).toBe(kept)
    expect(await page.locator('[data-testid=sweep-progress]').textContent()).toContain(`4 / 4 cells · ${kept} reused`)
    // One engine cache over both runs: the prompt was encoded for the first cell only.
    expect(resumed.cells.filter((c) => c.nodesRun.includes(encoder)).map((c) => c.index)).toEqual([0])
    // Each cell is its own image (a cell cut short by Cancel may finish from the nodes it had cached).
    expect(new Set(resumed.cells.map((c) => c.scores['Reward Score.score'])).size).toBe(4)
    // Live LoRA: cells change scale and steps without a UNet session per scale. Over both runs the UNet is built at
    // most twice: merged at the first cell's scale (the first image's session, src/lora/first-session.ts), and in
    // the live form at the first other scale (unless idle work between the runs built it).
    const unetBuilt = [...cancelled.sessionsCreated, ...resumed.sessionsCreated].filter((k) => k.includes('/unet/'))
    expect(unetBuilt.filter((k) => k.includes(':live:')).length).toBeLessThanOrEqual(1)
    expect(unetBuilt.filter((k) => !k.includes(':live:') && !k.endsWith('#first'))).toEqual([])
    expect(resumed.sessionsCreated.filter((k) => k.endsWith('#first'))).toEqual([])
    for (const cell of resumed.cells) expect(Object.keys(cell.scores)).toContain('Reward Score.score')

    const cells = page.locator('[data-testid=sweep-cell]')
    expect(await cells.count()).toBe(4)
    // Blob URLs load after the status changes: wait until every cell's image has decoded.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=sweep-cell] img')].filter((img) => img.complete && img.naturalWidth > 0).length === 4)
    const shown = await cells.evaluateAll((els) =>
      els.map((el) => ({ x: el.getAttribute('data-x'), y: el.getAttribute('data-y'), seed: el.getAttribute('data-seed'), image: (el.querySelector('img')?.naturalWidth ?? 0) > 0, scores: el.querySelectorAll('[data-testid=sweep-cell-score]').length })),
    )
    expect(shown.map((c) => `${c.x}x${c.y}`)).toEqual(['1x0.5', '2x0.5', '1x1', '2x1'])
    expect(shown.every((c) => c.image && c.scores > 0 && c.seed === '42')).toBe(true)
    expect(await page.locator('[data-testid=sweep-col-label]').allTextContents()).toEqual(['1', '2'])
    expect(await page.locator('[data-testid=sweep-x-title]').textContent()).toContain('steps')
    // The chart: vega draws SVG into the page, lines of the scores against steps.
    await page.locator('[data-testid=sweep-chart][data-state=drawn] svg').waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid=sweep-chart] svg').textContent()).toContain('steps')
    await screenshot(page, 'sweep-panel')
    await page.locator('[data-testid=sweep-chart]').scrollIntoViewIfNeeded()
    await screenshot(page, 'sweep-chart')

    // CSV: a header and one row per cell.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=sweep-save-csv]')])
    const csv = readFileSync(await csvDownload.path(), 'utf8').trim().split('\r\n')
    expect(csv).toHaveLength(5)
    expect(csv[0]).toMatch(/steps,.*scale,seed,Reward Score\.score/)
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=sweep-save-json]')])
    const report = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as { complete: boolean; cells: unknown[] }
    expect(report.complete).toBe(true)
    expect(report.cells).toHaveLength(4)

    // The grid PNG carries the definition: change the form, drop the PNG, the form comes back.
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=sweep-save-png]')])
    const png = readFileSync(await pngDownload.path())
    await page.fill('[data-testid=sweep-values-0]', '3')
    await page.click('[data-testid=sweep-close]')
    await page.locator('[data-testid=sweep-panel]').waitFor({ state: 'detached' })
    await dropFile(page, 'grid.png', [...png], 'image/png')
    await page.locator('[data-testid=sweep-panel]').waitFor()
    const reopened = await view(page)
    expect(reopened.axes).toEqual([
      { node: sampler, input: 'steps', values: '1,2' },
      { node: lora, input: 'scale', values: '0.5,1' },
    ])
    expect(await page.locator('[data-testid=sweep-source]').textContent()).toContain('grid.png')
    // Running it again is all reuse (same cells, same keys).
    await page.click('[data-testid=sweep-run]')
    await page.waitForFunction(() => window.__hypersd!.sweep().status === 'done', null, { timeout: 30_000 })
    expect((await view(page)).reused).toBe(4)

    // The panel shows what the cell store holds; forgetting it makes the same sweep compute every cell again.
    const stored = page.locator('[data-testid=sweep-stored-cells]')
    await expect.poll(async () => Number(await stored.getAttribute('data-count'))).toBeGreaterThanOrEqual(4)
    await page.click('[data-testid=sweep-clear-cells]')
    await expect.poll(() => stored.getAttribute('data-count')).toBe('0')
    await page.click('[data-testid=sweep-run]')
    await page.waitForFunction(() => window.__hypersd!.sweep().status === 'done', null, { timeout: 60_000 })
    expect((await view(page)).reused).toBe(0)
    await expect.poll(() => stored.getAttribute('data-count')).toBe('4')

    // Clicking a cell opens its graph in the editor (the graph is unchanged since loading, so nothing is asked).
    await page.locator('[data-testid=sweep-cell][data-x="2"][data-y="0.5"]').click()
    await page.locator('[data-testid=sweep-panel]').waitFor({ state: 'detached' })
    const opened = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as GraphJson
    expect(opened.nodes.find((n) => n.id === sampler)!.inputs['steps']).toBe(2)
    expect(opened.nodes.find((n) => n.id === lora)!.inputs['scale']).toBe(0.5)
    expect(app.errors).toEqual([])
  })
})
