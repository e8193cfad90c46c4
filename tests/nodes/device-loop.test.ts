// The sampling loop that keeps its tensors on the device (nodes/lib/denoise-device.ts), run here on onnxruntime-node
// through the same code path: the backend's host-memory device is presented as a GPU, so the sampler picks the
// device loop, and every latent it reads back is counted. It must give the host loop's latents to float32 rounding
// for DDIM, TCD, LCM and Euler, with and without CFG and guidance_rescale, and read back none per step: once at the
// end, plus a preview every PREVIEW_EVERY steps, projected to RGB on the device.
import { afterAll, describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/index.js'
import type { DeviceSupport, InferenceBackend } from '../../src/runtime/types.js'
import { createCliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { PREVIEW_EVERY } from '../../nodes/lib/denoise-device.js'
import { maxAbsDiff } from '../helpers/arrays.js'
import { ROOT, registry, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withFloat16Io } from '../helpers/fp16-unet.js'

/** The gap between float16 values around v (normal range; subnormals share the smallest normal's). */
const float16Step = (v: number): number => 2 ** (Math.floor(Math.log2(Math.max(Math.abs(v), 2 ** -14))) - 10)

/** A copy of the tiny SD1.5 pipeline, changed by `change(folder)`, served under its own name. */
function changedPipeline(change: (folder: string) => void): ReturnType<typeof createCliHost> {
  const folder = join(mkdtempSync(join(tmpdir(), 'hypersd-device-loop-')), 'tiny-sd15')
  cpSync(join(ROOT, 'public', 'models', 'tiny-sd15'), folder, { recursive: true })
  change(folder)
  return createCliHost({ resolver: createModelResolver(join(ROOT, 'public', 'models'), new Map([['tiny-sd15', folder]])), onImages: () => [] })
}

const host = createCliHost({ resolver: createModelResolver(join(ROOT, 'public', 'models'), new Map()), onImages: (o) => o.pngs.map((_, i) => ({ name: String(i) })) })
afterAll(() => host.dispose())

/** The host device, presented as a GPU so the sampler takes the device loop (the arithmetic runs in ONNX graphs). */
function asGpu(backend: InferenceBackend): InferenceBackend {
  const device = backend.device!
  const gpu: DeviceSupport = {
    kind: 'gpu',
    upload: (tensor) => device.upload(tensor),
    get readBacks() {
      return device.readBacks
    },
  }
  return new Proxy(backend, { get: (target, key) => (key === 'device' ? gpu : Reflect.get(target, key, target)) })
}

const hostEngine = new Engine({ registry, services: host.services })
const deviceEngine = new Engine({ registry, services: { ...host.services, backend: asGpu(host.services.backend) } })

interface Sampled {
  readonly latents: Float32Array
  /** The progress previews by step (1-based), RGBA. */
  readonly previews: Map<number, Uint8ClampedArray>
}

async function sampled(engine: Engine<typeof host.services>, overrides: readonly string[], file = 'shapes-4step.json'): Promise<Sampled> {
  const graph = withOverrides(shippedGraph(file), overrides)
  const previews = new Map<number, Uint8ClampedArray>()
  const result = await engine.run(graph, { targets: ['4'], onEvent: (e) => void (e.type === 'progress' && e.preview && previews.set(e.value, e.preview.rgba)) })
  return { latents: (result.outputs.get('4')!.latent as { data: Float32Array }).data, previews }
}

const CASES: readonly { label: string; overrides: string[]; steps: number; file?: string }[] = [
  { label: 'DDIM trailing, 4 steps', overrides: ['4.steps=4'], steps: 4 },
  { label: 'TCD eta 0.5, 6 steps', overrides: ['4.scheduler=tcd', '4.eta=0.5', '4.steps=6'], steps: 6 },
  { label: 'LCM from t=800, 2 steps', overrides: ['4.scheduler=lcm-800', '4.steps=2'], steps: 2 },
  { label: 'Euler trailing, 8 steps', overrides: ['4.scheduler=euler-trailing', '4.steps=8'], steps: 8 },
  // SDXL guides against zeros when no negative prompt is connected (force_zeros_for_empty_prompt).
  { label: 'SDXL, DDIM with CFG 5 and guidance_rescale 0.7', overrides: ['4.steps=3', '4.cfg=5', '4.guidance_rescale=0.7'], steps: 3, file: 'tiny-sdxl-4step.json' },
  { label: 'SDXL, DDIM with CFG 3', overrides: ['4.steps=2', '4.cfg=3'], steps: 2, file: 'tiny-sdxl-4step.json' },
]

describe('the device-resident sampling loop', () => {
  for (const c of CASES) {
    it(`${c.label}: the host loop's latents, read back once at the end and every ${PREVIEW_EVERY} steps`, async () => {
      const expected = await sampled(hostEngine, c.overrides, c.file)
      const before = host.services.backend.device!.readBacks
      const got = await sampled(deviceEngine, c.overrides, c.file)
      const readBacks = host.services.backend.device!.readBacks - before
      expect(got.latents.length).toBe(expected.latents.length)
      expect(maxAbsDiff(got.latents, expected.latents)).toBeLessThan(5e-5)
      expect(readBacks).toBe(1 + Math.floor((c.steps - 1) / PREVIEW_EVERY))
      // Previews every PREVIEW_EVERY steps, projected on the device, as the host loop draws them (within a level:
      // float32 against float64, and rounding half up); and the final one.
      const shown = [...got.previews.keys()]
      expect(shown).toEqual([...Array.from({ length: Math.floor((c.steps - 1) / PREVIEW_EVERY) }, (_, k) => (k + 1) * PREVIEW_EVERY), c.steps])
      for (const step of shown) expect(maxAbsDiff(got.previews.get(step)!, expected.previews.get(step)!), `preview at step ${step}`).toBeLessThanOrEqual(1)
    })
  }

  it('an fp16 UNet runs on the device loop: sample and output cast there, the conditioning uploaded as float16', async () => {
    const fp16 = changedPipeline((folder) => withFloat16Io(join(folder, 'unet', 'model.onnx')))
    try {
      const graph = withOverrides(shippedGraph('tiny-sd15-4step.json'), ['4.steps=4'])
      const onHost = await new Engine({ registry, services: fp16.services }).run(graph, { targets: ['4'] })
      const warnings: string[] = []
      const before = fp16.services.backend.device!.readBacks
      const onDevice = await new Engine({ registry, services: { ...fp16.services, backend: asGpu(fp16.services.backend) } }).run(graph, {
        targets: ['4'],
        onEvent: (e) => void (e.type === 'node-warning' && warnings.push(e.message)),
      })
      expect(warnings).toEqual([])
      expect(fp16.services.backend.device!.readBacks - before).toBe(1)
      const latents = (result: typeof onHost) => (result.outputs.get('4')!.latent as { data: Float32Array }).data
      // The same float16 roundings on both sides (nearest even), but the steps' float32 arithmetic differs in the last
      // bits between the loops, and a sample near a float16 rounding boundary can land one float16 step apart: the
      // host loop's latents within one float16 step (of each value's magnitude).
      const ulpsApart = (a: Float32Array, b: Float32Array): number => a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!) / float16Step(b[i]!)), 0)
      expect(ulpsApart(latents(onDevice), latents(onHost))).toBeLessThanOrEqual(1)
      // Against the float32 UNet the float16 edges show far more, so the casts are really there.
      const fp32 = (await hostEngine.run(graph, { targets: ['4'] })).outputs.get('4')!.latent as { data: Float32Array }
      expect(ulpsApart(fp32.data, latents(onHost))).toBeGreaterThan(4)
    } finally {
      await fp16.dispose()
    }
  })

  it('a schedule that clips x0 stays on the host loop and says why', async () => {
    const clipping = changedPipeline((folder) => {
      const path = join(folder, 'scheduler', 'scheduler_config.json')
      writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), clip_sample: true }))
    })
    try {
      const warnings: string[] = []
      const before = clipping.services.backend.device!.readBacks
      await new Engine({ registry, services: { ...clipping.services, backend: asGpu(clipping.services.backend) } }).run(withOverrides(shippedGraph('tiny-sd15-4step.json'), []), {
        targets: ['4'],
        onEvent: (e) => void (e.type === 'node-warning' && warnings.push(e.message)),
      })
      expect(warnings).toEqual([expect.stringMatching(/^sampling reads the latents back from the GPU every step: the \S+ step clips or thresholds x0/)])
      expect(clipping.services.backend.device!.readBacks).toBe(before)
    } finally {
      await clipping.dispose()
    }
  })

  it('the host loop reads nothing back through the device (the device loop is the only user)', async () => {
    const before = host.services.backend.device!.readBacks
    const { previews } = await sampled(hostEngine, ['4.steps=4', '4.seed=3'])
    expect([...previews.keys()]).toEqual([1, 2, 3, 4])
    expect(host.services.backend.device!.readBacks).toBe(before)
  })
})
