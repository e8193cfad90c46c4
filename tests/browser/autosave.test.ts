// Autosave in a real Chromium on the built app (issue 14 §1): a draft this build cannot read is kept and offered raw,
// each tab keeps its own draft (two tabs = two pages of one browser context) with the others in a recent drafts list
// and at most 10 drafts kept, autosave failures are shown and retried until a save succeeds (a quota error injected by
// replacing IDBObjectStore.put in the page), and closing the tab prompts only for real unsaved edits.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { appForSuite, nodeIdsByType, runOnce, screenshot, waitReady } from './harness.js'

const SHAPES = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../graphs/shapes-4step.json'), 'utf8')) as {
  metadata: { name: string }
  layout: { nodes: Record<string, { controls?: Record<string, string> }> }
}

/** The shapes graph under another title, optionally with the sampler's seed randomised after each run. */
function shapesGraph(name: string, seedControl = 'fixed'): string {
  const graph = structuredClone(SHAPES)
  graph.metadata.name = name
  graph.layout.nodes['4']!.controls = { seed: seedControl }
  return JSON.stringify(graph)
}

/** This tab's draft key: its per-tab id, or the single key builds before per-tab drafts used. */
const ownKey = (page: Page): Promise<string> => page.evaluate(() => sessionStorage.getItem('hypersd-draft-id') ?? 'current')

/** Reads (value === undefined) or writes one record of the drafts store with the plain IndexedDB API. */
function idb(page: Page, op: 'get' | 'put' | 'keys', key?: string, value?: unknown): Promise<unknown> {
  return page.evaluate(
    ({ op, key, value }) =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('hypersd-studio', 1)
        open.onupgradeneeded = () => open.result.createObjectStore('autosave')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const store = db.transaction('autosave', op === 'put' ? 'readwrite' : 'readonly').objectStore('autosave')
          const request = op === 'put' ? store.put(value, key!) : op === 'keys' ? store.getAllKeys() : store.get(key!)
          request.onsuccess = () => (db.close(), resolve(request.result))
          request.onerror = () => (db.close(), reject(request.error))
        }
      }),
    { op, key, value },
  )
}

const draftGraph = async (page: Page, key: string): Promise<string> => ((await idb(page, 'get', key)) as { graph?: string } | undefined)?.graph ?? ''
const title = (page: Page): Promise<string> => page.locator('[data-testid=graph-title]').innerText()

async function newTab(page: Page): Promise<Page> {
  const tab = await page.context().newPage()
  // Fault injection for the quota test: while window.__failPuts is set, every IndexedDB put fails as a full disk does.
  await tab.addInitScript(() => {
    const put = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if ((window as { __failPuts?: boolean }).__failPuts) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return put.apply(this, args)
    }
  })
  await tab.goto(page.url())
  await waitReady(tab)
  return tab
}

