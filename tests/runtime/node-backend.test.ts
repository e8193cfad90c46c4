import { afterAll, describe, expect, it } from 'vitest'
import { SessionCache, float32ToFloat16Bits, hostTensor } from '../../src/runtime/index.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import type { ModelSession, ModelSource } from '../../src/runtime/types.js'
import { buildAffineModel, buildMixedDtypeModel } from './test-models.js'

const backend = createNodeBackend()
const opened: ModelSession[] = []
afterAll(async () => {
  await Promise.all(opened.map((s) => s.dispose()))
})

async function open(source: ModelSource): Promise<ModelSession> {
  const session = await backend.createSession(source)
  opened.push(session)
  return session
}

const ones = hostTensor('float32', [1, 4], Float32Array.from([1, 1, 1, 1]))

describe('node backend', () => {
  it('runs a model and reports its inputs and outputs', async () => {
    const session = await open({ key: 'affine/model.onnx', bytes: buildAffineModel().model })
    expect(session.backend).toBe('cpu')
    expect(session.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 4] }])
    expect(session.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: ['batch', 4] }])
    const out = await session.run({ x: hostTensor('float32', [2, 4], Float32Array.from([1, 1, 1, 1, 2, 0, -1, 0.5])) })
    // y = x * [1,2,3,4] + [0.5,-0.5,10,-10]
    expect(out.y!.dims).toEqual([2, 4])
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1.5, 1.5, 13, -6, 2.5, -0.5, 7, -8])
  })

  it('loads initializers from external data passed as bytes', async () => {
    const { model, externalData } = buildAffineModel({ externalDataFile: 'model.onnx_data' })
    expect(externalData!.byteLength).toBe(32)
    const session = await open({ key: 'ext/model.onnx', bytes: model, externalData: [{ path: 'model.onnx_data', data: externalData! }] })
    const out = await session.run({ x: ones })
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1.5, 1.5, 13, -6])
  })

  it('fails with the file named when the external data is missing', async () => {
    const { model } = buildAffineModel({ externalDataFile: 'model.onnx_data' })
    await expect(backend.createSession({ key: 'unet/model.onnx', bytes: model })).rejects.toThrow(/^unet\/model\.onnx: cannot load ONNX model/)
  })

  it('converts feeds to the declared dtypes (float32 -> float16, float32 timestep -> int64, int32 ids) and back', async () => {
    const session = await open({ key: 'mixed/model.onnx', bytes: buildMixedDtypeModel() })
    expect(session.inputs.map((i) => `${i.name}:${i.dtype}`)).toEqual(['sample:float16', 'timestep:int64', 'input_ids:int32'])
    const out = await session.run({
      sample: hostTensor('float32', [1, 4], Float32Array.from([0.5, -1, 0.1, 1000])),
      timestep: hostTensor('float32', [1], Float32Array.from([3])),
      input_ids: hostTensor('int64', [1, 3], BigInt64Array.from([49406n, 320n, 49407n])),
    })
    // out_sample = float16(sample) * 2 + 3, computed in float16
    const expected = [0.5, -1, 0.1, 1000].map((v) => float32ToFloat16Bits(Math.fround(v) * 2 + 3))
    expect(out.out_sample!.dtype).toBe('float16')
    expect(Array.from(out.out_sample!.data as Uint16Array)).toEqual(expected)
    expect(out.ids_out!.data).toEqual(BigInt64Array.from([49407n, 321n, 49408n]))
  })

  it('returns only the requested outputs', async () => {
    const session = await open({ key: 'mixed2/model.onnx', bytes: buildMixedDtypeModel() })
    const out = await session.run(
      {
        sample: hostTensor('float16', [1, 4], new Uint16Array(4)),
        timestep: hostTensor('int64', [1], BigInt64Array.from([1n])),
        input_ids: hostTensor('int32', [1, 3], new Int32Array(3)),
      },
      ['ids_out'],
    )
    expect(Object.keys(out)).toEqual(['ids_out'])
  })

  it('names the model and the input for missing, unknown and ill-shaped feeds', async () => {
    const session = await open({ key: 'affine2/model.onnx', bytes: buildAffineModel().model })
    await expect(session.run({})).rejects.toThrow('affine2/model.onnx: missing input "x"')
    await expect(session.run({ x: ones, extra: ones })).rejects.toThrow(/affine2\/model\.onnx: unknown input "extra" \(inputs: x\)/)
    await expect(session.run({ x: hostTensor('float32', [1, 3], new Float32Array(3)) })).rejects.toThrow(/^affine2\/model\.onnx: inference failed/)
  })

  it('names the file for an empty, truncated or corrupt model', async () => {
    const good = buildAffineModel().model
    await expect(backend.createSession({ key: 'vae_decoder/model.onnx', bytes: new Uint8Array(0) })).rejects.toThrow(
      'vae_decoder/model.onnx: cannot load ONNX model (file is empty)',
    )
    await expect(backend.createSession({ key: 'vae_decoder/model.onnx', bytes: good.subarray(0, good.length - 7) })).rejects.toThrow(
      /^vae_decoder\/model\.onnx: cannot load ONNX model \(.+\)/,
    )
    const garbage = new TextEncoder().encode('<html>404 not found</html>')
    await expect(backend.createSession({ key: 'text_encoder/model.onnx', bytes: garbage })).rejects.toThrow(/^text_encoder\/model\.onnx: cannot load ONNX model/)
  })

  it('refuses to run a disposed session', async () => {
    const session = await backend.createSession({ key: 'gone/model.onnx', bytes: buildAffineModel().model })
    await session.dispose()
    await session.dispose()
    await expect(session.run({ x: ones })).rejects.toThrow('gone/model.onnx: session was disposed')
  })
})

