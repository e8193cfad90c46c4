// The backend Auto picks on a software-only WebGPU adapter (SwiftShader, as headless Chromium with
// --enable-unsafe-webgpu offers), what the badge says about it, and the stages the progress area shows during the
// cold first run (model loads and prompt encoding, which take seconds with no step progress).
import { describe, expect, it } from 'vitest'
import { appForSuite, runOnce, screenshot, waitReady } from './harness.js'

describe('backend choice on a software WebGPU adapter, and the stages of the first run', () => {
  // No ?backend: the Settings default, Auto.
  const app = appForSuite({ webgpu: true })

  it('Auto chooses WASM over SwiftShader, and the badge names the adapter and the reason', async () => {
    const { page } = app
    // The adapter is there (WebGPU would work), so WASM was a choice, not a fallback.
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { architecture?: string; description?: string } } | null> } }).gpu
      const found = await gpu?.requestAdapter()
      return found ? `${found.info?.architecture ?? ''} ${found.info?.description ?? ''}` : null
    })
    expect(adapter).toMatch(/swiftshader/i)
    const badge = page.locator('[data-testid=backend-indicator]')
    await expect(badge.getAttribute('data-state')).resolves.toBe('ready')
    await expect(badge.getAttribute('data-backend')).resolves.toBe('wasm')
    await expect(badge.textContent()).resolves.toBe('wasm · SwiftShader is software')
    const reason = await badge.getAttribute('data-reason')
    expect(reason).toMatch(/^Auto: WebGPU adapter "SwiftShader" is software-only .*so WASM/)
    // The tooltip carries the backend, its threads and the same reason in full.
    await expect(badge.getAttribute('title')).resolves.toMatch(new RegExp(`^WASM, \\d+ threads?\\. ${reason!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))
  })

  it('shows the load, encode, sampling and decode stages in the progress area during the first run', async () => {
    const { page } = app
    // Every label text, in order, as the DOM changes (no timing involved).
    await page.evaluate(() => {
      const label = document.querySelector('[data-testid=progress] .label')!
      const seen: string[] = []
      const record = (): void => {
        const text = (label.textContent ?? '').replace(/ · \d+\.\d s$/, '')
        if (seen[seen.length - 1] !== text) seen.push(text)
      }
      new MutationObserver(record).observe(label, { childList: true, characterData: true, subtree: true })
      ;(window as unknown as { __stages: string[] }).__stages = seen
    })
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.backend).toBe('wasm')
    await screenshot(page, 'backend-choice-after-first-run')
    const stages = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages)
    const expected = ['Loading text encoder…', 'Encoding prompt…', 'Loading UNet…', /^Sampling step 1 of \d+$/, 'Loading VAE decoder…', 'Decoding…', /^done in /]
    let at = 0
    for (const want of expected) {
      const found = stages.findIndex((s, i) => i >= at && (typeof want === 'string' ? s === want : want.test(s)))
      expect(found, `"${String(want)}" after position ${at} in ${JSON.stringify(stages)}`).toBeGreaterThanOrEqual(0)
      at = found + 1
    }
    // A second run of the same models creates no session: no loading stage, only the work. The first image came from
    // a merged UNet; its live LoRA session is built once the engine has been idle a while (idle-tasks.ts), which a
    // slow step here (the screenshot) can reach: a run asked for during that build waits for it, "Loading UNet…".
    await page.waitForFunction(() => window.__hypersd!.idleWork().pending === 0, null, { timeout: 60_000 })
    await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages.splice(0))
    const [samplerId] = Object.entries(await page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'TSCDSampler')!
    await page.evaluate((id) => window.__hypersd!.setValue(id, 'seed', 7), samplerId)
    const again = await runOnce(page)
    expect(again.status, again.error ?? '').toBe('done')
    const later = await page.evaluate(() => (window as unknown as { __stages: string[] }).__stages)
    expect(later.filter((s) => s.startsWith('Loading'))).toEqual([])
    expect(later.some((s) => /^Sampling step \d+ of \d+$/.test(s))).toBe(true)
  })
})

describe('the onnxruntime build a WASM worker loads', () => {
  const app = appForSuite({ query: '?backend=wasm' })

  it('is the CPU-only one (the WebGPU build and its 28 MB wasm are never fetched), and the models are cached whole', async () => {
    // A fresh context (empty HTTP cache) on the same app, watched from its first request, the worker's included.
    const context = await app.page.context().browser()!.newContext()
    try {
      const urls: string[] = []
      context.on('request', (request) => void urls.push(new URL(request.url()).pathname))
      const page = await context.newPage()
      await page.goto(app.page.url())
      await waitReady(page)
      const run = await runOnce(page)
      expect(run.status, run.error ?? '').toBe('done')
      expect(run.backend).toBe('wasm')
      const wasm = urls.filter((u) => u.endsWith('.wasm'))
      expect(wasm.length, JSON.stringify(urls)).toBeGreaterThan(0)
      expect(wasm.filter((u) => /jsep/.test(u)), JSON.stringify(wasm)).toEqual([])
      expect(urls.filter((u) => /ort\.bundle\.min/.test(u)), 'the WebGPU build\'s module').toEqual([])
      // The models' Cache API copies are written from a branch of the download's stream, after the run has the bytes:
      // each must still be the whole file (what the server sent).
      const served = await page.evaluate(async () => (await fetch('models/hyper-shapes/unet/model.onnx', { cache: 'no-store' })).arrayBuffer().then((b) => b.byteLength))
      await page.waitForFunction(async (size) => {
        const cached = await (await caches.open('hypersd-models-v2')).match(new URL('models/hyper-shapes/unet/model.onnx', document.baseURI).href)
        return cached !== undefined && (await cached.arrayBuffer()).byteLength === size && cached.headers.get('content-length') === String(size)
      }, served, { timeout: 30_000 })
    } finally {
      await context.close()
    }
  })
})
