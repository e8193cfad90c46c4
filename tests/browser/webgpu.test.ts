// The same graphs on WebGPU (Dawn on SwiftShader in headless Chromium) and on WASM: the default graph (the bundled
// shapes model with its 4-step LoRA), the tiny SD1.5 twin, and the twin with a LoRA. The worker must pick WebGPU
// when an adapter exists, and the images must agree within a stated tolerance. The same WebGPU page (SwiftShader
// compiles shaders slowly, so one page serves all) also checks what goes wrong on a GPU: an image too large for the
// adapter's buffers (refused before the first render), a WebGPU error inside a run, and device losses (driver
// resets), the second of which moves runs to WASM.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LastRunView } from '../../src/ui/window-hooks.js'
import { lastRun, nodeIdsByType, openApp, outputPixels, runOnce, screenshot, waitForRunAfter, waitReady, type AppSession, SWIFTSHADER_TIMEOUT } from './harness.js'
import { rgbDifference } from '../helpers/arrays.js'

// Tolerance, in 8-bit levels over the RGB channels: WebGPU kernels (other reduction orders, fused ops) differ from
// the WASM CPU kernels by float rounding, which 4 UNet steps and the VAE can amplify. Measured on SwiftShader:
// mean 0.001 levels, max 1 level; the bounds leave room for other adapters.
const MEAN_ABS_TOLERANCE = 0.5
const MAX_ABS_TOLERANCE = 8
/** SwiftShader runs WebGPU on the CPU, slowly: a 64x64 image keeps this test short. */
const SIZE = 64

const LORA_GRAPH = readFileSync(join(import.meta.dirname, '..', '..', 'graphs', 'tiny-sd15-lora-4step.json'), 'utf8')
const TINY_GRAPH = readFileSync(join(import.meta.dirname, '..', '..', 'graphs', 'tiny-sd15-4step.json'), 'utf8')
/** The shapes model draws at its training size. */
const SHAPES_SIZE = 64

interface Render {
  readonly backend: string
  /** The default graph: the shapes model with its 4-step LoRA (live). */
  readonly shapes: number[]
  readonly plain: number[]
  /** The same graph with the tiny LoRA in live mode (low-rank branches beside the layers). */
  readonly lora: number[]
  /** The LoRA in live-delta mode (weights recomputed in the graph on this backend). */
  readonly loraDelta: number[]
}

async function render(page: AppSession['page'], label: string, size = SIZE): Promise<{ pixels: number[]; backend: string; run: LastRunView }> {
  const latentId = Object.entries(await page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'EmptyLatent')![0]
  await page.evaluate(([id, size]) => {
    window.__hypersd!.setValue(id, 'width', size)
    window.__hypersd!.setValue(id, 'height', size)
  }, [latentId, size] as const)
  const run = await runOnce(page)
  expect(run.status, run.error ?? '').toBe('done')
  await screenshot(page, label)
  return { pixels: (await outputPixels(page)).data, backend: run.backend, run }
}

interface GpuChecks {
  /** Runs on the fresh page, before the first render. */
  readonly before: (page: AppSession['page']) => Promise<void>
  /** Runs after the renders, on the same page. */
  readonly after: (page: AppSession['page']) => Promise<void>
}

async function renderBoth(options: { webgpu: boolean }, checks?: GpuChecks): Promise<Render> {
  let app: AppSession | undefined
  try {
    app = await openApp({ webgpu: options.webgpu, query: options.webgpu ? '?backend=webgpu' : '?backend=wasm' })
    await checks?.before(app.page)
    const shapes = await render(app.page, options.webgpu ? 'webgpu-shapes-run' : 'webgpu-reference-wasm-shapes-run', SHAPES_SIZE)
    await app.page.evaluate((json) => window.__hypersd!.loadGraph(json), TINY_GRAPH)
    const plain = await render(app.page, options.webgpu ? 'webgpu-run' : 'webgpu-reference-wasm-run')
    await app.page.evaluate((json) => window.__hypersd!.loadGraph(json), LORA_GRAPH)
    const lora = await render(app.page, options.webgpu ? 'webgpu-lora-run' : 'webgpu-reference-wasm-lora-run')
    const loraId = Object.entries(await app.page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'UNetLoRA')![0]
    await app.page.evaluate((id) => window.__hypersd!.setValue(id, 'mode', 'live-delta'), loraId)
    const loraDelta = await render(app.page, options.webgpu ? 'webgpu-lora-delta-run' : 'webgpu-reference-wasm-lora-delta-run')
    if (checks) {
      // Nothing ran in the refused run (checks.before): nothing was cached, every session is made now.
      expect(shapes.run.nodesCached).toEqual([])
      expect(shapes.run.sessionsReused).toEqual([])
      expect(shapes.run.sessionsCreated.some((key) => key.includes('unet'))).toBe(true)
    }
    await checks?.after(app.page)
    return { backend: plain.backend, shapes: shapes.pixels, plain: plain.pixels, lora: lora.pixels, loraDelta: loraDelta.pixels }
  } finally {
    await app?.close()
  }
}