describe('autosave drafts', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('keeps a draft it cannot read (truncated JSON): says why, offers it raw, never overwrites it', async () => {
    const { page } = app
    const key = await ownKey(page)
    // The page's own first autosave (400 ms after the graph is shown) must have landed, or it could overwrite the
    // broken draft written next, before the reload reads it.
    await expect.poll(() => draftGraph(page, key), { timeout: 30_000 }).not.toBe('')
    const truncated = shapesGraph('future work').slice(0, 500)
    const at = Date.now()
    await idb(page, 'put', key, { graph: truncated, name: 'future work', savedGraph: null, at })
    await page.reload()
    await waitReady(page)
    const banner = page.locator('[data-testid=draft-unreadable]')
    // The first page load of a run compiles the app's worker and runtime: slow on a loaded 2-core machine.
    await banner.waitFor({ timeout: 30_000 })
    expect(await banner.innerText()).toMatch(/future work[\s\S]*JSON/i)
    // An edit of the default graph shown instead is autosaved elsewhere; the banner and the kept draft stay.
    const [sampler] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 4321), sampler!)
    const newKey = await ownKey(page)
    expect(newKey).not.toBe(key)
    await expect.poll(() => draftGraph(page, newKey), { timeout: 30_000 }).toContain('4321')
    expect(await idb(page, 'get', key)).toEqual({ graph: truncated, name: 'future work', savedGraph: null, at })
    await expect(banner.count()).resolves.toBe(1)
    await screenshot(page, 'autosave-unreadable-draft')
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=draft-download-raw]')])
    expect(readFileSync(await download.path(), 'utf8')).toBe(truncated)
  })

  it('keeps one draft per tab: a reload restores its own, the others are offered as recent drafts', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), shapesGraph('graph of tab A'))
    const [samplerA] = (await nodeIdsByType(page))['TSCDSampler']!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 1111), samplerA!)
    const keyA = await ownKey(page)
    await expect.poll(() => draftGraph(page, keyA), { timeout: 10_000 }).toContain('1111')

    const tabB = await newTab(page)
    await tabB.evaluate((json) => window.__hypersd!.loadGraph(json), shapesGraph('graph of tab B'))
    await tabB.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 2222), samplerA!)
    const keyB = await ownKey(tabB)
    await expect.poll(() => draftGraph(tabB, keyB), { timeout: 10_000 }).toContain('2222')

    // Tab A wrote first and B last: A's reload still restores A's graph, with its unsaved mark.
    await page.reload()
    await waitReady(page)
    expect(await title(page)).toBe('graph of tab A')
    expect(await page.evaluate((id) => JSON.parse(window.__hypersd!.graphJson()).nodes.find((n: { id: string }) => n.id === id).inputs.seed, samplerA!)).toBe(1111)
    await page.locator('[data-testid=unsaved-indicator]').waitFor()

    // B's draft is in A's recent drafts with its time and title; opening it asks about A's unsaved edits first.
    await page.click('[data-testid=recent-drafts-button]')
    const itemB = page.locator(`[data-testid=recent-draft][data-draft-id="${keyB}"]`)
    await itemB.waitFor()
    expect(await itemB.innerText()).toContain('graph of tab B')
    expect(Number(await itemB.getAttribute('data-at'))).toBeGreaterThan(0)
    await screenshot(page, 'autosave-recent-drafts')
    await itemB.click()
    await page.click('[data-testid=discard-confirm]')
    await expect.poll(() => title(page)).toBe('graph of tab B')
    expect(await page.evaluate((id) => JSON.parse(window.__hypersd!.graphJson()).nodes.find((n: { id: string }) => n.id === id).inputs.seed, samplerA!)).toBe(2222)
    await tabB.close()
  })

  it('keeps at most the 10 most recent drafts', async () => {
    const { page } = app
    for (let i = 0; i < 12; i++) await idb(page, 'put', `draft-old-${i}`, { graph: shapesGraph(`old ${i}`), name: `old ${i}`, savedGraph: null, at: 1_000_000 + i })
    expect(((await idb(page, 'keys')) as string[]).length).toBeGreaterThan(12)
    await page.reload()
    await waitReady(page)
    await expect.poll(async () => ((await idb(page, 'keys')) as string[]).length, { timeout: 10_000 }).toBe(10)
    const keys = (await idb(page, 'keys')) as string[]
    expect(keys).toContain(await ownKey(page))
    // The oldest went first.
    expect(keys).not.toContain('draft-old-0')
    expect(keys).toContain('draft-old-11')
  })

  it('shows autosave failures (quota exceeded) and keeps trying until a save succeeds', async () => {
    const tab = await newTab(app.page)
    const key = await ownKey(tab)
    await tab.evaluate(() => ((window as { __failPuts?: boolean }).__failPuts = true))
    const [sampler] = (await nodeIdsByType(tab))['TSCDSampler']!
    await tab.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 3333), sampler!)
    const warning = tab.locator('[data-testid=autosave-warning]')
    await warning.waitFor({ timeout: 10_000 })
    expect(await warning.innerText()).toMatch(/full|quota/i)
    await screenshot(tab, 'autosave-quota-warning')
    // Space is freed: the next retry (no edit needed) saves the edit and the warning goes.
    await tab.evaluate(() => ((window as { __failPuts?: boolean }).__failPuts = false))
    await warning.waitFor({ state: 'detached', timeout: 15_000 })
    expect(await draftGraph(tab, key)).toContain('3333')
    await tab.close()
  })

  it('prompts before closing only for unsaved edits, not for a seed randomised by a run', async () => {
    const closeCountingPrompts = async (tab: Page): Promise<number> => {
      let prompts = 0
      tab.on('dialog', (dialog) => {
        if (dialog.type() === 'beforeunload') prompts++
        void dialog.accept()
      })
      const closed = new Promise((done) => tab.once('close', done))
      await tab.close({ runBeforeUnload: true })
      await closed
      return prompts
    }

    const clean = await newTab(app.page)
    await clean.evaluate((json) => window.__hypersd!.loadGraph(json), shapesGraph('randomised', 'randomize'))
    const [sampler] = (await nodeIdsByType(clean))['TSCDSampler']!
    const seedOf = (): Promise<number> => clean.evaluate((id) => JSON.parse(window.__hypersd!.graphJson()).nodes.find((n: { id: string }) => n.id === id).inputs.seed, sampler!)
    const before = await seedOf()
    // A click on Run is the user gesture Chromium needs before it shows any beforeunload prompt.
    expect((await runOnce(clean)).status).toBe('done')
    await expect.poll(seedOf).not.toBe(before)
    await expect(clean.locator('[data-testid=unsaved-indicator]').count()).resolves.toBe(0)
    expect(await clean.evaluate(() => window.__hypersd!.dirty())).toBe(false)
    expect(await closeCountingPrompts(clean)).toBe(0)

    const edited = await newTab(app.page)
    await edited.click('[data-testid=graph-canvas]', { position: { x: 8, y: 8 } })
    await edited.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 77), sampler!)
    await edited.locator('[data-testid=unsaved-indicator]').waitFor()
    expect(await closeCountingPrompts(edited)).toBe(1)
  })
})
