// WebGPU device loss (a driver reset, a GPU process crash): the run fails with a message, the graph survives, and
// the next run starts on a new device. The loss is made by destroying the worker's GPUDevice, which fires the same
// `lost` promise a real loss does.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lastRun, openApp, runOnce, waitForRunAfter, waitReady, SWIFTSHADER_TIMEOUT } from './harness.js'

const TINY_GRAPH = readFileSync(join(import.meta.dirname, '..', '..', 'graphs', 'tiny-sd15-8step.json'), 'utf8')

describe('WebGPU device loss', () => {
  it('fails the run with a message, keeps the graph, and runs again on a new device', async () => {
    const app = await openApp({ webgpu: true, query: '?backend=webgpu' })
    try {
      const { page } = app
      await page.evaluate((json) => window.__hypersd!.loadGraph(json), TINY_GRAPH)
      // 128 px keeps SwiftShader's runs short; 8 steps leave time to lose the device in the middle of one.
      const latentNode = Object.entries(await page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'EmptyLatent')![0]
      await page.evaluate((id) => {
        window.__hypersd!.setValue(id, 'width', 128)
        window.__hypersd!.setValue(id, 'height', 128)
      }, latentNode)
      const first = await runOnce(page)
      expect(first.status, first.error ?? '').toBe('done')
      expect(first.backend).toBe('webgpu')

      // Lose the device in the middle of the next run (a new seed: the sampler and decoder run again).
      const seedNode = Object.entries(await page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'TSCDSampler')![0]
      await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 4242), seedNode)
      const graphBefore = await page.evaluate(() => window.__hypersd!.graphJson())
      const before = (await lastRun(page)).runId
      await page.evaluate(() => window.__hypersd!.run())
      await page.waitForFunction(() => window.__hypersd!.lastRun().status === 'running', null, { timeout: 30_000 })
      await page.evaluate(() => window.__hypersd!.loseGpuDevice())
      const failed = await waitForRunAfter(page, before)
      expect(failed.status).toBe('error')
      await page.waitForSelector('[data-testid=error-panel]', { timeout: 30_000 })
      const shown = await page.textContent('[data-testid=error-panel]')
      expect(shown).toContain('the GPU device was lost (destroyed')
      expect(shown).toContain('the next run starts on a new GPU device')
      expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(graphBefore)

      // A new worker, a new device: the next run works.
      await waitReady(page)
      const again = await runOnce(page)
      expect(again.status, again.error ?? '').toBe('done')
      expect(again.backend).toBe('webgpu')
    } finally {
      await app.close()
    }
  }, SWIFTSHADER_TIMEOUT)
})