describe('WebGPU backend', () => {
  it('runs the default shapes graph, the tiny graph and its LoRA graph (live and live-delta) on WebGPU and matches the WASM images; refuses an image too large for the GPU buffers; survives a WebGPU error and two device losses, the second moving runs to WASM', async () => {
    const wasm = await renderBoth({ webgpu: false })
    const gpu = await renderBoth({ webgpu: true }, { before: refusesOversizedImage, after: gpuFailures })
    expect(wasm.backend).toBe('wasm')
    expect(gpu.backend).toBe('webgpu')
    for (const key of ['shapes', 'plain', 'lora', 'loraDelta'] as const) {
      const size = key === 'shapes' ? SHAPES_SIZE : SIZE
      expect(gpu[key].length).toBe(size * size * 4)
      expect(wasm[key].length).toBe(size * size * 4)
      const { mean, max } = rgbDifference(wasm[key], gpu[key])
      console.log(`WebGPU vs WASM, ${key} graph: mean |diff| ${mean.toFixed(3)} levels, max ${max} levels`)
      expect(mean, key).toBeLessThanOrEqual(MEAN_ABS_TOLERANCE)
      expect(max, key).toBeLessThanOrEqual(MAX_ABS_TOLERANCE)
    }
    // The LoRA really changed the image (about 2.5 levels on average), by more than the backends may differ.
    const change = rgbDifference(gpu.plain, gpu.lora)
    expect(change.mean).toBeGreaterThan(MEAN_ABS_TOLERANCE)
    expect(change.max).toBeGreaterThan(MAX_ABS_TOLERANCE)
    // Both live forms compute the same model.
    const forms = rgbDifference(gpu.lora, gpu.loraDelta)
    expect(forms.mean).toBeLessThanOrEqual(MEAN_ABS_TOLERANCE)
    expect(forms.max).toBeLessThanOrEqual(MAX_ABS_TOLERANCE)
  }, SWIFTSHADER_TIMEOUT)
})

/**
 * The GPU buffer preflight on the real adapter: the default graph at 4096x4096 is refused before any node or
 * session, naming the EmptyLatent node, its size, the estimate and the adapter's limit, in the error panel.
 */
async function refusesOversizedImage(page: AppSession['page']): Promise<void> {
  const [latentId] = (await nodeIdsByType(page))['EmptyLatent']!
  await page.evaluate((id) => {
    window.__hypersd!.setValue(id, 'width', 4096)
    window.__hypersd!.setValue(id, 'height', 4096)
  }, latentId!)
  const graphBefore = await page.evaluate(() => window.__hypersd!.graphJson())
  const refused = await runOnce(page)
  expect(refused.status).toBe('error')
  expect(refused.error).toContain(`node ${latentId} (EmptyLatent): width/height 4096x4096 needs a 512 GiB attention buffer on this GPU`)
  expect(refused.error).toMatch(/over its [\d.]+ [MG]iB (maxStorageBufferBindingSize|maxBufferSize); the largest size that fits is \d+x\d+ \(or use WASM\/the CLI\)$/)
  expect(refused.nodesRun).toEqual([])
  const panel = (await page.textContent('[data-testid=error-panel]')) ?? ''
  expect(panel).toContain(`#${latentId}`)
  expect(panel).toContain('4096x4096')
  expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(graphBefore)
}

/** Sets a fresh seed on the sampler, so the next run samples (and decodes) again instead of coming from the cache. */
async function newSeed(page: AppSession['page'], seed: number): Promise<void> {
  const sampler = Object.entries(await page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'TSCDSampler')![0]
  await page.evaluate(([id, value]) => window.__hypersd!.setValue(id, 'seed', value), [sampler, seed] as const)
}

