// The editor in a real Chromium on the built app, editing graphs: typed links, autosave restore, shortcuts, the
// queue, the inspector, textareas, link-drop search and groups, fit view, text-only rendering of file strings,
// ComfyUI import, and refusal of malformed files.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ConsoleMessage, FileChooser, Page } from 'playwright-core'
import { dropFile } from './drop-file.js'
import { appForSuite, lastRun, nodeIdsByType, runOnce, screenshot, waitReady } from './harness.js'

/** The tiny SD1.5 twin's 4-step graph: these tests were laid out on it (the default graph is the shapes model's). */
const DEFAULT_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
const COMFY_WORKFLOW = readFileSync(resolve(import.meta.dirname, '../graph/fixtures/comfyui/default-lora-note.workflow.json'), 'utf8')

/**
 * Opens the default graph with the seed at `seed`, incrementing after each run, at 640x640: each run then takes long
 * enough that runs queued right after it wait, however warm the sessions already are (the race failed once on a
 * fresh clone at the default size).
 */
async function openForLongRuns(page: Page, seed: number): Promise<{ sampler: string; latent: string }> {
  await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
  const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
  const [latent] = (await nodeIdsByType(page))['EmptyLatent']!
  await page.evaluate(([id, latentId, s]) => {
    window.__hypersd!.setValue(id, 'seed', s)
    window.__hypersd!.setValue(id, 'seed control', 'increment')
    window.__hypersd!.setValue(latentId, 'width', 640)
    window.__hypersd!.setValue(latentId, 'height', 640)
  }, [sampler!, latent!, seed] as const)
  return { sampler: sampler!, latent: latent! }
}

