// The onnxruntime-web backend, run here on its WASM provider (Node has no navigator.gpu, so 'auto' must pick
// WASM). WebGPU itself is exercised in a real Chromium by tests/browser/webgpu.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { NodeFileSource } from '../../src/models/node-files.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'
import { hostTensor, toFloat32, type HostTensor } from '../../src/runtime/index.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { createWebBackend, defaultWasmThreads, probeWebGpu, usesFloat16 } from '../../src/runtime/web.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'
import { buildAffineModel, buildFloat16Model, buildMixedDtypeModel } from './test-models.js'

describe('web backend (WASM in Node)', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('falls back to WASM without a WebGPU adapter and stays single-threaded when not cross-origin isolated', async () => {
    expect((await probeWebGpu()).kind).not.toBe('adapter')
    expect(defaultWasmThreads()).toBe(1)
    const backend = await createWebBackend({ preferred: 'auto' })
    expect(backend.active).toBe('wasm')
  })

  it('picks WebGPU when an adapter is offered, and a session falls back to WASM when WebGPU cannot run', async () => {
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => ({}) }, hardwareConcurrency: 8 })
    vi.stubGlobal('crossOriginIsolated', true)
    expect(defaultWasmThreads()).toBe(4)
    expect((await createWebBackend({ preferred: 'auto', numThreads: 1 })).active).toBe('webgpu')
    expect((await createWebBackend({ preferred: 'wasm', numThreads: 1 })).active).toBe('wasm')
    const backend = await createWebBackend({ preferred: 'webgpu', numThreads: 1 })
    // This Node build of onnxruntime-web has no WebGPU provider, so creating the session must fall back.
    const session = await backend.createSession({ key: 'fallback/model.onnx', bytes: buildAffineModel().model })
    expect(session.backend).toBe('wasm')
    await session.dispose()
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => null } })
    expect((await probeWebGpu()).kind).not.toBe('adapter')
  })

  it('runs a float16 model on WASM, and says why, when the adapter has no shader-f16 (its GPU run would fail)', async () => {
    const adapter = (shaderF16: boolean) => ({ info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader device' }, features: { has: (f: string) => shaderF16 && f === 'shader-f16' } })
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => adapter(false) }, hardwareConcurrency: 2 })
    const probe = await probeWebGpu()
    expect(probe).toMatchObject({ kind: 'adapter', shaderF16: false })
    const fp16 = { key: 'tiny/unet/model.onnx', bytes: buildFloat16Model() }
    expect(usesFloat16(fp16)).toBe(true)
    expect(usesFloat16({ key: 'affine', bytes: buildAffineModel().model })).toBe(false)
    const backend = await createWebBackend({ preferred: 'webgpu', numThreads: 1 })
    expect(backend.active).toBe('webgpu')
    const session = await backend.createSession(fp16)
    expect(session.backend).toBe('wasm')
    expect(session.notice).toMatch(/^tiny\/unet\/model\.onnx has float16 weights and this GPU adapter \(SwiftShader\) has no shader-f16, which onnxruntime's float16 GPU kernels need: it runs on the CPU \(WASM\) instead, far slower; use an fp32 export to run it on this GPU$/)
    // It runs, in float16: x @ w + b with x = 1.
    const out = await session.run({ x: { dtype: 'float32', dims: [1, 4], data: Float32Array.of(1, 1, 1, 1) } })
    expect(out.y!.dtype).toBe('float16')
    expect(Array.from(toFloat32(out.y!))).toEqual([3.25, 4, 4.75, 5.5])
    await session.dispose()
    // An fp32 model goes to WebGPU as before (here the generic fallback, with no notice), and with shader-f16 an
    // fp16 one does too.
    const plain = await backend.createSession({ key: 'affine', bytes: buildAffineModel().model })
    expect(plain.notice).toBeUndefined()
    await plain.dispose()
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => adapter(true) }, hardwareConcurrency: 2 })
    const withF16 = await (await createWebBackend({ preferred: 'webgpu', numThreads: 1 })).createSession(fp16)
    expect(withF16.notice).toBeUndefined()
    await withF16.dispose()
  })

  it('runs a model with external data passed as bytes', async () => {
    const backend = await createWebBackend({ preferred: 'wasm' })
    const { model, externalData } = buildAffineModel({ externalDataFile: 'model.onnx_data' })
    const session = await backend.createSession({ key: 'web/model.onnx', bytes: model, externalData: [{ path: 'model.onnx_data', data: externalData! }] })
    expect(session.backend).toBe('wasm')
    const out = await session.run({ x: hostTensor('float32', [1, 4], Float32Array.from([1, 1, 1, 1])) })
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1.5, 1.5, 13, -6])
    await session.dispose()
  })

  it('converts feeds to declared dtypes and returns float16 as raw bits', async () => {
    const backend = await createWebBackend({ preferred: 'wasm' })
    const session = await backend.createSession({ key: 'web/mixed.onnx', bytes: buildMixedDtypeModel() })
    const out = await session.run({
      sample: hostTensor('float32', [1, 4], Float32Array.from([0.5, -1, 2, 4])),
      timestep: hostTensor('int32', [1], Int32Array.from([1])),
      input_ids: hostTensor('int32', [1, 3], Int32Array.from([1, 2, 3])),
    })
    // 0.5*2+1 = 2 (0x4000), -1*2+1 = -1 (0xbc00), 2*2+1 = 5 (0x4500), 4*2+1 = 9 (0x4880)
    expect(Array.from(out.out_sample!.data as Uint16Array)).toEqual([0x4000, 0xbc00, 0x4500, 0x4880])
    expect(out.ids_out!.data).toEqual(BigInt64Array.from([2n, 3n, 4n]))
    await session.dispose()
  })

  it('names the file for a corrupt model', async () => {
    const backend = await createWebBackend({ preferred: 'wasm' })
    await expect(backend.createSession({ key: 'vae_decoder/model.onnx', bytes: Uint8Array.from([1, 2, 3, 4]) })).rejects.toThrow(
      /^vae_decoder\/model\.onnx: cannot load ONNX model/,
    )
  })
})

