// The browser's path: onnxruntime-web (WASM, here in Node) runs the rewritten UNet with its side external-data file,
// and the LoRA is read lazily from a Blob, as a user-picked or fetched file would be.
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { prepareModelWithLoras } from '../../src/lora/session.js'
import { LORA_DATA_FILE } from '../../src/lora/weights.js'
import { SafetensorsBlob } from '../../src/models/safetensors/reader.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor, ModelSource } from '../../src/runtime/types.js'
import { createWebBackend } from '../../src/runtime/web.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'

const KOHYA = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'
const feeds: Record<string, HostTensor> = {
  sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: Float32Array.from({ length: 256 }, (_, i) => Math.cos(i * 0.3)) },
  timestep: { dtype: 'float32', dims: [1], data: Float32Array.of(499) },
  encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 16], data: Float32Array.from({ length: 77 * 16 }, (_, i) => Math.sin(i * 0.01)) },
}

const caches: SessionCache[] = []
afterAll(() => Promise.all(caches.map((c) => c.dispose())))

describe('LoRA sessions on onnxruntime-web (WASM)', () => {
  it('live and merge give the onnxruntime-node outputs, with the LoRA read through Blob.slice', async () => {
    const folder = await readPipelineFolder(new NodeFileSource('public/models'), 'tiny-sd15')
    const blob = new Blob([readFileSync(`public/models/${KOHYA}`)])
    const outputs: Float32Array[][] = []
    const built: ModelSource[] = []
    for (const backend of [await createWebBackend({ preferred: 'wasm' }), createNodeBackend()]) {
      const cache = new SessionCache(backend)
      caches.push(cache)
      // Record what was built, to check the side file travels with the model.
      const sessions = {
        getOrCreate: (key: string, load: () => Promise<ModelSource>) =>
          cache.getOrCreate(key, async () => {
            const source = await load()
            built.push(source)
            return source
          }),
      }
      const deps = { sessions, readLora: async () => SafetensorsBlob.open(blob, KOHYA) }
      const results: Float32Array[] = []
      for (const mode of ['live', 'live-delta', 'merge'] as const) {
        const prepared = await prepareModelWithLoras(folder.unet.model, [{ name: KOHYA, scale: 0.75, mode }], 'unet', deps)
        results.push(toFloat32((await prepared.session.run({ ...feeds, ...prepared.feeds })).out_sample!))
      }
      outputs.push(results)
    }
    expect(built[0]!.externalData!.map((f) => f.path)).toEqual(['model.onnx_data', LORA_DATA_FILE])
    const [web, node] = outputs as [Float32Array[], Float32Array[]]
    const all = [...web, ...node]
    const reference = node[2]!
    const magnitude = maxAbs(reference)
    expect(magnitude).toBeGreaterThan(1e-2)
    for (const out of all) {
      expect(maxAbsDiff(out, reference)).toBeLessThan(1e-4 * Math.max(1, magnitude))
    }
  })
})
