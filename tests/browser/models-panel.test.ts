// The Models tab in a real Chromium on the built app: the bundled models by kind; a picked folder (a real OPFS
// FileSystemDirectoryHandle holding a copy of tiny-sd15) renamed and run through the LoadPipeline dropdown; a
// dropped LoRA added to the catalog (not opened as a graph) and spliced into the graph from its notice; deletion and
// the storage figure; the catalog after a reload; and a graph naming a model nobody has.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, runOnce, screenshot, selectNodeUntil, waitReady } from './harness.js'

const MODELS = resolve(import.meta.dirname, '../../public/models')
const TINY_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
const LORA = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(resolve(MODELS, 'tiny-sd15'), path).split('\\').join('/')]
  })
}

const row = (name: string): string => `[data-testid=model-row][data-model-name="${name}"]`

interface SavedGraph {
  nodes: { id: string; type: string; inputs: Record<string, unknown> }[]
}

async function graphOf(page: Page): Promise<SavedGraph> {
  return JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as SavedGraph
}

async function openModelsTab(page: Page): Promise<void> {
  await page.click('[data-testid=models-tab]')
  await page.locator('[data-testid=models-panel]').waitFor({ state: 'visible' })
}

describe('the Models tab', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('lists the bundled models with their kinds and the storage figure', async () => {
    const { page } = app
    await openModelsTab(page)
    const kinds = await page.$$eval('[data-testid=model-row][data-model-origin=bundled]', (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-model-name'), r.getAttribute('data-model-kind')])))
    expect(kinds).toMatchObject({
      'tiny-sd15': 'sd15-pipeline',
      'hyper-shapes': 'sd15-pipeline',
      'tiny-sdxl': 'sdxl-pipeline',
      'tiny-clip-vision': 'clip-vision',
      [LORA]: 'lora',
      'aesthetic/aesthetic-mlp-l14.safetensors': 'aesthetic-head',
    })
    await expect(page.locator(`${row('loras/tiny-hyper-sdxl-sgm.safetensors')} [data-testid=model-kind]`).textContent()).resolves.toBe('LoRA · SGM · SDXL')
    await expect(page.locator(`${row('tiny-sd15')} [data-testid=model-delete]`).count()).resolves.toBe(0)
    // Re-verify reads a bundled LoRA's header again over HTTP and finds the same.
    const peft = row('loras/tiny-hyper-sd15-peft.safetensors')
    await page.click(`${peft} [data-testid=model-reverify]`)
    await page.locator(`${peft}[data-model-kind=lora][data-model-state=ready] button[data-testid=model-reverify]:not([disabled])`).waitFor()
    await expect(page.locator(`${peft} [data-testid=model-kind]`).textContent()).resolves.toBe('LoRA · diffusers/PEFT · SD1.5')
    await page.waitForFunction(() => /^\d+(\.\d)? [kMGT]?B used of \d+(\.\d)? [kMGT]?B quota$/.test(document.querySelector('[data-testid=models-storage]')?.textContent ?? ''))
  })

  it("clears one bundled model's cached files and leaves the others' (issue 14 §3)", async () => {
    const { page } = app
    await waitReady(page)
    // The default graph reads the shapes model and a LoRA by URL: both are cached once the run is done.
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const cachedUnder = (prefix: string) =>
      page.evaluate(async (prefix) => {
        const names = await caches.keys()
        const urls = (await Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)))).flat()
        return urls.filter((url) => new URL(url).pathname.startsWith(prefix)).length
      }, prefix)
    expect(await cachedUnder('/models/hyper-shapes/')).toBeGreaterThan(0)
    const loras = await cachedUnder('/models/loras/')
    expect(loras).toBeGreaterThan(0)
    await openModelsTab(page)
    await page.click(`${row('hyper-shapes')} [data-testid=model-clear-cache]`)
    const note = page.locator('[data-testid=model-cache-note][data-model-name=hyper-shapes]')
    await note.waitFor()
    expect(await note.textContent()).toMatch(/^Cleared \d+ cached files? of hyper-shapes: the next run fetches them again\.$/)
    expect(await cachedUnder('/models/hyper-shapes/')).toBe(0)
    expect(await cachedUnder('/models/loras/')).toBe(loras)
  })

  it('adds a picked folder, renames it, and runs a graph whose LoadPipeline picks it from the dropdown', async () => {
    const { page } = app
    // A real directory handle (OPFS), so the picked-folder code path is the real one; the picker just returns it.
    await page.evaluate(async (paths) => {
      const root = await navigator.storage.getDirectory()
      const folder = await root.getDirectoryHandle('picked-sd15', { create: true })
      for (const path of paths) {
        const parts = path.split('/')
        let dir = folder
        for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true })
        const writable = await (await dir.getFileHandle(parts.at(-1)!, { create: true })).createWritable()
        await writable.write(await (await fetch(`models/tiny-sd15/${path}`)).blob())
        await writable.close()
      }
      ;(window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => folder
    }, filesUnder(resolve(MODELS, 'tiny-sd15')))
    await page.click('[data-testid=models-add-folder]')
    await page.locator(`${row('picked-sd15')}[data-model-kind=sd15-pipeline][data-model-state=ready]`).waitFor({ timeout: 20_000 })

    await page.click(`${row('picked-sd15')} [data-testid=model-rename]`)
    await page.locator('.prompt-dialog input').fill('my-sd15')
    await page.click('.prompt-dialog button.primary')
    await page.locator(`${row('my-sd15')}[data-model-state=ready]`).waitFor()
    await expect(page.locator(row('picked-sd15')).count()).resolves.toBe(0)

    await page.evaluate((json) => window.__hypersd!.loadGraph(json), TINY_GRAPH)
    const [loader] = (await nodeIdsByType(page))['LoadPipeline']!
    const point = (await page.evaluate((id) => window.__hypersd!.widgetPoint(id, 'model'), loader!))!
    await page.mouse.click(point.x, point.y)
    const items = page.locator('.context-menu li')
    await items.first().waitFor()
    expect(await items.allTextContents()).toEqual(expect.arrayContaining(['✓ tiny-sd15', 'hyper-shapes', 'tiny-sdxl', 'my-sd15', 'Other…']))
    await screenshot(page, 'models-dropdown')
    await items.filter({ hasText: /^my-sd15$/ }).click()
    expect((await graphOf(page)).nodes.find((n) => n.id === loader)!.inputs['model']).toBe('my-sd15')

    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    // The UNet came from the picked folder, not the bundled copy.
    expect(run.sessionsCreated.some((key) => key.startsWith('my-sd15/unet/model.onnx'))).toBe(true)
  })

  it('adds a dropped LoRA to the catalog (not as a graph) and its notice splices a UNet + LoRA node into the graph', async () => {
    const { page } = app
    const before = await graphOf(page)
    await page.evaluate(async (path) => {
      const blob = await (await fetch(`models/${path}`)).blob()
      const transfer = new DataTransfer()
      transfer.items.add(new File([blob], 'dropped-style.safetensors'))
      document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    }, LORA)
    await openModelsTab(page)
    const dropped = page.locator(`${row('dropped-style.safetensors')}[data-model-kind=lora][data-model-state=ready]`)
    await dropped.waitFor()
    await expect(dropped.locator('[data-testid=model-kind]').textContent()).resolves.toBe('LoRA · kohya · SD1.5')
    expect(await page.locator('.error-panel').count()).toBe(0)
    expect((await graphOf(page)).nodes.length).toBe(before.nodes.length)

    await page.locator('[data-testid=toast-action]', { hasText: 'Add UNet + LoRA node' }).click()
    await page.waitForFunction(() => Object.values(window.__hypersd!.nodeTypes()).includes('UNetLoRA'))
    const graph = await graphOf(page)
    const lora = graph.nodes.find((n) => n.type === 'UNetLoRA')!
    const loader = graph.nodes.find((n) => n.type === 'LoadPipeline')!
    const sampler = graph.nodes.find((n) => n.type === 'TSCDSampler')!
    expect(lora.inputs['lora']).toBe('dropped-style.safetensors')
    expect(lora.inputs['unet']).toEqual({ from: [loader.id, 'unet'] })
    expect(sampler.inputs['model']).toEqual({ from: [lora.id, 'unet'] })
    // The LoRA is read from the dropped File.
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
  })

  it('deletes an entry and refreshes the storage figure', async () => {
    const { page } = app
    await openModelsTab(page)
    const storage = page.locator('[data-testid=models-storage]')
    const revision = Number(await storage.getAttribute('data-revision'))
    await page.click(`${row('dropped-style.safetensors')} [data-testid=model-delete]`)
    await page.click(`${row('dropped-style.safetensors')} [data-testid=model-delete-confirm]`)
    await page.locator(row('dropped-style.safetensors')).waitFor({ state: 'detached' })
    await page.waitForFunction((r) => Number(document.querySelector('[data-testid=models-storage]')?.getAttribute('data-revision')) > r, revision)
    await expect(page.locator(row('my-sd15')).count()).resolves.toBe(1)
  })

  it('keeps the added folder across a reload (ready: OPFS access needs no new grant), and names a missing model on its node', async () => {
    const { page } = app
    // The graph still names the deleted LoRA; wait for its autosave before reloading.
    await page.waitForTimeout(800)
    await page.reload()
    await waitReady(page)
    await openModelsTab(page)
    await page.locator(`${row('my-sd15')}[data-model-kind=sd15-pipeline][data-model-state=ready]`).waitFor()
    await expect(page.locator(row('dropped-style.safetensors')).count()).resolves.toBe(0)
    await screenshot(page, 'models-panel')

    const [lora] = (await nodeIdsByType(page))['UNetLoRA']!
    await page.click('.tabs button:has-text("Node")')
    const missing = page.locator('[data-testid=missing-model][data-model-name="dropped-style.safetensors"]')
    await selectNodeUntil(page, lora!, 'unet', missing)
    await expect(missing.textContent()).resolves.toContain('Missing: dropped-style.safetensors')
    await screenshot(page, 'models-missing')
    await missing.locator('[data-testid=missing-download]').click()
    await page.locator('[data-testid=models-panel]').waitFor({ state: 'visible' })
    await expect(page.locator('[data-testid=models-wanted]').textContent()).resolves.toContain('dropped-style.safetensors')

    // A run names the node, the input and the missing file.
    const run = await runOnce(page)
    expect(run.status).toBe('error')
    expect(run.error).toMatch(/LoRA file not found: .*dropped-style\.safetensors/)
    expect(app.errors).toEqual([])
  })
})
