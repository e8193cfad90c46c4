// The memory preflight judges a model by its files' sizes before reading them: a model that cannot fit is refused
// without a multi-gigabyte read. The oversized files here are real, sparse files (stat reports the size, no disk used).
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs'
import { tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileSource } from '../../src/models/files.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'
import { prepareModelWithLoras } from '../../src/lora/session.js'
import { SessionCache } from '../../src/runtime/index.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { loaderFor } from '../../src/runtime/loader.js'
import { WebBackend } from '../../src/runtime/web.js'
import { CountingSessions } from '../../src/worker/session-stats.js'

const GiB = 2 ** 30
let scratch: string

/** Records every file read. */
class ReadLog implements FileSource {
  readonly reads: string[] = []
  constructor(private readonly inner: FileSource) {}
  describe = (path: string) => this.inner.describe(path)
  exists = (path: string) => this.inner.exists(path)
  size = (path: string) => this.inner.size(path)
  localPath = (path: string) => this.inner.localPath!(path)
  readBytes(path: string, onProgress?: (loaded: number, total: number) => void) {
    this.reads.push(path)
    return this.inner.readBytes(path, onProgress)
  }
  readText(path: string) {
    this.reads.push(path)
    return this.inner.readText(path)
  }
}

/** The tiny pipeline with a UNet whose external data file claims `bytes`. */
async function pipelineWithUnetOf(name: string, bytes: number) {
  const dir = join(scratch, name)
  cpSync('public/models/tiny-sd15', dir, { recursive: true })
  truncateSync(join(dir, 'unet', 'model.onnx_data'), Math.round(bytes))
  const files = new ReadLog(new NodeFileSource(scratch))
  return { files, pipeline: await readPipelineFolder(files, name) }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hypersd-preflight-'))
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('preflight before reading', () => {
  it('refuses a UNet the CLI cannot hold, naming the file, without reading it', async () => {
    const { files, pipeline } = await pipelineWithUnetOf('huge', 400 * GiB)
    const cache = new SessionCache(createNodeBackend())
    await expect(cache.get(pipeline.unet.model)).rejects.toThrow(/huge\/unet\/model\.onnx: a 400 GB model needs about 1560 GB to load on cpu, more than this machine's \d+ GB of memory; use a smaller export \(fp16 where this one is fp32\)/)
    expect(files.reads.filter((p) => p.includes('unet/model.onnx'))).toEqual([])
    // The other components are unaffected and still load.
    const vae = await cache.get(pipeline.vaeDecoder.model)
    expect(vae.inputs.map((i) => i.name)).toEqual(['latent_sample'])
    await cache.dispose()
  })

  it('refuses a 3.4 GB fp32 UNet on WASM before reading it, and says what to use instead', async () => {
    const { files, pipeline } = await pipelineWithUnetOf('fp32', 3.44 * GiB)
    const cache = new SessionCache(new WebBackend('wasm'))
    await expect(cache.get(pipeline.unet.model)).rejects.toThrow(
      /fp32\/unet\/model\.onnx: a 3\.4 GB model needs about 14 GB to load on wasm, more than the 4 GB wasm32 heap onnxruntime-web loads models through; use the WebGPU backend/,
    )
    expect(files.reads.filter((p) => p.includes('unet/model.onnx'))).toEqual([])
    // The same through the worker's counting wrapper, which must keep the loader's size hint.
    const counting = new CountingSessions(new SessionCache(new WebBackend('wasm')))
    await expect(counting.getOrCreate(pipeline.unet.model.key, loaderFor(pipeline.unet.model))).rejects.toThrow(/needs about 14 GB to load on wasm/)
    expect(files.reads.filter((p) => p.includes('unet/model.onnx'))).toEqual([])
    // On WebGPU (the weights live on the GPU) the same file passes the preflight.
    expect(new WebBackend('webgpu').refusal('fp32/unet/model.onnx', 3.44 * GiB)).toBeUndefined()
    await cache.dispose()
  })

  it('on onnxruntime-node, hands onnxruntime the path: the weights are never read into JS', async () => {
    const files = new ReadLog(new NodeFileSource('public/models'))
    const pipeline = await readPipelineFolder(files, 'tiny-sd15')
    const cache = new SessionCache(createNodeBackend())
    const unet = await cache.get(pipeline.unet.model)
    expect(unet.inputs.map((i) => i.name)).toContain('encoder_hidden_states')
    // Only the small graph file is read, to check the external data's length; the 1.7 MB of weights are not.
    expect(files.reads.filter((p) => p.startsWith('tiny-sd15/unet/model.onnx'))).toEqual(['tiny-sd15/unet/model.onnx'])
    await cache.dispose()
  })
  it('budgets a LoRA build on onnxruntime-node by its mode, and refuses one that cannot fit before building it', async () => {
    // Base and build are both held while onnxruntime parses (measured on the SD1.5 twin: merge and live up to 6.6x
    // the file, live-delta 9.5x, against 5.2x for the plain bytes; budgeted 7x and 10x): a file of an eighth of this machine's memory passes
    // for a plain load and a live build, not for a live-delta build, which is refused without any read.
    const eighth = totalmem() / 8
    const backend = createNodeBackend()
    for (const route of ['bytes', 'build'] as const) expect(backend.refusal('unet/model.onnx', eighth, undefined, route)).toBeUndefined()
    expect(backend.refusal('unet/model.onnx', eighth, undefined, 'build-with-deltas')?.message).toMatch(/needs about \d+ GB to load on cpu, more than this machine's/)
    const { files, pipeline } = await pipelineWithUnetOf('lora-deltas', eighth)
    const cache = new SessionCache(backend)
    const loraReads: string[] = []
    const deps = { sessions: cache, readLora: async (name: string) => (loraReads.push(name), new Uint8Array(readFileSync(join('public/models/loras', name)))) }
    await expect(prepareModelWithLoras(pipeline.unet.model, [{ name: 'tiny-hyper-sd15-4step-kohya.safetensors', scale: 1, mode: 'live-delta' }], 'unet', deps)).rejects.toThrow(
      /lora-deltas\/unet\/model\.onnx#lora\(unet\)\[0:live-delta:tiny-hyper-sd15-4step-kohya\.safetensors\]: a \d+\.\d GB model needs about \d+ GB to load on cpu, more than this machine's \d+ GB of memory; use the LoRA's live or merge mode/,
    )
    expect(files.reads.filter((p) => p.includes('unet/model.onnx'))).toEqual([])
    expect(loraReads).toEqual([])
    await cache.dispose()
  })
})
