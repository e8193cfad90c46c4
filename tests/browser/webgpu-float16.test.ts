// A float16 model on a WebGPU adapter without shader-f16 (SwiftShader has none): onnxruntime-web would create the
// session and fail its first run ("Program GemmNaive requires f16 but the device does not support it"). The app
// runs such a model on WASM instead and says so on the node, and the sampler keeps that UNet on the host loop.
// Served: the built app, with a copy of the tiny SD1.5 twin whose UNet has an fp16 export's float16 edges.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { withFloat16Io } from '../helpers/fp16-unet.js'
import { distFolder, openApp, runOnce, screenshot, SWIFTSHADER_TIMEOUT, type AppSession } from './harness.js'
import { serveStatic } from './static-server.js'

const FP16 = 'tiny-sd15-fp16'

/** The built app with one more model: every entry linked, models/ rebuilt with the fp16 twin and its index entry. */
function appWithFloat16Twin(): string {
  const dist = distFolder()
  const root = mkdtempSync(join(tmpdir(), 'hypersd-fp16-app-'))
  for (const entry of readdirSync(dist)) if (entry !== 'models') symlinkSync(resolve(dist, entry), join(root, entry))
  mkdirSync(join(root, 'models'))
  for (const entry of readdirSync(join(dist, 'models'))) if (entry !== 'index.json') symlinkSync(resolve(dist, 'models', entry), join(root, 'models', entry))
  cpSync(join(dist, 'models', 'tiny-sd15'), join(root, 'models', FP16), { recursive: true })
  withFloat16Io(join(root, 'models', FP16, 'unet', 'model.onnx'))
  const index = JSON.parse(readFileSync(join(dist, 'models', 'index.json'), 'utf8')) as { models: { name: string }[] }
  const twin = index.models.find((m) => m.name === 'tiny-sd15')!
  index.models.push({ ...twin, name: FP16 })
  writeFileSync(join(root, 'models', 'index.json'), JSON.stringify(index))
  return root
}

const GRAPH = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8')) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
GRAPH.nodes.find((n) => n.id === '1')!.inputs['model'] = FP16

describe('a float16 model on WebGPU without shader-f16', () => {
  const root = appWithFloat16Twin()
  let app: AppSession | undefined
  afterAll(async () => {
    await app?.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('runs its UNet on WASM, says why on the sampler, and keeps the host loop; the image comes out', async () => {
    app = await openApp({ webgpu: true, query: '?backend=webgpu', serve: () => serveStatic(root) })
    const { page } = app
    await page.evaluate((json) => window.__hypersd!.loadGraph(json), JSON.stringify(GRAPH))
    await page.evaluate(() => {
      window.__hypersd!.setValue('3', 'width', 64)
      window.__hypersd!.setValue('3', 'height', 64)
    })
    const run = await runOnce(page)
    expect(run.status, run.error ?? '').toBe('done')
    expect(run.backend).toMatch(/webgpu/i)
    expect(run.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^#4: \\S*/models/${FP16}/unet/model\\.onnx has float16 weights and this GPU adapter \\(SwiftShader\\) has no shader-f16, which onnxruntime's float16 GPU kernels need: it runs on the CPU \\(WASM\\) instead, far slower; use an fp32 export to run it on this GPU$`)),
        '#4: sampling reads the latents back from the GPU every step: the UNet runs on WASM, not on the GPU',
      ]),
    )
    expect(await page.locator('[data-testid=run-warning]').count()).toBe(run.warnings.length)
    expect(await page.locator('[data-testid=output-image]').count()).toBe(1)
    await screenshot(page, 'webgpu-float16-on-wasm')
    expect(app.errors).toEqual([])
  }, SWIFTSHADER_TIMEOUT)
})