/** Starts a run, loses the GPU device once the sampler has reported a step, and returns the failed run. */
async function loseDeviceMidRun(page: AppSession['page']) {
  const graphBefore = await page.evaluate(() => window.__hypersd!.graphJson())
  const before = (await lastRun(page)).runId
  await page.evaluate(() => window.__hypersd!.run())
  await page.waitForFunction(() => {
    const fill = document.querySelector<HTMLElement>('[data-testid=progress] .fill')
    return window.__hypersd!.lastRun().status === 'running' && fill !== null && fill.style.width !== '0%'
  }, null, { timeout: 60_000, polling: 50 })
  await page.evaluate(() => window.__hypersd!.loseGpuDevice())
  const failed = await waitForRunAfter(page, before)
  expect(failed.status).toBe('error')
  expect(await page.evaluate(() => window.__hypersd!.graphJson())).toBe(graphBefore)
  await page.waitForSelector('[data-testid=error-panel]', { timeout: 30_000 })
  return { run: failed, shown: (await page.textContent('[data-testid=error-panel]')) ?? '' }
}

/**
 * The sampling loop keeps latents, UNet outputs and guidance in GPU buffers: a run reads back from the GPU as often
 * at 1 step as at 4 (the final latents, the decoded image), and at 8 once more, for the preview after step 4.
 */
async function samplingStaysOnTheGpu(page: AppSession['page'], sampler: string): Promise<void> {
  // Each with another scheduler, so each of the loop's GPU steps runs here: DDIM's axpy, Euler's input scale, and
  // TCD's noise, uploaded per step.
  const readBacks = async (steps: number, seed: number, scheduler: string): Promise<number> => {
    await page.evaluate(([id, value]) => window.__hypersd!.setValue(id, 'steps', value), [sampler, steps] as const)
    await page.evaluate(([id, value]) => window.__hypersd!.setValue(id, 'scheduler', value), [sampler, scheduler] as const)
    if (scheduler === 'tcd') await page.evaluate((id) => window.__hypersd!.setValue(id, 'eta', 0.5), sampler)
    await newSeed(page, seed)
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.readBacks, `${steps} steps`).not.toBeNull()
    return run.readBacks!
  }
  const one = await readBacks(1, 4301, 'ddim-trailing')
  const four = await readBacks(4, 4302, 'euler-trailing')
  const eight = await readBacks(8, 4303, 'tcd')
  await page.evaluate((id) => window.__hypersd!.setValue(id, 'scheduler', 'ddim-trailing'), sampler)
  console.log(`WebGPU read-backs per run: ${one} at 1 step, ${four} at 4, ${eight} at 8`)
  expect(one).toBeLessThanOrEqual(3)
  expect(four).toBe(one)
  expect(eight).toBe(one + 1)
}

/**
 * On the open WebGPU page (the LoRA graph): a WebGPU validation error inside a run fails it with the GPU's message;
 * a device loss mid-run fails the run naming the node and step, keeps the graph, and the next run gets a new device;
 * a second loss moves runs to WASM, saying so on the badge, and they work there.
 */
async function gpuFailures(page: AppSession['page']): Promise<void> {
  const sampler = Object.entries(await page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'TSCDSampler')![0]
  await samplingStaysOnTheGpu(page, sampler)
  // Eight steps leave time to lose the device in the middle of sampling.
  await page.evaluate((id) => window.__hypersd!.setValue(id, 'steps', 8), sampler)

  await page.evaluate(() => window.__hypersd!.injectGpuError())
  await newSeed(page, 4241)
  const invalid = await runOnce(page)
  expect(invalid.status).toBe('error')
  expect(invalid.error).toMatch(/running \S+ on WebGPU: WebGPU validation error: /)

  await newSeed(page, 4242)
  const first = await loseDeviceMidRun(page)
  expect(first.shown).toContain('the GPU device was lost (destroyed')
  expect(first.shown).toMatch(/in node \d+ \(TSCDSampler\), step \d of 8; the run failed/)
  expect(first.shown).toContain('the next run starts on a new GPU device')

  // A new worker, a new device: the next run works on WebGPU.
  await waitReady(page)
  const again = await runOnce(page)
  expect(again.status, again.error ?? '').toBe('done')
  expect(again.backend).toBe('webgpu')

  await newSeed(page, 4243)
  const second = await loseDeviceMidRun(page)
  expect(second.shown).toContain('the GPU device was lost 2 times, so runs now use WASM (CPU) instead of WebGPU')
  await waitReady(page)
  await expect(page.getAttribute('[data-testid=backend-indicator]', 'data-reason')).resolves.toContain('WASM after repeated GPU device losses')
  const onWasm = await runOnce(page)
  expect(onWasm.status, onWasm.error ?? '').toBe('done')
  expect(onWasm.backend).toBe('wasm')
}
