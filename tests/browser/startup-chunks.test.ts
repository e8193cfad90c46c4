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
})
