// `npm run dev`, Vite's dev server for working on the code (unbundled modules, the worker and onnxruntime-web's
// WASM served from node_modules). The other browser tests use the built app (npm-start.test.ts: `npm start`); this
// one runs the default graph through the dev server itself.
import { resolve } from 'node:path'
import { createServer } from 'vite'
import { describe, expect, it } from 'vitest'
import { appForSuite, runOnce } from './harness.js'

async function serveDev(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await createServer({ root: resolve(import.meta.dirname, '../..'), logLevel: 'error', server: { port: 0, strictPort: false } })
  await server.listen()
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('the Vite dev server reported no local URL')
  return { url, close: () => server.close() }
}

describe('npm run dev (Vite dev server)', () => {
  const app = appForSuite({ serve: serveDev })

  it('opens the default Hyper-SD graph cross-origin isolated, and Run gives an image', async () => {
    const { page } = app
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true)
    const types = Object.values(await page.evaluate(() => window.__hypersd!.nodeTypes()))
    expect(types).toEqual(expect.arrayContaining(['LoadPipeline', 'CLIPTextEncode', 'TSCDSampler', 'VAEDecode', 'SaveImage']))
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.nodesRun.length).toBe(8)
    await expect(page.locator('[data-testid=output-image]').getAttribute('src')).resolves.toMatch(/^blob:/)
    expect(app.errors).toEqual([])
  })
})
