// Node warnings reach the editor: the engine emitted them (dropped prompt tokens, a LoRA's unmatched keys, a float16
// model moved to WASM, a sampling loop that reads back) and the CLI printed them, but the editor showed none. They
// are listed in the Output panel with the node each came from, counted on the Output tab, kept after the run, and
// cleared by the next run or Dismiss.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { appForSuite, runOnce, screenshot } from './harness.js'

const GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')
/** A template of a real model, which this machine does not have: its run fails at the loader. */
const REAL_MODEL_GRAPH = readFileSync(resolve(import.meta.dirname, '../../graphs/hyper-sd15-4step.json'), 'utf8')
/** 90 words of one token each: more than CLIP's 75. */
const LONG_PROMPT = Array.from({ length: 90 }, () => 'cat').join(' ')

/** Opens the tiny graph at 64x64 with this prompt, read as diffusers reads it (cut at 75 tokens, with a warning). */
async function openWithPrompt(page: Page, prompt: string): Promise<void> {
  await page.evaluate((json) => window.__hypersd!.loadGraph(json), GRAPH)
  await page.evaluate((text) => {
    window.__hypersd!.setValue('3', 'width', 64)
    window.__hypersd!.setValue('3', 'height', 64)
    window.__hypersd!.setValue('2', 'syntax', 'diffusers')
    window.__hypersd!.setValue('2', 'text', text)
  }, prompt)
}

describe('run warnings in the editor', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('lists a node warning with its node, counts it on the Output tab, and clears it at the next run or on Dismiss', async () => {
    const { page } = app
    await openWithPrompt(page, LONG_PROMPT)
    await page.click('[data-testid=output-tab]')
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    const dropped = 'prompt has 90 tokens; the last 15 beyond 75 were dropped (syntax comfyui encodes them in further windows)'
    expect(run.warnings).toEqual([`#2: ${dropped}`])
    const item = page.locator('[data-testid=run-warning]')
    await item.waitFor({ timeout: 10_000 })
    expect(await item.count()).toBe(1)
    expect(await item.locator('.where').textContent()).toMatch(/\(#2, CLIPTextEncode\)$/)
    expect(await item.locator('.message').textContent()).toBe(dropped)
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

  it("opening another graph clears the previous graph's warnings and its failed run's errors", async () => {
    const { page } = app
    await openWithPrompt(page, LONG_PROMPT.replaceAll('cat', 'dog')) // not encoded before: a cached encoding warns of nothing
    expect((await runOnce(page)).warnings).toHaveLength(1)
    await page.locator('[data-testid=run-warning]').waitFor({ timeout: 10_000 })
    // Node ids repeat between graphs: "#2 (CLIPTextEncode)" would name a node of the graph opened next.
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), REAL_MODEL_GRAPH)
    await page.locator('[data-testid=run-warnings]').waitFor({ state: 'detached', timeout: 10_000 })
    expect(await page.locator('[data-testid=output-warning-count]').count()).toBe(0)
    // A run that fails (its model is not here) shows its error until another graph is opened.
    const failed = await runOnce(page)
    expect(failed.status).toBe('error')
    await page.locator('[data-testid=error-panel]').waitFor({ timeout: 10_000 })
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), GRAPH)
    await page.locator('[data-testid=error-panel]').waitFor({ state: 'detached', timeout: 10_000 })
  })
})
