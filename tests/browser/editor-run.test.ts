// The editor in a real Chromium on the built app, running graphs: the default graph (the bundled shapes model) draws
// its prompt on WASM; then, on the tiny SD1.5 twin, partial re-runs, cancel, PNG round trip, run errors that keep
// the graph and cache, and forcing a backend in Settings.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dropFile } from './drop-file.js'
import { appForSuite, canvasColoursAround, lastRun, nodeIdsByType, outputPixels, runOnce, screenshot, typesOf, waitForRunAfter } from './harness.js'

const TINY_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')

/** Mean RGB of the pixels in [x0, x1) x [y0, y1). */
function meanColour(image: { width: number; data: number[] }, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0]
  let n = 0
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      for (let c = 0; c < 3; c++) sum[c]! += image.data[(y * image.width + x) * 4 + c]!
      n++
    }
  }
  return sum.map((v) => v / n)
}

function pixelSpread(data: readonly number[]): number {
  let min = 255
  let max = 0
  for (let i = 0; i < data.length; i += 4) {
    min = Math.min(min, data[i]!)
    max = Math.max(max, data[i]!)
  }
  return max - min
}

describe('editor on WASM', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('shows the default graph, and Run draws its prompt with the bundled shapes model on the WASM backend', async () => {
    const { page } = app
    await expect(page.locator('[data-testid=graph-canvas]').isVisible()).resolves.toBe(true)
    const byType = await nodeIdsByType(page)
    for (const type of ['LoadPipeline', 'UNetLoRA', 'CLIPTextEncode', 'EmptyLatent', 'TSCDSampler', 'VAEDecode', 'SceneScore', 'SaveImage']) expect(byType[type], type).toHaveLength(1)
    await expect(page.locator('[data-testid=backend-indicator]').textContent()).resolves.toBe('wasm')
    // COOP/COEP make the page cross-origin isolated, so the WASM backend may use threads.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
    await expect(page.locator('[data-testid=backend-indicator]').getAttribute('title')).resolves.toMatch(/^WASM, \d+ threads?/)

    const previous = (await lastRun(page)).runId
    await page.click('[data-testid=run-button]')
    // Before the sampler reports steps, the progress label names the node at work, or the stage it reported.
    await page.waitForFunction(() => /^(Load Pipeline|Hyper-SD LoRA|Prompt|Loading text encoder…|Encoding prompt…) · \d+\.\d s$/.test(document.querySelector('[data-testid=progress] .label')?.textContent ?? ''), null, { timeout: 60_000, polling: 10 })
    const run = await waitForRunAfter(page, previous)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.backend).toBe('wasm')
    expect(await typesOf(page, run.nodesRun)).toEqual(['CLIPTextEncode', 'EmptyLatent', 'LoadPipeline', 'SaveImage', 'SceneScore', 'TSCDSampler', 'UNetLoRA', 'VAEDecode'])
    const image = await outputPixels(page)
    expect([image.width, image.height]).toEqual([64, 64])
    // The default prompt is "a large green triangle in the top right on a yellow background": yellow (240, 210, 40)
    // in the bottom-left corner, green (50, 170, 70) in the top-right quarter's middle.
    const corner = meanColour(image, 0, 58, 6, 64)
    const object = meanColour(image, 44, 14, 52, 22)
    expect(corner[0]!, `corner ${corner.map(Math.round).join(',')}`).toBeGreaterThan(180)
    expect(corner[2]!, `corner ${corner.map(Math.round).join(',')}`).toBeLessThan(110)
    expect(object[1]!, `object ${object.map(Math.round).join(',')}`).toBeGreaterThan(120)
    expect(object[0]!, `object ${object.map(Math.round).join(',')}`).toBeLessThan(130)
    // Scene Score shows its values on its output rows (the shipped layout leaves no room for lines below): the
    // value colour left of the "ms_per_image" label, where nothing was drawn before the run.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
    const scoreNode = byType['SceneScore']![0]!
    const slot = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'ms_per_image'), scoreNode))!
    const strip = await canvasColoursAround(page, slot.x - 110, slot.y, 40)
    const valueBlue = strip.filter(([r, g, b]) => b > 200 && b - r > 60 && g > 150)
    expect(valueBlue.length, 'value pixels left of ms_per_image').toBeGreaterThan(0)
    await screenshot(page, 'editor-default-run')
    expect(app.errors).toEqual([])
  })

  it('opens the tiny SD1.5 twin and Run produces an image', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), TINY_GRAPH)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(await typesOf(page, run.nodesRun)).toEqual(['CLIPTextEncode', 'EmptyLatent', 'LoadPipeline', 'SaveImage', 'TSCDSampler', 'VAEDecode'])
    const image = await outputPixels(page)
    expect([image.width, image.height]).toEqual([256, 256])
    // A decoded image, not a blank: the tiny model's output has structure across the frame.
    expect(pixelSpread(image.data)).toBeGreaterThan(64)
  })

  it('changing only the seed re-runs the sampler, decode and output nodes', async () => {
    const { page } = app
    const before = await outputPixels(page)
    const [samplerId] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 43), samplerId!)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(await typesOf(page, run.nodesRun)).toEqual(['SaveImage', 'TSCDSampler', 'VAEDecode'])
    expect(await typesOf(page, run.nodesCached)).toEqual(['CLIPTextEncode', 'EmptyLatent', 'LoadPipeline'])
    const after = await outputPixels(page)
    expect(after.src).not.toBe(before.src)
    expect(after.data).not.toEqual(before.data)

    // Each node's state is drawn on the canvas as a coloured outline just left of the node: cached ones blue
    // (#60a5fa), the ones that ran grey (#a3a3a3).
    type Layout = { layout: { nodes: Record<string, { pos: [number, number]; size: [number, number] }>; viewport: { offset: [number, number]; scale: number } } }
    const { layout } = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as Layout
    const box = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    const outline = async (type: string): Promise<[number, number, number][]> => {
      const [id] = (await nodeIdsByType(page))[type]!
      const node = layout.nodes[id!]!
      const x = box.x + (node.pos[0] - 3 + layout.viewport.offset[0]) * layout.viewport.scale
      const y = box.y + (node.pos[1] + node.size[1] / 2 + layout.viewport.offset[1]) * layout.viewport.scale
      return canvasColoursAround(page, x, y)
    }
    const near = (target: [number, number, number]) => (colours: [number, number, number][]) => colours.some((c) => c.every((v, i) => Math.abs(v - target[i]!) < 40))
    expect(near([0x60, 0xa5, 0xfa])(await outline('LoadPipeline'))).toBe(true)
    expect(near([0x60, 0xa5, 0xfa])(await outline('CLIPTextEncode'))).toBe(true)
    expect(near([0xa3, 0xa3, 0xa3])(await outline('TSCDSampler'))).toBe(true)
    expect(near([0x60, 0xa5, 0xfa])(await outline('TSCDSampler'))).toBe(false)
  })

  it('cancel mid-run leaves the app idle, and the next run works', async () => {
    const { page } = app
    const byType = await nodeIdsByType(page)
    const samplerId = byType['TSCDSampler']![0]!
    const latentId = byType['EmptyLatent']![0]!
    // A bigger latent and more steps make each UNet step long enough to cancel in the middle of the loop.
    await page.evaluate(([sampler, latent]) => {
      window.__hypersd!.setValue(sampler!, 'steps', 8)
      window.__hypersd!.setValue(latent!, 'width', 768)
      window.__hypersd!.setValue(latent!, 'height', 768)
    }, [samplerId, latentId])
    const previous = (await lastRun(page)).runId
    // Run and cancel from the keyboard (the buttons call the same commands).
    await page.locator('[data-testid=graph-canvas]').focus()
    await page.keyboard.press('Control+Enter')
    await page.waitForFunction(() => /step [1-6] of 8 · \d+\.\d s/.test(document.querySelector('[data-testid=progress]')?.textContent ?? ''), null, { timeout: 60_000, polling: 10 })
    // The progress events carry a live latent preview, drawn in the side panel while sampling.
    expect(await page.evaluate(() => document.querySelector<HTMLCanvasElement>('.live-preview canvas')?.width ?? 0)).toBeGreaterThan(0)
    await page.keyboard.press('Control+Alt+Enter')
    const cancelled = await waitForRunAfter(page, previous, 10_000)
    expect(cancelled.status).toBe('cancelled')
    await expect(page.locator('[data-testid=cancel-button]').isDisabled()).resolves.toBe(true)
    await expect(page.locator('[data-testid=progress]').getAttribute('data-state')).resolves.toBe('cancelled')
    await screenshot(page, 'editor-cancelled')

    await page.evaluate(([sampler, latent]) => {
      window.__hypersd!.setValue(sampler!, 'steps', 4)
      window.__hypersd!.setValue(latent!, 'width', 256)
      window.__hypersd!.setValue(latent!, 'height', 256)
      window.__hypersd!.setValue(sampler!, 'seed', 7)
    }, [samplerId, latentId])
    const next = await runOnce(page)
    expect(next.status, next.error ?? '').toBe('done')
    // The latent size went back to 256, so the latent re-runs too; the prompt encoding is still cached.
    expect(await typesOf(page, next.nodesRun)).toEqual(['EmptyLatent', 'SaveImage', 'TSCDSampler', 'VAEDecode'])
    expect(await typesOf(page, next.nodesCached)).toEqual(['CLIPTextEncode', 'LoadPipeline'])
  })

  it('the downloaded PNG carries the graph: dropping it back opens that graph', async () => {
    const { page } = app
    const [samplerId] = (await nodeIdsByType(page))['TSCDSampler']!
    const png = await page.evaluate(async () => {
      const src = document.querySelector<HTMLImageElement>('[data-testid=output-image]')!.src
      return [...new Uint8Array(await (await fetch(src)).arrayBuffer())]
    })
    const seedInPng = 7
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 999), samplerId!)
    await dropFile(page, 'result.png', png, 'image/png')
    await page.waitForFunction(
      ([id, seed]) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: { seed?: number } }[] }).nodes.find((n) => n.id === id)?.inputs.seed === seed,
      [samplerId!, seedInPng] as const,
    )
  })

  it('a run error names the node and input in the error panel, and the graph and cache survive it', async () => {
    const { page } = app
    const [latentId] = (await nodeIdsByType(page))['EmptyLatent']!
    const graphBefore = await page.evaluate(() => window.__hypersd!.graphJson())
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'width', 100000), latentId!)
    const failed = await runOnce(page)
    expect(failed.status).toBe('error')
    const panel = page.locator('[data-testid=error-panel]')
    await expect(panel.isVisible()).resolves.toBe(true)
    const text = (await panel.textContent()) ?? ''
    expect(text).toContain(`#${latentId}`)
    expect(text).toContain('width')
    await screenshot(page, 'editor-run-error')

    // The panel stays above the node textareas: zoomed in on the note, its textarea spreads under the panel.
    const [noteId] = (await nodeIdsByType(page))['Note']!
    const note = (JSON.parse(graphBefore) as { layout: { nodes: Record<string, { pos: [number, number]; size: [number, number] }> } }).layout.nodes[noteId!]!
    await page.evaluate((at) => window.__hypersd!.zoom(5, at), [note.pos[0] + note.size[0] / 2, note.pos[1] + note.size[1] / 2] as [number, number])
    const panelBox = (await panel.boundingBox())!
    const probe = { x: panelBox.x + 20, y: panelBox.y + 10 }
    // The textarea follows the zoom on the canvas's next drawn frame, so this polls rather than reading once.
    const underPanel = async (): Promise<boolean> => {
      const noteBox = await page.locator(`textarea.node-textarea[data-node-id="${noteId}"]`).boundingBox()
      return noteBox !== null && probe.x > noteBox.x && probe.x < noteBox.x + noteBox.width && probe.y > noteBox.y && probe.y < noteBox.y + noteBox.height
    }
    await expect.poll(underPanel, { timeout: 3000 }).toBe(true)
    expect(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('[data-testid=error-panel]') !== null, probe)).toBe(true)

    // Fixing the value the error named clears it (tests/browser/editor-state.test.ts covers when errors clear).
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'width', 256), latentId!)
    await panel.waitFor({ state: 'detached' })
    type Nodes = { nodes: unknown[] }
    expect((JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as Nodes).nodes).toEqual((JSON.parse(graphBefore) as Nodes).nodes)
    const again = await runOnce(page)
    expect(again.status, again.error ?? '').toBe('done')
    // The failed run did not throw away the engine cache: nothing upstream had to run again.
    expect(again.nodesRun).toEqual([])
  })

  it('forcing a backend in Settings restarts the worker; without a WebGPU adapter it says so and runs on WASM, keeping the graph', async () => {
    const { page } = app
    const [samplerId] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'steps', 2), samplerId!)
    const edited = await page.evaluate(() => window.__hypersd!.graphJson())
    const indicator = page.locator('[data-testid=backend-indicator]')
    try {
      await page.click('.tabs button:has-text("Settings")')
      await page.selectOption('[data-testid=backend-select]', 'webgpu')
      // This Chromium runs without --enable-unsafe-webgpu: no adapter, so the new worker falls back and says why.
      await page.waitForFunction(() => document.querySelector('[data-testid=backend-indicator]')?.getAttribute('data-state') === 'ready')
      await expect(indicator.textContent()).resolves.toBe('wasm')
      await expect(indicator.getAttribute('title')).resolves.toContain('no WebGPU adapter')
      await expect(page.locator('.settings .hint', { hasText: 'Running on' }).textContent()).resolves.toContain('no WebGPU adapter')
      expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(edited)
      // A new worker has a new engine: everything runs once more, then the cache works again.
      const first = await runOnce(page)
      expect(first.status, first.error ?? '').toBe('done')
      expect(first.backend).toBe('wasm')
      expect(first.nodesCached).toEqual([])
      const second = await runOnce(page)
      expect(second.nodesRun).toEqual([])
    } finally {
      await page.selectOption('[data-testid=backend-select]', 'auto')
      await page.waitForFunction(() => document.querySelector('[data-testid=backend-indicator]')?.getAttribute('data-state') === 'ready')
      await page.click('.tabs button:has-text("Output")')
      await page.evaluate((id) => window.__hypersd!.setValue(id, 'steps', 4), samplerId!)
    }
  })
})