describe('graph files in the editor', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('refuses links of the wrong type and links that close a cycle, and says why', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
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
    // Clear of the minimap in the bottom-right corner.
    const box = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
    await page.mouse.dblclick(box.x + box.width - 320, box.y + box.height - 30)
    await page.locator('[data-testid=node-search] input').fill('prevw img')
    await screenshot(page, 'editor-node-search')
    await page.keyboard.press('Enter')
    await page.waitForFunction((n) => Object.keys(window.__hypersd!.nodeTypes()).length === n + 1, countBefore)
    await page.locator('[data-testid=unsaved-indicator]').waitFor({ state: 'visible', timeout: 5000 })
    const edited = await page.evaluate(() => window.__hypersd!.graphJson())
    expect(edited).toContain('"PreviewImage"')
    // Autosave is debounced: wait until the record in IndexedDB is the edited graph, then reload.
    const autosaved = (): Promise<boolean> =>
      page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const open = indexedDB.open('hypersd-studio', 1)
            open.onerror = () => resolve(false)
            open.onsuccess = () => {
              const db = open.result
              // Each tab keeps its own draft, under the id in its sessionStorage.
              const get = db.transaction('autosave', 'readonly').objectStore('autosave').get(sessionStorage.getItem('hypersd-draft-id') ?? 'current')
              get.onsuccess = () => {
                db.close()
                resolve((get.result as { graph?: string } | undefined)?.graph === window.__hypersd!.graphJson())
              }
              get.onerror = () => (db.close(), resolve(false))
            }
          }),
      )
    await expect.poll(autosaved, { timeout: 10_000 }).toBe(true)

    await page.reload()
    await waitReady(page)
    const types = Object.values(await page.evaluate(() => window.__hypersd!.nodeTypes()))
    expect(types).toHaveLength(countBefore + 1)
    expect(types).toContain('PreviewImage')
    await expect(page.locator('[data-testid=unsaved-indicator]').count()).resolves.toBe(1)
  })

  it('copy, paste, delete, save and open come from the keyboard shortcuts', async () => {
    const { page } = app
    // Playwright intercepts file dialogs only once a listener asks for them (a protocol round trip); listening from the
    // start keeps Ctrl+O from racing that switch, which let Chromium show (and cancel) a real dialog instead.
    const choosers: FileChooser[] = []
    const onChooser = (chooser: FileChooser): void => void choosers.push(chooser)
    page.on('filechooser', onChooser)
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

    // Should the dialog not come, the failure says what the page saw: the key press, a dialog the browser cancelled,
    // a refusal (a toast), and what it logged.
    const logged: string[] = []
    const log = (message: ConsoleMessage): void => void logged.push(`${message.type()}: ${message.text()}`)
    page.on('console', log)
    await page.evaluate(() => {
      const seen = { keys: [] as string[], cancelled: 0 }
      ;(window as unknown as { __ctrlO: typeof seen }).__ctrlO = seen
      window.addEventListener('keydown', (event) => void seen.keys.push(`${event.ctrlKey ? 'Ctrl+' : ''}${event.key}`), { capture: true })
      document.querySelector('[data-testid=file-input]')!.addEventListener('cancel', () => void (seen.cancelled += 1))
    })
    await page.keyboard.press('Control+o')
    const chooser = await expect
      .poll(() => choosers.length, { timeout: 30_000 })
      .toBe(1)
      .then(() => choosers[0]!)
      .catch(async (error: unknown) => {
        const seen = await page.evaluate(() => ({
          focused: document.hasFocus(),
          active: document.activeElement?.tagName,
          toasts: [...document.querySelectorAll('.toast')].map((t) => t.textContent),
          ...(window as unknown as { __ctrlO: object }).__ctrlO,
        }))
        throw new Error(`no file dialog after Ctrl+O (${String(error)}); page: ${JSON.stringify(seen)}; console: ${JSON.stringify(logged)}`)
      })
    page.off('console', log)
    page.off('filechooser', onChooser)
    expect(chooser.isMultiple()).toBe(false)
    const chosen = JSON.parse(DEFAULT_GRAPH) as { metadata: { name: string } }
    chosen.metadata.name = 'Chosen in the file dialog'
    await chooser.setFiles({ name: 'chosen.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(chosen)) })
    await page.waitForFunction(() => document.querySelector('.doc-name .name')?.textContent === 'Chosen in the file dialog')
  })

  it('Ctrl+Shift+V pastes a node with the links into it from nodes not copied, as in ComfyUI; Ctrl+V without them', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const [decode] = (await nodeIdsByType(page))['VAEDecode']!
    const links = (): Promise<number> => page.evaluate(() => window.__hypersd!.linkCount())
    const decodes = async (): Promise<string[]> => (await nodeIdsByType(page))['VAEDecode'] ?? []
    const initialLinks = await links()
    // Select VAE Decode alone (its title), retried while the opening fit may still move it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const rect = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), decode!))!
      await page.mouse.click(rect.x + 30, rect.y + 8)
      await page.keyboard.press('Control+c')
      await page.keyboard.press('Control+v')
      if ((await decodes()).length === 2) break
      await page.waitForTimeout(300)
    }
    expect(await decodes()).toHaveLength(2)
    expect(await links()).toBe(initialLinks)
    await page.keyboard.press('Delete')
    await expect.poll(decodes).toHaveLength(1)

    await page.keyboard.press('Control+Shift+V')
    await expect.poll(decodes).toHaveLength(2)
    // Its vae and latent inputs are fed from where the copied node's were.
    expect(await links()).toBe(initialLinks + 2)
    const saved = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    const [original, copy] = (await decodes()).map((id) => saved.nodes.find((n) => n.id === id)!)
    expect(copy!.inputs['vae']).toEqual(original!.inputs['vae'])
    expect(copy!.inputs['latent']).toEqual(original!.inputs['latent'])
    expect(copy!.id).not.toBe(original!.id)
  })

  it('a graph or workflow pasted from the system clipboard opens; other text pastes nodes; text fields keep their paste', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    /** A paste event as the browser sends it for Ctrl+V, carrying text or a file. */
    const paste = (content: { text?: string; file?: { name: string; type: string; bytes: number[] } }, target = 'canvas'): Promise<void> =>
      page.evaluate(
        ([c, where]) => {
          const data = new DataTransfer()
          if (c.text !== undefined) data.setData('text/plain', c.text)
          if (c.file) data.items.add(new File([new Uint8Array(c.file.bytes)], c.file.name, { type: c.file.type }))
          const element = where === 'canvas' ? document.querySelector('[data-testid=graph-canvas]')! : document.querySelector(where)!
          element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
        },
        [content, target] as const,
      )
    const docName = (): Promise<string | null> => page.locator('.doc-name .name').textContent()

    const pasted = JSON.parse(DEFAULT_GRAPH) as { metadata: { name: string } }
    pasted.metadata.name = 'Pasted from a chat'
    await paste({ text: JSON.stringify(pasted) })
    await page.waitForFunction(() => document.querySelector('.doc-name .name')?.textContent === 'Pasted from a chat')

    await paste({ text: COMFY_WORKFLOW })
    await page.waitForFunction(() => Object.values(window.__hypersd!.nodeTypes()).includes('UNetLoRA'))

    // A PNG with the graph inside, as an image copied from the gallery or a web page.
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const png = await page.evaluate(async () => [...new Uint8Array(await (await fetch(document.querySelector<HTMLImageElement>('[data-testid=output-image]')!.src)).arrayBuffer())])
    await paste({ text: COMFY_WORKFLOW })
    await page.waitForFunction(() => Object.values(window.__hypersd!.nodeTypes()).includes('UNetLoRA'))
    await paste({ file: { name: 'image.png', type: 'image/png', bytes: png } })
    await page.waitForFunction(() => !Object.values(window.__hypersd!.nodeTypes()).includes('UNetLoRA'))
    expect(await docName()).not.toBe('Pasted from a chat')

    // Prose is not a graph: the nodes copied in the editor are pasted instead, and the graph stays open.
    const count = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length
    await page.locator('[data-testid=graph-canvas]').focus()
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Control+c')
    await paste({ text: 'a cat wearing a hat' })
    await page.waitForFunction((n) => Object.keys(window.__hypersd!.nodeTypes()).length === 2 * n, count)
    // Pasting into a prompt textarea is the textarea's own business.
    const before = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length
    await paste({ text: JSON.stringify(pasted) }, 'textarea.node-textarea')
    await page.waitForTimeout(200)
    expect(Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).length).toBe(before)
    expect(await docName()).not.toBe('Pasted from a chat')
  })

  it('queues runs, applies seed control after each, and a queued run can be removed', async () => {
    const { page } = app
    const { sampler } = await openForLongRuns(page, 100)
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
      // Two 640 px runs: about 10 s each on an idle machine, several times that under a loaded CI (the test's own
      // limit is 180 s).
      { timeout: 150_000 },
    )
    await page.waitForTimeout(300)
    expect(await page.locator('.gallery-grid figure').count()).toBe(galleryBefore + 2)
    // Each gallery item names what changed since the run before it.
    const captions = await page.locator('[data-testid=gallery-label]').allTextContents()
    expect(captions[0]).toBe('seed 100 → 101')
    // Its own previous run, if the file ran one before (alone, the first image: "seed 100 · 4 steps").
    expect(captions[1]).toMatch(/^seed (\d+ → )?100\b/)
    // Three runs were queued, so the seed moved on three times.
    const graph = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    expect(graph.nodes.find((n) => n.id === sampler)!.inputs['seed']).toBe(103)
  })

  it('Ctrl+Shift+Enter queues a run ahead of the waiting ones (ComfyUI’s Queue Front)', async () => {
    const { page } = app
    const { latent } = await openForLongRuns(page, 300)
    await page.click('[data-testid=run-button]')
    await page.click('[data-testid=run-button]')
    await page.click('[data-testid=run-button]')
    await page.locator('[data-testid=graph-canvas]').focus()
    await page.keyboard.press('Control+Shift+Enter')
    await page.click('.tabs button:has-text("Queue")')
    // Seeds 300 (running), 301 and 302 waiting; the front run took 303 and waits first.
    const waiting = await page.locator('.queue li:not(.running) .label').allTextContents()
    expect(waiting.map((l) => /seed (\d+)/.exec(l)?.[1])).toEqual(['303', '301', '302'])
    // Not needed further: emptied, and the running one cancelled.
    for (let i = 0; i < 3; i++) await page.locator('[data-testid=queue-cancel]').first().click()
    await page.click('[data-testid=cancel-button]')
    await page.waitForFunction(() => !['running', 'queued'].includes(window.__hypersd!.lastRun().status) && window.__hypersd!.lastRun().queued === 0, null, { timeout: 60_000 })
    await page.evaluate((latentId) => {
      window.__hypersd!.setValue(latentId, 'width', 512)
      window.__hypersd!.setValue(latentId, 'height', 512)
    }, latent)
  })

  it('the batch count queues that many runs per Run, the seed control applied between them; a typed count is kept in bounds', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => {
      window.__hypersd!.setValue(id, 'seed', 200)
      window.__hypersd!.setValue(id, 'seed control', 'increment')
    }, sampler!)
    await expect.poll(() => lastRun(page).then((r) => r.status === 'running' || r.queued > 0)).toBe(false)
    const batch = page.locator('[data-testid=batch-count]')
    // The toolbar re-rendering while a count is typed (a run's progress does; here the Auto-run setting) keeps the text.
    await batch.fill('7')
    await page.evaluate(() => window.__hypersd!.setAutoRun(true))
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(done)))
    expect(await batch.inputValue()).toBe('7')
    await page.evaluate(() => window.__hypersd!.setAutoRun(false))
    await batch.press('Tab')
    await expect.poll(() => batch.inputValue()).toBe('7')
    // Out of bounds: kept within them, and the toast says why.
    await batch.fill('500')
    await batch.press('Tab')
    await expect.poll(() => batch.inputValue()).toBe('100')
    await page.locator('.toast', { hasText: 'Batch count is at most 100: set to 100' }).waitFor()
    await batch.fill('3')
    await batch.press('Tab')
    const galleryBefore = await page.locator('.gallery-grid figure').count()
    await page.click('[data-testid=run-button]')
    await page.waitForFunction(
      (before) => {
        const run = window.__hypersd!.lastRun()
        return run.status === 'done' && run.queued === 0 && document.querySelectorAll('.gallery-grid figure').length === before + 3
      },
      galleryBefore,
      { timeout: 150_000 },
    )
    // One click, three runs: seeds 200, 201 and 202, and the seed moved on three times.
    const captions = await page.locator('[data-testid=gallery-label]').allTextContents()
    expect(captions.slice(0, 2)).toEqual(['seed 201 → 202', 'seed 200 → 201'])
    const graph = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    expect(graph.nodes.find((n) => n.id === sampler)!.inputs['seed']).toBe(203)
    // Kept in the settings across reloads; back to 1 for the tests after this one.
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('hypersd.settings') ?? '{}').batchCount)).toBe(3)
    await batch.fill('1')
    await batch.press('Tab')
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('hypersd.settings') ?? '{}').batchCount)).toBe(1)
  })

  it('the node inspector edits inputs hidden on the canvas (advanced)', async () => {
    const { page } = app
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    const slot = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'input', 'model'), sampler!))!
    // A click on the node body (beside the first input's label) selects the node.
    await page.mouse.click(slot.x + 60, slot.y)
    await page.click('.tabs button:has-text("Node")')
    // The id reports, errors and the CLI's --set name the node by.
    await expect(page.locator('[data-testid=inspector-node-id]').textContent()).resolves.toBe(`#${sampler} · TSCDSampler`)
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
    // The textareas follow the loaded graph on the canvas's next drawn frame.
    await expect.poll(() => area.inputValue(), { timeout: 3000 }).toBe(original)
    // The note shows its whole text, line breaks included, not one truncated row.
    const note = JSON.parse(DEFAULT_GRAPH) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    await expect.poll(() => page.locator(`textarea.node-textarea[data-node-id="${noteId}"]`).inputValue(), { timeout: 3000 }).toBe(note.nodes.find((n) => n.id === noteId)!.inputs['text'])

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
    // The clip follows the node on the canvas's next drawn frame.
    await expect.poll(hit, { timeout: 3000 }).toBe('CANVAS')
    expect(await area.evaluate((el) => getComputedStyle(el).clipPath)).toMatch(/^path\(evenodd/)
    await screenshot(page, 'editor-textarea-covered')
    await page.keyboard.press('Control+z')
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('textarea.node-textarea')].every((el) => getComputedStyle(el).clipPath === 'none'))
    await expect(hit()).resolves.toBe('TEXTAREA')
  })

  it('a node added by a link dropped just above another node is moved clear of it, not placed on it', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), DEFAULT_GRAPH)
    await page.waitForTimeout(400) // the one-off fit after opening
    const byType = await nodeIdsByType(page)
    const [latentId] = byType['EmptyLatent']!
    const [samplerId] = byType['TSCDSampler']!
    const sampler = (await page.evaluate((id) => window.__hypersd!.nodeRect(id), samplerId!))!
    const from = (await page.evaluate((id) => window.__hypersd!.slotPoint(id, 'output', 'latent'), latentId!))!
    const before = new Set(Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())))
    // Dropped on the empty canvas 12 px above the sampler's title bar: a VAE Decode placed there would cover it.
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(sampler.x + 20, sampler.y - 40, { steps: 5 })
    await page.mouse.move(sampler.x + 30, sampler.y - 12, { steps: 3 })
    await page.mouse.up()
    const search = page.locator('[data-testid=node-search]')
    await search.locator('input').fill('vae dec')
    await page.keyboard.press('Enter')
    await page.waitForFunction((n) => Object.keys(window.__hypersd!.nodeTypes()).length === n + 1, before.size)
    const ids = Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes()))
    const added = ids.find((id) => !before.has(id))!
    const rect = (id: string) => page.evaluate((n) => window.__hypersd!.nodeRect(n), id)
    const mine = (await rect(added))!
    for (const id of ids.filter((i) => i !== added)) {
      const other = (await rect(id))!
      const covers = mine.x < other.x + other.width && other.x < mine.x + mine.width && mine.y < other.y + other.height && other.y < mine.y + mine.height
      expect(covers, `the new node covers node ${id}`).toBe(false)
    }
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
    const inside = async (withTextAreas = true): Promise<boolean> => {
      const canvas = (await page.locator('[data-testid=graph-canvas]').boundingBox())!
      const areas = await page.locator('textarea.node-textarea').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))
      const points = await Promise.all(
        Object.keys(await page.evaluate(() => window.__hypersd!.nodeTypes())).map((id) => page.evaluate((nodeId) => window.__hypersd!.slotPoint(nodeId, 'output', 'image') ?? window.__hypersd!.slotPoint(nodeId, 'input', 'image'), id)),
      )
      const within = (x: number, y: number): boolean => x >= canvas.x && x <= canvas.x + canvas.width && y >= canvas.y && y <= canvas.y + canvas.height
      const areasInside = areas.length > 0 && areas.every((r) => within(r.left, r.top) && within(r.right, r.bottom))
      return (areasInside || !withTextAreas) && points.every((p) => p === null || within(p.x, p.y))
    }
    // The textareas follow the canvas on its next drawn frame, so the check polls rather than reading once.
    await expect.poll(inside, { timeout: 3000 }).toBe(true)
    try {
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.waitForFunction(() => document.querySelector('[data-testid=graph-canvas]')!.getBoundingClientRect().width < 1000)
      // Too wide to show whole with node text at 10 px or more (issue 11): refitted around the image chain and outputs.
      await expect.poll(() => inside(false), { timeout: 3000 }).toBe(true)
      expect((await page.evaluate(() => window.__hypersd!.view())).textPx).toBeGreaterThanOrEqual(10)
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

    // A node type this build lacks is not a broken file: it opens as a placeholder that keeps its data
    // (tests/browser/editor-state.test.ts covers how runs treat it).
    const unknownType = '{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":"1","type":"NoSuchNode","inputs":{"strength":2}}]}'
    await input.setInputFiles({ name: 'unknown.json', mimeType: 'application/json', buffer: Buffer.from(unknownType) })
    await page.waitForFunction(() => window.__hypersd!.graphJson().includes('NoSuchNode'))
    const opened = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: unknown[] }
    expect(opened.nodes).toEqual([{ id: '1', type: 'NoSuchNode', version: 1, inputs: { strength: 2 } }])
  })
})