describe('SessionCache', () => {
  it('creates once per key and options, counts hits, and does not re-read the model on a hit', async () => {
    const cache = new SessionCache(backend)
    let loads = 0
    const load = async (): Promise<ModelSource> => {
      loads++
      return { key: 'cached/model.onnx', bytes: buildAffineModel().model }
    }
    const [a, b] = await Promise.all([cache.getOrCreate('cached/model.onnx', load), cache.getOrCreate('cached/model.onnx', load)])
    expect(a).toBe(b)
    expect(await cache.getOrCreate('cached/model.onnx', load)).toBe(a)
    expect(loads).toBe(1)
    expect(cache.stats).toEqual({ hits: 2, creates: 1, size: 1, evictions: 0 })
    const other = await cache.getOrCreate('cached/model.onnx', load, { graphOptimizationLevel: 'disabled' })
    expect(other).not.toBe(a)
    expect(cache.stats).toMatchObject({ creates: 2, size: 2 })
    expect(cache.has('cached/model.onnx')).toBe(true)
    await cache.evict('cached/model.onnx')
    expect(cache.stats.size).toBe(0)
    await expect(a.run({ x: ones })).rejects.toThrow(/disposed/)
    await cache.dispose()
  })

  it('accepts lazy models and forgets a failed creation so it can be retried', async () => {
    const cache = new SessionCache(backend)
    let broken = true
    const lazy = {
      key: 'vae_decoder/model.onnx',
      load: async (): Promise<ModelSource> => ({ key: 'vae_decoder/model.onnx', bytes: broken ? new Uint8Array(0) : buildAffineModel().model }),
    }
    await expect(cache.get(lazy)).rejects.toThrow(/vae_decoder\/model\.onnx: cannot load ONNX model/)
    expect(cache.stats.size).toBe(0)
    broken = false
    const session = await cache.get(lazy)
    expect((await session.run({ x: ones })).y!.dims).toEqual([1, 4])
    expect(cache.stats).toEqual({ hits: 0, creates: 2, size: 1, evictions: 0 })
    await cache.dispose()
    expect(cache.stats.size).toBe(0)
  })
})
