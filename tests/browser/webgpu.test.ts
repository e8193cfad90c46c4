// The same default graph on WebGPU (Dawn on SwiftShader in headless Chromium) and on WASM: the worker must pick
// WebGPU when an adapter exists, and the two images must agree within a stated tolerance.
import { describe, expect, it } from 'vitest'
import { openApp, outputPixels, runOnce, screenshot, type AppSession } from './harness.js'

// Tolerance, in 8-bit levels over the RGB channels: WebGPU kernels (other reduction orders, fused ops) differ from
// the WASM CPU kernels by float rounding, which 4 UNet steps and the VAE can amplify. Measured on SwiftShader:
// mean 0.001 levels, max 1 level; the bounds leave room for other adapters.
const MEAN_ABS_TOLERANCE = 0.5
const MAX_ABS_TOLERANCE = 8
/** SwiftShader runs WebGPU on the CPU, slowly: a 128x128 image keeps this test short. */
const SIZE = 128

async function renderDefault(options: { webgpu: boolean }): Promise<{ pixels: number[]; backend: string }> {
  let app: AppSession | undefined
  try {
    app = await openApp({ webgpu: options.webgpu, query: options.webgpu ? '?backend=webgpu' : '?backend=wasm' })
    const latentId = Object.entries(await app.page.evaluate(() => window.__hypersd!.nodeTypes())).find(([, t]) => t === 'EmptyLatent')![0]
    await app.page.evaluate(([id, size]) => {
      window.__hypersd!.setValue(id, 'width', size)
      window.__hypersd!.setValue(id, 'height', size)
    }, [latentId, SIZE] as const)
    const run = await runOnce(app.page)
    expect(run.status, run.error ?? '').toBe('done')
    await screenshot(app.page, options.webgpu ? 'webgpu-run' : 'webgpu-reference-wasm-run')
    return { pixels: (await outputPixels(app.page)).data, backend: run.backend }
  } finally {
    await app?.close()
  }
}

describe('WebGPU backend', () => {
  it('runs the default graph on WebGPU and matches the WASM image', async () => {
    const wasm = await renderDefault({ webgpu: false })
    const gpu = await renderDefault({ webgpu: true })
    expect(wasm.backend).toBe('wasm')
    expect(gpu.backend).toBe('webgpu')
    expect(gpu.pixels.length).toBe(wasm.pixels.length)
    expect(gpu.pixels.length).toBe(SIZE * SIZE * 4)
    let sum = 0
    let max = 0
    let count = 0
    for (let i = 0; i < wasm.pixels.length; i++) {
      if (i % 4 === 3) continue // alpha
      const d = Math.abs(wasm.pixels[i]! - gpu.pixels[i]!)
      sum += d
      max = Math.max(max, d)
      count++
    }
    const mean = sum / count
    console.log(`WebGPU vs WASM: mean |diff| ${mean.toFixed(3)} levels, max ${max} levels`)
    expect(mean).toBeLessThanOrEqual(MEAN_ABS_TOLERANCE)
    expect(max).toBeLessThanOrEqual(MAX_ABS_TOLERANCE)
  })
})
