// Node warnings reach the editor: the engine emitted them (dropped prompt tokens, a LoRA's unmatched keys, a float16
// model moved to WASM, a sampling loop that reads back) and the CLI printed them, but the editor showed none. They
// are listed in the Output panel with the node each came from, counted on the Output tab, kept after the run, and
// cleared by the next run or Dismiss.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appForSuite, runOnce, screenshot } from './harness.js'

const GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
/** 90 words of one token each: more than CLIP's 75. */
const LONG_PROMPT = Array.from({ length: 90 }, () => 'cat').join(' ')

describe('run warnings in the editor', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('lists a node warning with its node, counts it on the Output tab, and clears it at the next run or on Dismiss', async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), GRAPH)
    await page.evaluate((prompt) => {
      window.__hypersd!.setValue('3', 'width', 64)
      window.__hypersd!.setValue('3', 'height', 64)
      window.__hypersd!.setValue('2', 'text', prompt)
    }, LONG_PROMPT)
    await page.click('[data-testid=output-tab]')
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.warnings).toEqual(['#2: prompt has 90 tokens; the last 15 beyond 75 were dropped'])
    const item = page.locator('[data-testid=run-warning]')
    await item.waitFor({ timeout: 10_000 })
    expect(await item.count()).toBe(1)
    expect(await item.locator('.where').textContent()).toMatch(/\(#2, CLIPTextEncode\)$/)
    expect(await item.locator('.message').textContent()).toBe('prompt has 90 tokens; the last 15 beyond 75 were dropped')
    expect(await page.locator('[data-testid=output-warning-count]').textContent()).toMatch(/1$/)
    await screenshot(page, 'run-warnings')
    // A run that warns of nothing clears them.
    await page.evaluate(() => window.__hypersd!.setValue('2', 'text', 'a cat'))
    const quiet = await runOnce(page)
    expect(quiet.warnings).toEqual([])
    expect(await page.locator('[data-testid=run-warnings]').count()).toBe(0)
    expect(await page.locator('[data-testid=output-warning-count]').count()).toBe(0)
    // Dismiss hides them until the next run.
    await page.evaluate((prompt) => window.__hypersd!.setValue('2', 'text', prompt), LONG_PROMPT)
    await runOnce(page)
    await page.locator('[data-testid=run-warnings] button').click()
    expect(await page.locator('[data-testid=run-warnings]').count()).toBe(0)
    expect(app.errors).toEqual([])
  })
})
