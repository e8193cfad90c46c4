// The Models tab in a real Chromium on the built app: the bundled models by kind; storage used and quota left; a
// picked folder (a real OPFS FileSystemDirectoryHandle holding a copy of tiny-sd15) renamed and run through the
// LoadPipeline dropdown; a dropped LoRA added to the catalog (not opened as a graph) and spliced into the graph from
// its notice; a Hyper-SD preset graph run on the picked folder and the dropped LoRA; deletion and the storage figure;
// the <input webkitdirectory> fallback; a dropped folder; the catalog after a reload; a graph naming a model nobody
// has; and a folder whose access lapsed, granted again with one click.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { formatBytes } from '../../src/models/catalog/format.js'
import { appForSuite, nodeIdsByType, runOnce, screenshot, selectNodeUntil, waitReady } from './harness.js'

const MODELS = resolve(import.meta.dirname, '../../public/models')
const TINY_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
const PRESET_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/hyper-sd15-4step.json'), 'utf8')
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

  it('is built when first opened, not on the cold start, and kept after (first in this suite: nothing opened it yet)', async () => {
    const { page } = app
    await expect(page.locator('[data-testid=models-panel]').count()).resolves.toBe(0)
    await expect(page.locator('[data-testid=backend-select]').count()).resolves.toBe(0)
    await openModelsTab(page)
    await page.click('[data-testid=output-tab]')
    await page.locator('[data-testid=models-panel]').waitFor({ state: 'hidden' })
    await expect(page.locator('[data-testid=models-panel]').count()).resolves.toBe(1)
  })

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
    // Storage used and quota left, from the browser's estimate.
    await page.waitForFunction(() => /^\d+(\.\d)? [kMGT]?B used · \d+(\.\d)? [kMGT]?B left of \d+(\.\d)? [kMGT]?B quota$/.test(document.querySelector('[data-testid=models-storage]')?.textContent ?? ''))
    const figures = await page.$eval('[data-testid=models-storage]', (p) => ({ text: p.textContent, usage: Number(p.getAttribute('data-usage')), quota: Number(p.getAttribute('data-quota')) }))
    expect(figures.quota).toBeGreaterThan(figures.usage)
    expect(figures.text).toBe(`${formatBytes(figures.usage)} used · ${formatBytes(figures.quota - figures.usage)} left of ${formatBytes(figures.quota)} quota`)
  })

  it("clears one bundled model's cached files and leaves the others' (issue 14 §3)", async () => {
    const { page } = app
    await waitReady(page)
    // The default graph reads the shapes model and a LoRA by URL: both are cached once the run is done and the engine
    // is idle (the copies wait for that, so they do not slow the run down), the LoRA and the decoder last.
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const cachedUrls = () =>
      page.evaluate(async () => {
        const names = await caches.keys()
        return (await Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)))).flat()
      })
    const cachedUnder = async (prefix: string) => (await cachedUrls()).filter((path) => path.startsWith(prefix)).length
    const lastReads = ['/models/hyper-shapes/unet/model.onnx', '/models/hyper-shapes/vae_decoder/model.onnx', '/models/loras/hyper-shapes-4step-refl.safetensors']
    await expect
      .poll(async () => {
        const cached = await cachedUrls()
        return lastReads.filter((path) => !cached.includes(path))
      }, { timeout: 30_000 })
      .toEqual([])
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

  it("runs a Hyper-SD preset's graph on the picked folder and the dropped LoRA, both chosen from the nodes' dropdowns", async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), PRESET_GRAPH)
    const ids = await nodeIdsByType(page)
    const choose = async (nodeId: string, input: string, pick: string): Promise<string[]> => {
      const point = (await page.evaluate(([id, name]) => window.__hypersd!.widgetPoint(id!, name!), [nodeId, input]))!
      await page.mouse.click(point.x, point.y)
      const items = page.locator('.context-menu li')
      await items.first().waitFor()
      const offered = await items.allTextContents()
      await items.filter({ hasText: new RegExp(`^${pick.replace(/[.]/g, '\\.')}$`) }).click()
      await items.first().waitFor({ state: 'detached' })
      return offered
    }
    // Each dropdown offers the models of its kind only: pipelines for Load Pipeline, LoRAs for UNet + LoRA.
    const pipelines = await choose(ids['LoadPipeline']![0]!, 'model', 'my-sd15')
    expect(pipelines).toEqual(expect.arrayContaining(['my-sd15', 'tiny-sd15', 'Other…']))
    expect(pipelines).not.toContain('dropped-style.safetensors')
    const loras = await choose(ids['UNetLoRA']![0]!, 'lora', 'dropped-style.safetensors')
    expect(loras).toEqual(expect.arrayContaining(['dropped-style.safetensors', LORA, 'Other…']))
    expect(loras).not.toContain('my-sd15')
    const inputs = Object.fromEntries((await graphOf(page)).nodes.map((n) => [n.type, n.inputs]))
    expect([inputs['LoadPipeline']!['model'], inputs['UNetLoRA']!['lora']]).toEqual(['my-sd15', 'dropped-style.safetensors'])
    // The preset graph is 512 px; the tiny SD1.5 twin draws 64 px quickly.
    await page.evaluate(() => {
      window.__hypersd!.setValue('3', 'width', 64)
      window.__hypersd!.setValue('3', 'height', 64)
    })
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

  it('adds a folder through the <input webkitdirectory> fallback where the browser has no directory picker', async () => {
    const { page } = app
    await openModelsTab(page)
    const parent = mkdtempSync(join(tmpdir(), 'hypersd-fallback-'))
    try {
      const folder = join(parent, 'fallback-sd15')
      cpSync(resolve(MODELS, 'tiny-sd15'), folder, { recursive: true })
      await page.evaluate(() => {
        ;(window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker = undefined
      })
      // "Add folder…" opens the <input webkitdirectory> chooser instead of the picker.
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=models-add-folder]')])
      expect(await chooser.element().getAttribute('data-testid')).toBe('models-folder-input')
      await chooser.setFiles(folder)
      // The files are read in place (the browser's File objects point at them), so they stay until this is done.
      const added = page.locator(`${row('fallback-sd15')}[data-model-origin=local]`)
      await added.and(page.locator('[data-model-kind=sd15-pipeline][data-model-state=ready]')).waitFor({ timeout: 20_000 })
      await page.click(`${row('fallback-sd15')} [data-testid=model-delete]`)
      await page.click(`${row('fallback-sd15')} [data-testid=model-delete-confirm]`)
      await added.waitFor({ state: 'detached' })
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
  })

  it('adds a dropped folder to the catalog through its handle, not as a graph', async () => {
    const { page } = app
    const before = await graphOf(page)
    await page.evaluate(async () => {
      // Another folder than the picked one (adding the same folder again keeps its one entry): a copy in OPFS.
      type Folder = FileSystemDirectoryHandle & { values(): AsyncIterable<FileSystemDirectoryHandle | FileSystemFileHandle> }
      const copy = async (from: Folder, to: FileSystemDirectoryHandle): Promise<void> => {
        for await (const handle of from.values()) {
          if (handle.kind === 'directory') await copy(handle as Folder, await to.getDirectoryHandle(handle.name, { create: true }))
          else {
            const writable = await (await to.getFileHandle(handle.name, { create: true })).createWritable()
            await writable.write(await (handle as FileSystemFileHandle).getFile())
            await writable.close()
          }
        }
      }
      const root = await navigator.storage.getDirectory()
      const folder = await root.getDirectoryHandle('dropped-sd15', { create: true })
      await copy((await root.getDirectoryHandle('picked-sd15')) as Folder, folder)
      const transfer = new DataTransfer()
      transfer.items.add(new File([], 'dropped-sd15'))
      // A synthetic drop cannot carry a folder: for this one drop its item answers as Chromium's does for a dropped
      // folder (a directory entry and handle). The drop handler asks while the event runs.
      const proto = DataTransferItem.prototype as unknown as { getAsFileSystemHandle: () => Promise<FileSystemHandle>; webkitGetAsEntry: () => unknown }
      const original = { handle: proto.getAsFileSystemHandle, entry: proto.webkitGetAsEntry }
      proto.getAsFileSystemHandle = async () => folder
      proto.webkitGetAsEntry = () => ({ isDirectory: true, isFile: false, name: folder.name })
      try {
        document.querySelector('.app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      } finally {
        proto.getAsFileSystemHandle = original.handle
        proto.webkitGetAsEntry = original.entry
      }
    })
    await openModelsTab(page)
    const dropped = page.locator(`${row('dropped-sd15')}[data-model-origin=local]`)
    await dropped.and(page.locator('[data-model-kind=sd15-pipeline][data-model-state=ready]')).waitFor({ timeout: 20_000 })
    expect(await page.locator('.error-panel').count()).toBe(0)
    expect((await graphOf(page)).nodes.length).toBe(before.nodes.length)
    await dropped.locator('[data-testid=model-delete]').click()
    await dropped.locator('[data-testid=model-delete-confirm]').click()
    await dropped.waitFor({ state: 'detached' })
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

  it('after a reload, a picked folder whose access lapsed is one click away (Grant access)', async () => {
    const { page } = app
    // A folder on disk asks again after a reload; OPFS folders never do, so the handles here answer as such a
    // folder's do: "prompt" until requestPermission (the click) grants it.
    await page.addInitScript(() => {
      const proto = FileSystemHandle.prototype as unknown as Record<'queryPermission' | 'requestPermission', () => Promise<PermissionState>>
      let granted = false
      proto.queryPermission = async () => (granted ? 'granted' : 'prompt')
      proto.requestPermission = async () => {
        granted = true
        return 'granted'
      }
    })
    await page.reload()
    await waitReady(page)
    await openModelsTab(page)
    const picked = page.locator(row('my-sd15'))
    await picked.and(page.locator('[data-model-state=needs-permission]')).waitFor()
    await picked.locator('[data-testid=model-grant]').click()
    await picked.and(page.locator('[data-model-kind=sd15-pipeline][data-model-state=ready]')).waitFor({ timeout: 20_000 })
  })
})
