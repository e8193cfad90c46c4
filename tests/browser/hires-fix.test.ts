// A two-pass ("hires fix") graph in the editor: the shapes 4-step graph, its latent doubled by Upscale Latent By and
// sampled again at denoise 0.5, runs to the picture the CLI makes of it; changing scale_by re-runs only the upscale
// and what follows it (the first pass and the prompt stay cached).
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { appForSuite, lastRun, meanRgbDifference, outputPixels, runOnce, screenshot } from './harness.js'

const host = createTestHost()
afterAll(async () => host.dispose())

const link = (node: string, output: string) => ({ from: [node, output] as [string, string] })
const base = shippedGraph('shapes-4step.json')
const firstPass = base.nodes.find((n) => n.type === 'TSCDSampler')!
const HIRES: GraphFile = {
  ...base,
  nodes: [
    ...base.nodes.map((n) => (n.type === 'VAEDecode' ? { ...n, inputs: { ...n.inputs, latent: link('21', 'latent') } } : n)),
    { id: '20', type: 'LatentUpscaleBy', version: 1, inputs: { samples: link(firstPass.id, 'latent'), method: 'bislerp', scale_by: 2 } },
    { id: '21', type: 'TSCDSampler', version: 1, title: 'Second pass', inputs: { ...firstPass.inputs, latent: link('20', 'latent'), denoise: 0.5 } },
  ],
}

describe('hires fix in the editor', () => {
  const app = appForSuite()

  it("runs both passes to the CLI's picture at twice the size, then re-runs only from the upscale when scale_by changes", async () => {
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(HIRES))
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.nodesRun).toEqual(expect.arrayContaining([firstPass.id, '20', '21']))
    const picture = await outputPixels(page)
    expect([picture.width, picture.height]).toEqual([128, 128])
    const cli = (await host.engine.run(withOverrides(HIRES, []))).outputs.get('5')!.image as ImageBatch
    // onnxruntime-web's WASM kernels against onnxruntime-node's: the same picture up to rounding.
    expect(meanRgbDifference(picture.data, cli.images[0]!)).toBeLessThan(1)
    await expect(page.innerText('[data-testid=output-params]')).resolves.toMatch(/denoise\s+0\.5/)
    await expect(page.innerText('[data-testid=output-params]')).resolves.toMatch(/upscale\s+bislerp 64x64 to 128x128/)
    await screenshot(page, 'hires-fix-run')

    await page.evaluate(() => window.__hypersd!.setValue('20', 'scale_by', 1.5))
    const again = await runOnce(page)
    expect(again.status, again.error ?? '').toBe('done')
    expect(again.nodesRun).toEqual(expect.arrayContaining(['20', '21']))
    expect(again.nodesRun).not.toContain(firstPass.id)
    expect(again.nodesCached).toEqual(expect.arrayContaining([firstPass.id, '2']))
    const smaller = await outputPixels(page)
    expect([smaller.width, smaller.height]).toEqual([96, 96])
    expect((await lastRun(page)).warnings).toEqual([])
  })
})
