// Issue 14 §2 in a real Chromium on the built app: a big graph file is read and validated in the parse worker and
// opens whole; one over the editor's node limit is refused at once, naming its node count, the limit and the CLI,
// and the open graph stays as it was. (Load times are measured by `npm run bench:big-graph`, not asserted here.)
import { describe, expect, it } from 'vitest'
import { chainGraph } from '../../bench/big-graph-file.js'
import { EDITOR_MAX_NODES } from '../../src/graph/load-limits.js'
import { appForSuite } from './harness.js'

describe('big graph files in the editor', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it(`opens a ${EDITOR_MAX_NODES}-node file whole, parsed in the worker`, async () => {
    const { page } = app
    await page.evaluate(() => performance.clearMeasures())
    await page.locator('[data-testid=file-input]').setInputFiles({ name: 'chain.json', mimeType: 'application/json', buffer: Buffer.from(chainGraph(EDITOR_MAX_NODES)) })
    await page.waitForFunction((count) => Object.keys(window.__hypersd!.nodeTypes()).length === count, EDITOR_MAX_NODES, { timeout: 120_000 })
    const shown = JSON.parse(await page.evaluate(() => window.__hypersd!.graphJson())) as { nodes: { inputs: Record<string, unknown> }[] }
    const links = shown.nodes.flatMap((n) => Object.values(n.inputs).filter((v) => typeof v === 'object' && v !== null && 'from' in v))
    expect(links).toHaveLength(2 * (EDITOR_MAX_NODES - 1))
    const stages = await page.evaluate(() => performance.getEntriesByType('measure').map((m) => m.name))
    expect(stages).toContain('hypersd-load:parse (worker)')
    expect(stages).not.toContain('hypersd-load:parse (main thread)')
  })

  it(`refuses a ${EDITOR_MAX_NODES + 1}-node file before touching the open graph`, async () => {
    const { page } = app
    const before = await page.evaluate(() => window.__hypersd!.graphJson())
    const count = EDITOR_MAX_NODES + 1
    await page.locator('[data-testid=file-input]').setInputFiles({ name: 'too-big.json', mimeType: 'application/json', buffer: Buffer.from(chainGraph(count)) })
    const panel = page.locator('[data-testid=error-panel]')
    await page.waitForFunction(() => document.querySelector('[data-testid=error-panel]')?.textContent?.includes('too-big.json'))
    const message = (await panel.textContent()) ?? ''
    expect(message).toContain(`the file has ${count} nodes`)
    expect(message).toContain(`at most ${EDITOR_MAX_NODES} nodes`)
    expect(message).toContain('hypersd validate')
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(before)
    // The hook rejects with the same reason.
    const hookError = await page.evaluate((text) => window.__hypersd!.loadGraph(text).then(() => '', (e: unknown) => String(e)), chainGraph(count))
    expect(hookError).toContain(`the file has ${count} nodes`)
    expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(before)
  })
})
