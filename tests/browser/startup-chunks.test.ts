// How the built page starts: a small entry chunk creates the engine worker and tells it its backend before the app's
// large chunk (Vue, litegraph, the editor) has been parsed, and the page asks for that chunk and its stylesheet up
// front (scripts/app/preload-app-chunk.ts), so both load side by side. Read from the build the browser suite serves;
// the worker's adoption by the app is checked in tests/ui/early-worker.test.ts and by every test that runs a graph.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appForSuite, runOnce } from './harness.js'

const dist = (): string => process.env['HYPERSD_BROWSER_DIST']!

describe('the page start', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('runs a small entry that starts the worker, with the app chunk and its stylesheet preloaded', async () => {
    const html = readFileSync(join(dist(), 'index.html'), 'utf8')
    const entry = /<script type="module" crossorigin src="\/(assets\/index-[^"]+\.js)">/.exec(html)?.[1]
    const preloaded = /<link rel="modulepreload" crossorigin href="\/(assets\/app-[^"]+\.js)">/.exec(html)?.[1]
    expect(entry, html).toBeDefined()
    expect(preloaded, html).toBeDefined()
    expect(html).toMatch(/<link rel="stylesheet" crossorigin href="\/assets\/app-[^"]+\.css">/)
    // The entry holds the worker's start, not the editor: a few kB against the app's megabyte and more.
    expect(statSync(join(dist(), entry!)).size).toBeLessThan(16 * 1024)
    expect(statSync(join(dist(), preloaded!)).size).toBeGreaterThan(500 * 1024)
    const entryCode = readFileSync(join(dist(), entry!), 'utf8')
    expect(entryCode).toMatch(/engine-worker-[\w-]+\.js/)
    expect(entryCode).toContain(preloaded!.replace('assets/', ''))

    // One engine worker, started by the entry and adopted by the app: the page runs a graph with it.
    const { page } = app
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const workers = page.workers().map((w) => w.url()).filter((url) => /engine-worker-[\w-]+\.js/.test(url))
    expect(workers).toHaveLength(1)
    expect(app.errors).toEqual([])
  })

  it('a Run asked for before the first graph has opened waits for it, instead of running the empty canvas', async () => {
    const page = await app.page.context().newPage()
    try {
      // As soon as the app's hooks exist (the editor is up; the autosave or default graph is still being read).
      await page.addInitScript(() => {
        const w = window as unknown as { __early?: { nodes: number; id: string | null } }
        const poll = (): void => {
          if (!window.__hypersd) return void setTimeout(poll, 0)
          w.__early = { nodes: Object.keys(window.__hypersd.nodeTypes()).length, id: window.__hypersd.run() }
        }
        poll()
      })
      await page.goto(app.page.url())
      await page.waitForFunction(() => (window as unknown as { __early?: unknown }).__early !== undefined, null, { timeout: 60_000 })
      const early = await page.evaluate(() => (window as unknown as { __early: { nodes: number; id: string | null } }).__early)
      // The case under test: the canvas was still empty when Run was asked for, and nothing was queued then.
      expect(early).toEqual({ nodes: 0, id: null })
      await page.waitForFunction(() => ['done', 'error'].includes(window.__hypersd!.lastRun().status), null, { timeout: 120_000 })
      const run = await page.evaluate(() => window.__hypersd!.lastRun())
      expect(run.status, run.error ?? '').toBe('done')
      expect(Object.values(await page.evaluate(() => window.__hypersd!.nodeTypes()))).toContain('SaveImage')
    } finally {
      await page.close()
    }
  })
})