describe('web backend on the tiny pipeline', () => {
  it('gives the same UNet and VAE outputs as onnxruntime-node', async () => {
    const folder = await readPipelineFolder(new NodeFileSource('public/models'), 'tiny-sd15')
    const sample = hostTensor('float32', [1, 4, 8, 8], Float32Array.from({ length: 256 }, (_, i) => Math.cos(i * 0.3)))
    const context = hostTensor('float32', [1, 77, 16], Float32Array.from({ length: 77 * 16 }, (_, i) => Math.sin(i * 0.01)))
    const feeds = { sample, timestep: hostTensor('int64', [1], BigInt64Array.from([749n])), encoder_hidden_states: context }
    const results: HostTensor[][] = []
    for (const backend of [await createWebBackend({ preferred: 'wasm' }), createNodeBackend()]) {
      const unet = await backend.createSession(await folder.unet.model.load())
      const vae = await backend.createSession(await folder.vaeDecoder.model.load())
      const noise = (await unet.run(feeds)).out_sample!
      const image = (await vae.run({ latent_sample: noise })).sample!
      results.push([noise, image])
      await Promise.all([unet.dispose(), vae.dispose()])
    }
    const [web, node] = results as [HostTensor[], HostTensor[]]
    for (let k = 0; k < 2; k++) {
      expect(web[k]!.dims).toEqual(node[k]!.dims)
      const a = web[k]!.data as Float32Array
      const b = node[k]!.data as Float32Array
      const magnitude = maxAbs(b)
      expect(magnitude).toBeGreaterThan(1e-2) // a real signal, not all zeros
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-4 * Math.max(1, magnitude))
    }
  })
})
