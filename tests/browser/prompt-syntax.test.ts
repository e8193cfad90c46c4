// ComfyUI's prompt syntax in the editor: a long prompt with emphasis runs in the browser to the CLI's picture (the
// windows and weights computed the same way in the engine worker), and the Node inspector offers the syntax among the
// prompt's advanced inputs.
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { appForSuite, meanRgbDifference, outputPixels, runOnce, selectNodeUntil } from './harness.js'

const host = createTestHost()
afterAll(async () => host.dispose())

const PROMPT = `a large (green:1.4) triangle in the ((top right)) on a yellow background, ${Array(6).fill('a small red circle in the bottom left on a blue background').join(', ')}`

describe('prompt syntax in the editor', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it("runs a long, weighted prompt to the CLI's picture", async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(shippedGraph('shapes-4step.json')))
    await page.evaluate((text) => {
      window.__hypersd!.setValue('2', 'text', text)
      // The long prompt is not a shapes caption: Scene Score checks its own.
      window.__hypersd!.setValue('8', 'caption', 'a large green triangle')
    }, PROMPT)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.warnings).toEqual([])
    const picture = await outputPixels(page)
    const cli = (await host.engine.run(withOverrides(shippedGraph('shapes-4step.json'), [`2.text=${PROMPT}`, '8.caption=a large green triangle']))).outputs.get('5')!.image as ImageBatch
    expect(meanRgbDifference(picture.data, cli.images[0]!)).toBeLessThan(1)
    // The same prompt read as diffusers reads it (cut at 75 tokens, brackets as text) draws another picture.
    const plain = (await host.engine.run(withOverrides(shippedGraph('shapes-4step.json'), [`2.text=${PROMPT}`, '2.syntax=diffusers', '8.caption=a large green triangle']))).outputs.get('5')!.image as ImageBatch
    expect(meanRgbDifference(plain.images[0]!, cli.images[0]!)).toBeGreaterThan(1)
  })

  it('offers the syntax among the prompt node\'s advanced inputs in the Node inspector, and a change there re-runs the prompt', async () => {
    const { page } = app
    await page.locator('.tabs button', { hasText: 'Node' }).first().click()
    const field = page.locator('.field[data-input="syntax"]')
    await selectNodeUntil(page, '2', 'clip', field)
    await expect(field.locator('.name').textContent()).resolves.toBe('syntax advanced')
    await expect(field.locator('select').inputValue()).resolves.toBe('comfyui')
    await field.locator('select').selectOption('diffusers')
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.nodesRun).toContain('2')
    expect(run.warnings.join('\n')).toMatch(/beyond 75 were dropped/)
  })
})
