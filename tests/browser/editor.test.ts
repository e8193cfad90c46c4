// The editor in a real Chromium on the built app: default graph, WASM run, partial re-runs, cancel, autosave
// restore, text-only rendering of file strings, and refusal of malformed files.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canvasColoursAround, lastRun, nodeIdsByType, openApp, outputPixels, runOnce, screenshot, typesOf, waitForRunAfter, waitReady, type AppSession } from './harness.js'

const DEFAULT_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
const COMFY_WORKFLOW = readFileSync(resolve(import.meta.dirname, '../graph/fixtures/comfyui/default-lora-note.workflow.json'), 'utf8')

/** Drops a file on the app the way a file manager does (a DataTransfer carrying a File). */
async function dropFile(page: import('playwright-core').Page, name: string, bytes: number[] | string, type: string): Promise<void> {
  await page.evaluate(
    ({ name, bytes, type }) => {
      const data = typeof bytes === 'string' ? bytes : new Uint8Array(bytes)
      const transfer = new DataTransfer()
      transfer.items.add(new File([data], name, { type }))
      document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    },
    { name, bytes, type },
  )
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
  let app: AppSession

  beforeAll(async () => {
    app = await openApp({ query: '?backend=wasm' })
  })

  afterAll(async () => {
    await app?.close()
  })

  it('shows the default graph and Run produces an image on the WASM backend', async () => {
    const { page } = app
    await expect(page.locator('[data-testid=graph-canvas]').isVisible()).resolves.toBe(true)
    const byType = await nodeIdsByType(page)
    for (const type of ['LoadPipeline', 'CLIPTextEncode', 'EmptyLatent', 'TSCDSampler', 'VAEDecode', 'SaveImage']) expect(byType[type], type).toHaveLength(1)
    await expect(page.locator('[data-testid=backend-indicator]').textContent()).resolves.toBe('wasm')
    // COOP/COEP make the page cross-origin isolated, so the WASM backend may use threads.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
    await expect(page.locator('[data-testid=backend-indicator]').getAttribute('title')).resolves.toMatch(/^WASM, \d+ threads?/)

    const previous = (await lastRun(page)).runId
    await page.click('[data-testid=run-button]')
    // Before the sampler reports steps, the progress label names the node at work (loading, text encoding).
    await page.waitForFunction(() => /^(Load Pipeline|Prompt) · \d+\.\d s$/.test(document.querySelector('[data-testid=progress] .label')?.textContent ?? ''), null, { timeout: 60_000, polling: 10 })
    const run = await waitForRunAfter(page, previous)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.backend).toBe('wasm')
    expect(await typesOf(page, run.nodesRun)).toEqual(['CLIPTextEncode', 'EmptyLatent', 'LoadPipeline', 'SaveImage', 'TSCDSampler', 'VAEDecode'])
    const image = await outputPixels(page)
    expect([image.width, image.height]).toEqual([256, 256])
    // A decoded image, not a blank: the tiny model's output has structure across the frame.
    expect(pixelSpread(image.data)).toBeGreaterThan(64)
    await screenshot(page, 'editor-default-run')
    expect(app.errors).toEqual([])
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

    await page.evaluate((id) => window.__hypersd!.setValue(id, 'width', 256), latentId!)
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(graphBefore)
    // The panel stays above the node textareas: zoomed in on the note, its textarea spreads under the panel.
    const [noteId] = (await nodeIdsByType(page))['Note']!
    const note = (JSON.parse(graphBefore) as { layout: { nodes: Record<string, { pos: [number, number]; size: [number, number] }> } }).layout.nodes[noteId!]!
    await page.evaluate((at) => window.__hypersd!.zoom(5, at), [note.pos[0] + note.size[0] / 2, note.pos[1] + note.size[1] / 2] as [number, number])
    const panelBox = (await panel.boundingBox())!
    const noteBox = (await page.locator(`textarea.node-textarea[data-node-id="${noteId}"]`).boundingBox())!
    const probe = { x: panelBox.x + 20, y: panelBox.y + 10 }
    expect(probe.x > noteBox.x && probe.x < noteBox.x + noteBox.width && probe.y > noteBox.y && probe.y < noteBox.y + noteBox.height).toBe(true)
    expect(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('[data-testid=error-panel]') !== null, probe)).toBe(true)
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

describe('graph files in the editor', () => {
  let app: AppSession

  beforeAll(async () => {
    app = await openApp({ query: '?backend=wasm' })
  })

  afterAll(async () => {
    await app?.close()
  })

  it('refuses links of the wrong type and links that close a cycle, and says why', async () => {
    const { page } = app
    const byType = await nodeIdsByType(page)
    const sampler = byType['TSCDSampler']![0]!
    const decode = byType['VAEDecode']![0]!
    const links = await page.evaluate(() => window.__hypersd!.linkCount())
    const drag = async (from: { x: number; y: number } | null, to: { x: number; y: number } | null): Promise<void> => {
      expect(from).not.toBeNull()
      expect(to).not.toBeNull()
      await page.mouse.move(from!.x, from!.y)
      await page.mouse.down()
      await page.mouse.move((from!.x + to!.x) / 2, (from!.y + to!.y) / 2, { steps: 4 })
      await page.mouse.move(to!.x, to!.y, { steps: 4 })
      await page.mouse.up()
    }
    // IMAGE output into the sampler's LATENT input: a type mismatch (litegraph's type check refuses it).
    await drag(
      await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'image'), decode),
      await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'latent'), sampler),
    )
    expect(await page.evaluate(() => window.__hypersd!.linkCount())).toBe(links)
    // A second sampler fed by the first; then its output back into the first one's latent input closes a cycle.
    const box = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.dblclick(box.x + 120, box.y + box.height - 120)
    await page.locator('[data-testid=node-search] input').fill('tscd')
    await page.keyboard.press('Enter')
    const second = await page.waitForFunction(
      (first) => Object.entries(window.__hypersd!.nodeTypes()).find(([id, type]) => type === 'TSCDSampler' && id !== first)?.[0],
      sampler,
    )
    const sampler2 = (await second.jsonValue()) as string
    await drag(
      await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), sampler),
      await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'latent'), sampler2),
    )
    await page.waitForFunction((n) => window.__hypersd!.linkCount() === n + 1, links)
    await drag(
      await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), sampler2),
      await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'latent'), sampler),
    )
    await expect(page.locator('.toast.warn').last().textContent()).resolves.toMatch(/cycle/)
    expect(await page.evaluate(() => window.__hypersd!.linkCount())).toBe(links + 1)
    const graph = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    // The first sampler still takes its latent from the Empty Latent node.
    expect(graph.nodes.find((n) => n.id === sampler)!.inputs['latent']).toEqual({ from: [byType['EmptyLatent']![0], 'latent'] })
    await screenshot(page, 'editor-link-refused')
    // Undo removes the added link and node again.
    await page.locator('[data-testid=graph-canvas]').focus()
    await page.keyboard.press('Control+z')
    await page.keyboard.press('Control+z')
    await page.waitForFunction((n) => window.__hypersd!.linkCount() === n && Object.keys(window.__hypersd!.nodeTypes()).length === 7, links)
    await page.keyboard.press('Control+Shift+z')
    await page.waitForFunction(() => Object.keys(window.__hypersd!.nodeTypes()).length === 8)
    await page.keyboard.press('Control+z')
    await page.waitForFunction(() => Object.keys(window.__hypersd!.nodeTypes()).length === 7)
  })

  it('reloading restores an edited graph with its unsaved-changes mark', async () => {
    const { page } = app
    const countBefore = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length
    await expect(page.locator('[data-testid=unsaved-indicator]').count()).resolves.toBe(0)
    // Add a node the way a person does: double-click empty canvas, search, Enter.
    const box = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.dblclick(box.x + box.width - 60, box.y + box.height - 60)
    await page.locator('[data-testid=node-search] input').fill('prevw img')
    await screenshot(page, 'editor-node-search')
    await page.keyboard.press('Enter')
    await page.waitForFunction((n) => Object.keys(window.__hypersd!.nodeTypes()).length === n + 1, countBefore)
    await page.locator('[data-testid=unsaved-indicator]').waitFor({ state: 'visible', timeout: 5000 })
    const edited = await page.evaluate(() => window.__hypersd!.graphJson())
    expect(edited).toContain('"PreviewImage"')
    // Autosave is debounced; it is written well within a second.
    await page.waitForTimeout(1000)

    await page.reload()
    await waitReady(page)
    const types = Object.values(await page.evaluate(() => window.__hypersd!.nodeTypes()))
    expect(types).toHaveLength(countBefore + 1)
    expect(types).toContain('PreviewImage')
    await expect(page.locator('[data-testid=unsaved-indicator]').count()).resolves.toBe(1)
  })

  it('copy, paste, delete, save and open come from the keyboard shortcuts', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const count = async (): Promise<number> => Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length
    const initial = await count()
    await page.locator('[data-testid=graph-canvas]').focus()
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Control+c')
    await page.keyboard.press('Control+v')
    await page.waitForFunction((n) => Object.keys(window.__hypersd!.nodeTypes()).length === 2 * n, initial)
    // The pasted copies are selected; Delete removes them again.
    await page.keyboard.press('Delete')
    await page.waitForFunction((n) => Object.keys(window.__hypersd!.nodeTypes()).length === n, initial)
    expect(await count()).toBe(initial)
    // Back to the opened graph: nothing unsaved (the mark updates on Vue's next render). An edit marks it, and
    // Ctrl+S saves it.
    await page.locator('[data-testid=unsaved-indicator]').waitFor({ state: 'detached', timeout: 5000 })
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 5), sampler!)
    await page.locator('[data-testid=unsaved-indicator]').waitFor({ state: 'visible' })
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')])
    expect(download.suggestedFilename()).toMatch(/\.json$/)
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8')) as { format: string; nodes: unknown[] }
    expect(saved.format).toBe('hyper-sd-studio/graph')
    expect(saved.nodes).toHaveLength(initial)
    await page.locator('[data-testid=unsaved-indicator]').waitFor({ state: 'detached' })

    // Ctrl+G wraps the selection in a new group that encloses every selected node.
    type Layout = { layout: { groups: { bounding: number[] }[]; nodes: Record<string, { pos: number[]; size: number[] }> } }
    const groupsBefore = (JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as Layout).layout.groups.length
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Control+g')
    await page.waitForFunction((n) => (JSON.parse(window.__hypersd!.graphJson()) as Layout).layout.groups.length === n + 1, groupsBefore)
    const grouped = (JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as Layout).layout
    const [gx, gy, gw, gh] = grouped.groups[groupsBefore]!.bounding as [number, number, number, number]
    for (const { pos, size } of Object.values(grouped.nodes)) {
      expect(pos[0]!).toBeGreaterThanOrEqual(gx)
      expect(pos[1]!).toBeGreaterThanOrEqual(gy)
      expect(pos[0]! + size[0]!).toBeLessThanOrEqual(gx + gw)
      expect(pos[1]! + size[1]!).toBeLessThanOrEqual(gy + gh)
    }

    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Control+o')])
    expect(chooser.isMultiple()).toBe(false)
    const chosen = JSON.parse(DEFAULT_GRAPH) as { metadata: { name: string } }
    chosen.metadata.name = 'Chosen in the file dialog'
    await chooser.setFiles({ name: 'chosen.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(chosen)) })
    await page.waitForFunction(() => document.querySelector('.doc-name .name')?.textContent === 'Chosen in the file dialog')
  })

  it('queues runs, applies seed control after each, and a queued run can be removed', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => {
      window.__hypersd!.setValue(id, 'seed', 100)
      window.__hypersd!.setValue(id, 'seed control', 'increment')
    }, sampler!)
    const galleryBefore = await page.locator('.gallery-grid figure').count()
    const previous = (await lastRun(page)).runId
    await page.click('[data-testid=run-button]')
    await page.click('[data-testid=run-button]')
    await page.click('[data-testid=run-button]')
    await page.click('.tabs button:has-text("Queue")')
    await page.locator('[data-testid=queue-cancel]').first().waitFor()
    await screenshot(page, 'editor-queue')
    // Queued entries say what sets them apart (each run takes the seed as it was when queued).
    const labels = await page.locator('.queue .label').allTextContents()
    expect(labels.at(-1)).toMatch(/^#\d+ · seed 102 · 4 steps · /)
    await page.locator('[data-testid=queue-cancel]').last().click()
    await page.waitForFunction(
      ([prev, before]) => {
        const run = window.__hypersd!.lastRun()
        return run.runId !== prev && run.status === 'done' && run.queued === 0 && document.querySelectorAll('.gallery-grid figure').length === before + 2
      },
      [previous, galleryBefore] as const,
      { timeout: 60_000 },
    )
    await page.waitForTimeout(300)
    expect(await page.locator('.gallery-grid figure').count()).toBe(galleryBefore + 2)
    const captions = await page.locator('.gallery-grid figcaption span').allTextContents()
    expect(captions.slice(0, 2)).toEqual(['seed 101 · 4 steps', 'seed 100 · 4 steps'])
    // Three runs were queued, so the seed moved on three times.
    const graph = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    expect(graph.nodes.find((n) => n.id === sampler)!.inputs['seed']).toBe(103)
  })

  it('the node inspector edits inputs hidden on the canvas (advanced)', async () => {
    const { page } = app
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    const slot = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'model'), sampler!))!
    // A click on the node body (beside the first input's label) selects the node.
    await page.mouse.click(slot.x + 60, slot.y)
    await page.click('.tabs button:has-text("Node")')
    const field = page.locator('.inspector .field', { hasText: 'guidance_rescale' })
    await expect(field.locator('em').textContent()).resolves.toContain('advanced')
    await field.locator('input').fill('0.7')
    await field.locator('input').press('Enter')
    await page.waitForFunction(
      (id) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: Record<string, unknown> }[] }).nodes.find((n) => n.id === id)?.inputs['guidance_rescale'] === 0.7,
      sampler!,
    )
    await screenshot(page, 'editor-node-inspector')
  })

  it('prompts and notes are edited in textareas over their nodes, with native undo while typing', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const byType = await nodeIdsByType(page)
    const [promptId] = byType['CLIPTextEncode']!
    const [noteId] = byType['Note']!
    const promptText = async (): Promise<unknown> =>
      page.evaluate((id) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: Record<string, unknown> }[] }).nodes.find((n) => n.id === id)?.inputs['text'], promptId!)
    const original = await promptText()
    const area = page.locator(`textarea.node-textarea[data-node-id="${promptId}"]`)
    await expect(area.inputValue()).resolves.toBe(original)
    // The note shows its whole text, line breaks included, not one truncated row.
    const note = JSON.parse(DEFAULT_GRAPH) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    await expect(page.locator(`textarea.node-textarea[data-node-id="${noteId}"]`).inputValue()).resolves.toBe(note.nodes.find((n) => n.id === noteId)!.inputs['text'])

    const count = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length
    await area.click()
    await page.keyboard.press('Control+a')
    await page.keyboard.type('a red fox')
    await page.keyboard.press('Enter')
    await page.keyboard.type('in the snow')
    // Ctrl+Z inside the text is the field's own undo: the text changes, the graph keeps its nodes.
    await page.keyboard.press('Control+z')
    expect(await area.inputValue()).not.toBe('a red fox\nin the snow')
    await expect(page.evaluate(() => document.activeElement?.classList.contains('node-textarea'))).resolves.toBe(true)
    expect(Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes()))).toHaveLength(count)
    await area.fill('a red fox\nin the snow')
    // Saving while the text still has focus records the edit first: the file and the saved mark agree.
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')])
    expect(readFileSync(await download.path(), 'utf8')).toContain('a red fox\\nin the snow')
    await page.locator('[data-testid=graph-canvas]').focus()
    await page.waitForFunction((id) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; inputs: Record<string, unknown> }[] }).nodes.find((n) => n.id === id)?.inputs['text'] === 'a red fox\nin the snow', promptId!)
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
    await expect(page.locator('[data-testid=unsaved-indicator]').count()).resolves.toBe(0)
    await screenshot(page, 'editor-prompt-textarea')
    // On the canvas, Ctrl+Z is the graph's undo: the prompt and its textarea go back.
    await page.keyboard.press('Control+z')
    await page.waitForFunction(([id, text]) => document.querySelector<HTMLTextAreaElement>(`textarea.node-textarea[data-node-id="${id}"]`)?.value === text, [promptId!, original] as const)
    expect(await promptText()).toBe(original)

    // A node dragged over the prompt hides the text under it: at the overlap the pointer reaches the canvas.
    const [latentId] = byType['EmptyLatent']!
    const slot = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), latentId!))!
    const areaBox = (await area.boundingBox())!
    await page.mouse.move(slot.x - 100, slot.y - 22)
    await page.mouse.down()
    await page.mouse.move(slot.x - 100, areaBox.y + areaBox.height - 10, { steps: 6 })
    await page.mouse.up()
    const overlap = { x: slot.x - 100, y: areaBox.y + areaBox.height - 5 }
    const hit = (): Promise<string | undefined> => page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.tagName, overlap)
    await expect(hit()).resolves.toBe('CANVAS')
    expect(await area.evaluate((el) => getComputedStyle(el).clipPath)).toMatch(/^path\(evenodd/)
    await screenshot(page, 'editor-textarea-covered')
    await page.keyboard.press('Control+z')
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('textarea.node-textarea')].every((el) => getComputedStyle(el).clipPath === 'none'))
    await expect(hit()).resolves.toBe('TEXTAREA')
  })

  it('a link dropped on empty canvas offers the nodes that take its type and connects the chosen one; a group moves its nodes', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const [latentId] = (await nodeIdsByType(page))['EmptyLatent']!
    const links = await page.evaluate(() => window.__hypersd!.linkCount())
    const from = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), latentId!))!
    const box = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(from.x + 80, box.y + box.height - 120, { steps: 5 })
    await page.mouse.move(from.x + 120, box.y + box.height - 60, { steps: 5 })
    await page.mouse.up()
    const search = page.locator('[data-testid=node-search]')
    await expect(search.locator('.filter-note').textContent()).resolves.toMatch(/take\s+LATENT/)
    const offered = await search.locator('.results .name').allTextContents()
    expect(offered).toContain('VAE Decode')
    expect(offered).not.toContain('Prompt')
    expect(offered).not.toContain('Save Image')
    await search.locator('input').fill('vae dec')
    await page.keyboard.press('Enter')
    await page.waitForFunction((n) => window.__hypersd!.linkCount() === n + 1, links)
    type FileView = { nodes: { id: string; type: string; inputs: Record<string, unknown> }[]; layout: { nodes: Record<string, { pos: number[] }>; groups: { bounding: number[] }[]; viewport: { offset: number[]; scale: number } } }
    const graph = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as FileView
    const decodes = graph.nodes.filter((n) => n.type === 'VAEDecode')
    expect(decodes.map((n) => n.inputs['latent'])).toContainEqual({ from: [latentId, 'latent'] })

    // From an input the other way round: nodes that give CONDITIONING, the pick placed left of the drop point.
    const [samplerId] = (await nodeIdsByType(page))['TSCDSampler']!
    const negative = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'negative'), samplerId!))!
    const drop = { x: negative.x - 40, y: box.y + box.height - 40 }
    await page.mouse.move(negative.x, negative.y)
    await page.mouse.down()
    await page.mouse.move(drop.x + 20, drop.y - 40, { steps: 5 })
    await page.mouse.move(drop.x, drop.y, { steps: 5 })
    await page.mouse.up()
    await expect(search.locator('.filter-note').textContent()).resolves.toMatch(/give\s+CONDITIONING/)
    await search.locator('input').fill('prompt')
    await page.keyboard.press('Enter')
    await page.waitForFunction((n) => window.__hypersd!.linkCount() === n + 2, links)
    const withPrompt = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as FileView
    const negativeFrom = (withPrompt.nodes.find((n) => n.id === samplerId)!.inputs['negative'] as { from: [string, string] }).from
    expect(withPrompt.nodes.find((n) => n.id === negativeFrom[0])!.type).toBe('CLIPTextEncode')
    const conditioning = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'conditioning'), negativeFrom[0]))!
    expect(conditioning.x).toBeLessThanOrEqual(drop.x)

    // Dragging the group by its title bar moves every node inside it by the same amount.
    const [gx, gy] = graph.layout.groups[0]!.bounding
    const { offset, scale } = graph.layout.viewport
    const title = { x: box.x + (gx! + 200 + offset[0]!) * scale, y: box.y + (gy! + 12 + offset[1]!) * scale }
    await page.mouse.move(title.x, title.y)
    await page.mouse.down()
    await page.mouse.move(title.x + 30, title.y + 40, { steps: 6 })
    await page.mouse.up()
    await page.waitForFunction((before) => (JSON.parse(window.__hypersd!.graphJson()) as FileView).layout.groups[0]!.bounding[0] !== before, gx!)
    const moved = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as FileView
    const shift = (id: string): number[] => [0, 1].map((i) => Math.round(moved.layout.nodes[id]!.pos[i]! - graph.layout.nodes[id]!.pos[i]!))
    const [dx, dy] = [moved.layout.groups[0]!.bounding[0]! - gx!, moved.layout.groups[0]!.bounding[1]! - gy!].map(Math.round)
    expect(dx).toBeGreaterThan(0)
    expect(dy).toBeGreaterThan(0)
    expect(shift(latentId!)).toEqual([dx, dy])
    expect(shift(graph.nodes.find((n) => n.type === 'LoadPipeline')!.id)).toEqual([dx, dy])

    // Double-clicking a group's title or a node's title renames it (the title is text, never markup).
    await page.mouse.dblclick(title.x + 30, title.y + 40)
    await page.locator('.prompt-dialog input').fill('Base <b>pass</b>')
    await page.keyboard.press('Enter')
    const slot = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), latentId!))!
    await page.mouse.dblclick(slot.x - 100, slot.y - 22)
    await expect(page.locator('.prompt-dialog input').inputValue()).resolves.toBe('Empty Latent')
    await page.locator('.prompt-dialog input').fill('Canvas size')
    await page.keyboard.press('Enter')
    await page.waitForFunction((id) => (JSON.parse(window.__hypersd!.graphJson()) as { nodes: { id: string; title?: string }[] }).nodes.find((n) => n.id === id)?.title === 'Canvas size', latentId!)
    const renamed = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as FileView & { layout: { groups: { title: string }[] } }
    expect(renamed.layout.groups[0]!.title).toBe('Base <b>pass</b>')
    expect(await page.locator('b').count()).toBe(0)
  })

  it('the opened graph is fitted to the canvas, and fitted again when the window is resized', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const inside = async (): Promise<boolean> => {
      const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
      const areas = await page.locator('textarea.node-textarea').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))
      const points = await Promise.all(
        Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).map((id) => page.evaluate((nodeId) => window.__hypersd!.slotPoint(nodeId, 'output', 'image') ?? window.__hypersd!.slotPoint(nodeId, 'input', 'image'), id)),
      )
      const within = (x: number, y: number): boolean => x >= canvas.x && x <= canvas.x + canvas.width && y >= canvas.y && y <= canvas.y + canvas.height
      return areas.length > 0 && areas.every((r) => within(r.left, r.top) && within(r.right, r.bottom)) && points.every((p) => p === null || within(p.x, p.y))
    }
    // The textareas follow the canvas on its next drawn frame, so the check polls rather than reading once.
    await expect.poll(inside, { timeout: 3000 }).toBe(true)
    try {
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.waitForFunction(() => document.querySelector('[data-testid=graph-canvas]')!.getBoundingClientRect().width < 1000)
      await expect.poll(inside, { timeout: 3000 }).toBe(true)
      await screenshot(page, 'editor-1280x800')
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 })
    }
  })

  it('renders strings from files as text, never as HTML', async () => {
    const { page } = app
    const payload = '<img src=x onerror="window.__xss=1">'
    const graph = JSON.parse(DEFAULT_GRAPH) as { metadata: { name: string }; nodes: { id: string; type: string; title?: string; inputs: Record<string, unknown> }[] }
    graph.metadata.name = payload
    for (const node of graph.nodes) {
      node.title = payload
      // A missing model makes the run fail on the loader, so its title also reaches the error panel.
      if (node.type === 'LoadPipeline') node.inputs['model'] = 'no-such-model'
    }
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(graph))
    const run = await runOnce(page)
    expect(run.status).toBe('error')
    await expect(page.locator('.doc-name').textContent()).resolves.toContain(payload)
    await expect(page.locator('[data-testid=error-panel]').textContent()).resolves.toContain(payload)
    await page.waitForTimeout(300)
    expect(await page.locator('img[src=x]').count()).toBe(0)
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined()
    await screenshot(page, 'editor-html-as-text')
  })

  it('opens a ComfyUI workflow dropped on the window through the importer', async () => {
    const { page } = app
    await dropFile(page, 'workflow.json', COMFY_WORKFLOW, 'application/json')
    // The workflow has a LoRA loader, which the open default graph does not.
    await page.waitForFunction(() => Object.values(window.__hypersd!.nodeTypes()).includes('UNetLoRA'))
    const types = Object.values(await page.evaluate(() => window.__hypersd!.nodeTypes()))
    expect(types).toEqual(expect.arrayContaining(['LoadPipeline', 'CLIPTextEncode', 'TSCDSampler', 'VAEDecode', 'UNetLoRA', 'Note']))
    await screenshot(page, 'editor-comfyui-import')
  })

  it('a malformed or hostile file shows the error and keeps the current graph', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const before = await page.evaluate(() => window.__hypersd!.graphJson())
    const input = page.locator('[data-testid=file-input]')

    await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "hyper-sd-studio/graph", "nodes": [') })
    const panel = page.locator('[data-testid=error-panel]')
    await panel.waitFor({ state: 'visible' })
    const message = (await panel.textContent()) ?? ''
    expect(message).toContain('broken.json')
    expect(message).toMatch(/malformed JSON/i)
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(before)
    await screenshot(page, 'editor-malformed-file')

    const hostile = '{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":"1","type":"Note","inputs":{"__proto__":{"polluted":true}}}]}'
    await input.setInputFiles({ name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(hostile) })
    await page.waitForFunction(() => document.querySelector('[data-testid=error-panel]')?.textContent?.includes('hostile.json'))
    await expect(panel.textContent()).resolves.toContain('__proto__')
    expect(await page.evaluate(() => ({}) as Record<string, unknown>)).not.toHaveProperty('polluted')
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(before)

    const unknownType = '{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":"1","type":"NoSuchNode","inputs":{}}]}'
    await input.setInputFiles({ name: 'unknown.json', mimeType: 'application/json', buffer: Buffer.from(unknownType) })
    await page.waitForFunction(() => document.querySelector('[data-testid=error-panel]')?.textContent?.includes('unknown.json'))
    await expect(panel.textContent()).resolves.toContain('NoSuchNode')
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(before)
  })
})
