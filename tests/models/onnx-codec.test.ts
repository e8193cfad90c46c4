import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import {
  AttributeType,
  DataType,
  addGraphInput,
  addInitializer,
  addNodes,
  consumersOf,
  decodeModel,
  encodeModel,
  externalizeInitializers,
  externalDataLocations,
  findInitializer,
  findNodes,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  internalizeExternalData,
  listInitializers,
  makeAttribute,
  makeGraph,
  makeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
  producerOf,
  requireGraph,
  setInitializerData,
  tensorBytes,
  tensorToBigInt64,
  tensorToFloat32,
} from '../../src/models/onnx/index.js'

const FIXTURE = join(import.meta.dirname, 'fixtures', 'torch-export.onnx')
const TINY = join(import.meta.dirname, '..', '..', 'public', 'models', 'tiny-sd15')
const read = (path: string) => new Uint8Array(readFileSync(path))

describe('decodeModel / encodeModel', () => {
  it('re-encodes a real torch.onnx export byte for byte', () => {
    const bytes = read(FIXTURE)
    const model = decodeModel(bytes)
    expect(model.producerName).toBe('pytorch')
    expect(model.opsetImport[0]?.version).toBe(14)
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true)
  })

  it('reads the torch export faithfully: names, dims, attributes, symbolic dims', () => {
    const graph = requireGraph(decodeModel(read(FIXTURE)))
    const conv = findNodes(graph, { opType: 'Conv' })[0]!
    expect(conv.name).toBe('/conv_in/Conv')
    expect(conv.input).toEqual(['x', 'conv_in.weight', 'conv_in.bias'])
    expect(conv.attribute.find((a) => a.name === 'pads')?.ints).toEqual([1n, 1n, 1n, 1n])
    expect(findInitializer(graph, 'conv_in.weight')?.dims).toEqual([8, 4, 3, 3])
    expect(graph.input[0]?.type?.tensorType?.shape?.dim[0]).toEqual({ dimParam: 'batch' })
    const gemm = findNodes(graph, { opType: 'Gemm' })[0]!
    expect(gemm.attribute.find((a) => a.name === 'alpha')).toMatchObject({ type: AttributeType.FLOAT, f: 1 })
  })

  it('returns raw_data as views into the input buffer, not copies', () => {
    const bytes = read(join(TINY, 'text_encoder', 'model.onnx'))
    const model = decodeModel(bytes)
    const embedding = findInitializer(requireGraph(model), 'text_model.embeddings.token_embedding.weight')!
    expect(embedding.rawData?.buffer).toBe(bytes.buffer)
    expect(embedding.rawData?.length).toBe(49408 * 16 * 4)
  })

  it.each(['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx'])('round-trips generated %s exactly', (file) => {
    const bytes = read(join(TINY, file))
    expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(Buffer.from(bytes))).toBe(true)
  })

  it('keeps 64-bit integers lossless (INT64_MAX in Slice ends, negative values, uint64)', () => {
    const graph = makeGraph('g')
    const max = 9223372036854775807n
    const min = -9223372036854775808n
    graph.initializer.push(makeTensor({ name: 'starts', dims: [3], dataType: DataType.INT64, int64Data: [0n, -1n, min] }))
    graph.initializer.push(makeTensor({ name: 'u', dims: [1], dataType: DataType.UINT64, uint64Data: [18446744073709551615n] }))
    graph.node.push(makeNode({ opType: 'Foo', input: ['x'], output: ['y'], attribute: [makeAttribute('ends', [max, -1n, 5n] as bigint[])] }))
    const encoded = encodeModel(makeModel(graph, { irVersion: 8, opset: 17 }))
    const decoded = decodeModel(encoded)
    const g = requireGraph(decoded)
    expect(g.node[0]?.attribute[0]?.ints).toEqual([max, -1n, 5n])
    expect(g.initializer[0]?.int64Data).toEqual([0n, -1n, min])
    expect(g.initializer[1]?.uint64Data).toEqual([18446744073709551615n])
    expect(Array.from(tensorToBigInt64(g.initializer[0]!))).toEqual([0n, -1n, min])
    expect(Buffer.from(encodeModel(decoded)).equals(Buffer.from(encoded))).toBe(true)
  })

  it('reads typed-field tensors (float_data, int32_data for float16)', () => {
    const f = makeTensor({ name: 'f', dims: [2, 2], dataType: DataType.FLOAT, floatData: [1, -2.5, 3, 0.125] })
    expect(Array.from(tensorToFloat32(f))).toEqual([1, -2.5, 3, 0.125])
    const h = makeTensor({ name: 'h', dims: [3], dataType: DataType.FLOAT16, int32Data: [0x3c00, 0xc000, 0x3555] })
    expect(Array.from(tensorToFloat32(h))).toEqual([1, -2, float16BitsToFloat32(0x3555)])
  })
})

describe('decode errors', () => {
  const bytes = read(join(TINY, 'vae_decoder', 'model.onnx'))

  it('rejects empty input', () => {
    expect(() => decodeModel(new Uint8Array(0))).toThrow(/^not an ONNX model: the file is empty/)
  })

  it('rejects every truncation of a real model with a clear error', () => {
    const step = Math.floor(bytes.length / 97)
    for (let cut = 1; cut < bytes.length; cut += step) {
      expect(() => decodeModel(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(/^not an ONNX model: /)
    }
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 1))).toThrow(/^not an ONNX model: /)
  })

  it('rejects other file types and valid protobufs that are not models', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    expect(() => decodeModel(png)).toThrow(/^not an ONNX model: /)
    expect(() => decodeModel(new TextEncoder().encode('{"nodes": []}'))).toThrow(/^not an ONNX model: /)
    expect(() => decodeModel(new Uint8Array([0x08, 0x07]))).toThrow('not an ONNX model: it has no graph')
  })

  const corrupt = (source: Uint8Array, seed: number, edits: number, region = source.length) => {
    const out = source.slice()
    let state = seed
    for (let k = 0; k < edits; k++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      out[state % region] = state >>> 24
    }
    return out
  }

  it('rejects corrupted-and-truncated bytes with a clear error', () => {
    for (let seed = 1; seed <= 40; seed++) {
      expect(() => decodeModel(corrupt(bytes, seed, 8).subarray(0, 4096 + seed * 1000))).toThrow(/^not an ONNX model: /)
    }
  })

  it('on any corruption either decodes or throws "not an ONNX model", never anything else, never hangs', () => {
    // Flipped bytes inside weights or names still form a valid protobuf; only structural damage can be detected.
    let rejected = 0
    for (let seed = 1; seed <= 60; seed++) {
      try {
        decodeModel(corrupt(bytes, seed, 16, 2048))
      } catch (error) {
        expect(error).toBeInstanceOf(Error)
        expect((error as Error).message).toMatch(/^not an ONNX model: /)
        rejected++
      }
    }
    expect(rejected).toBeGreaterThan(10)
  })
})

describe('graph helpers', () => {
  it('finds nodes by name, op type, input and output', () => {
    const graph = requireGraph(decodeModel(read(FIXTURE)))
    expect(findNodes(graph, { name: /^\/norm\// }).map((n) => n.opType)).toContain('InstanceNormalization')
    expect(consumersOf(graph, 'onnx::MatMul_74').map((n) => n.name)).toEqual(['/attn1/to_out.0/MatMul'])
    expect(producerOf(graph, 'y')?.name).toBe('/Add')
    expect(findNodes(graph, { opType: 'Gemm', input: 'time_proj.weight' })).toHaveLength(1)
  })

  it('lists initializers with dtype and external-data locations', () => {
    const model = decodeModel(read(join(TINY, 'unet', 'model.onnx')))
    const list = listInitializers(requireGraph(model))
    const dataSize = readFileSync(join(TINY, 'unet', 'model.onnx_data')).length
    expect(list.length).toBeGreaterThan(100)
    let offset = 0
    for (const info of list) {
      expect(info.dtype).toBe('float32')
      expect(info.external).toEqual({ location: 'model.onnx_data', offset, length: info.dims.reduce((a, b) => a * b, 1) * 4 })
      offset += info.external!.length
    }
    expect(offset).toBe(dataSize)
    expect(externalDataLocations(model)).toEqual(['model.onnx_data'])
    expect(() => tensorBytes(list[0]!.tensor)).toThrow(/stores its data in "model.onnx_data"/)
  })

  it('setInitializerData changes what onnxruntime computes', async () => {
    const bytes = read(join(TINY, 'vae_decoder', 'model.onnx'))
    const latent = new ort.Tensor('float32', new Float32Array(4 * 4 * 4).map((_, i) => Math.sin(i)), [1, 4, 4, 4])
    const before = (await (await ort.InferenceSession.create(bytes)).run({ latent_sample: latent })).sample!.data as Float32Array
    const model = decodeModel(bytes)
    setInitializerData(requireGraph(model), 'decoder.conv_out.bias', new Float32Array([0.25, -0.5, 1]))
    const after = (await (await ort.InferenceSession.create(encodeModel(model))).run({ latent_sample: latent })).sample!.data as Float32Array
    const plane = 32 * 32
    expect(after[0]! - before[0]!).toBeCloseTo(0.25, 5)
    expect(after[plane + 7]! - before[plane + 7]!).toBeCloseTo(-0.5, 5)
    expect(after[2 * plane + 100]! - before[2 * plane + 100]!).toBeCloseTo(1, 5)
    expect(() => setInitializerData(requireGraph(model), 'decoder.conv_out.bias', new Float32Array(2))).toThrow(/need 12/)
  })

  it('adds initializers, inputs and nodes (before a given node) into a runnable graph', async () => {
    const model = decodeModel(read(join(TINY, 'vae_decoder', 'model.onnx')))
    const graph = requireGraph(model)
    const conv = findNodes(graph, { name: '/post_quant_conv/Conv' })[0]!
    addGraphInput(graph, makeValueInfo('offset', DataType.FLOAT, [1]))
    addInitializer(graph, makeTensor({ name: 'gain', dims: [1], dataType: DataType.FLOAT, floatData: [0] }))
    // latent * gain(0) + offset: the latent no longer matters, only the new input does.
    const scaled = makeNode({ name: '/patch/Mul', opType: 'Mul', input: ['latent_sample', 'gain'], output: ['/patch/Mul_output_0'] })
    const shifted = makeNode({ name: '/patch/Add', opType: 'Add', input: ['/patch/Mul_output_0', 'offset'], output: ['/patch/Add_output_0'] })
    addNodes(graph, [scaled, shifted], conv)
    conv.input[0] = '/patch/Add_output_0'
    expect(graph.node.indexOf(shifted)).toBe(graph.node.indexOf(conv) - 1)
    expect(() => addInitializer(graph, makeTensor({ name: 'gain', dims: [1], dataType: DataType.FLOAT }))).toThrow(/already used/)
    const session = await ort.InferenceSession.create(encodeModel(model))
    const run = async (latentScale: number, offset: number) =>
      (await session.run({
        latent_sample: new ort.Tensor('float32', new Float32Array(64).map((_, i) => Math.sin(i) * latentScale), [1, 4, 4, 4]),
        offset: new ort.Tensor('float32', new Float32Array([offset]), [1]),
      })).sample!.data as Float32Array
    expect(session.inputNames).toEqual(['latent_sample', 'offset'])
    const a = await run(1, 1)
    expect(a.length).toBe(3 * 32 * 32)
    expect(Array.from(await run(5, 1))).toEqual(Array.from(a))
    expect(Array.from(await run(1, -3))).not.toEqual(Array.from(a))
  })

  it('externalize + internalize gives a self-contained model with the same outputs', async () => {
    const bytes = read(join(TINY, 'unet', 'model.onnx'))
    const model = decodeModel(bytes)
    internalizeExternalData(model, new Map([['model.onnx_data', read(join(TINY, 'unet', 'model.onnx_data'))]]))
    expect(externalDataLocations(model)).toEqual([])
    const inline = encodeModel(model)
    const feeds = {
      sample: new ort.Tensor('float32', new Float32Array(4 * 8 * 8).fill(0.3), [1, 4, 8, 8]),
      timestep: new ort.Tensor('int64', BigInt64Array.from([10n]), [1]),
      encoder_hidden_states: new ort.Tensor('float32', new Float32Array(77 * 16).fill(0.2), [1, 77, 16]),
    }
    const fromPath = await (await ort.InferenceSession.create(join(TINY, 'unet', 'model.onnx'))).run(feeds)
    const fromInline = await (await ort.InferenceSession.create(inline)).run(feeds)
    expect(Array.from(fromInline.out_sample!.data as Float32Array)).toEqual(Array.from(fromPath.out_sample!.data as Float32Array))

    const again = decodeModel(inline)
    const blob = externalizeInitializers(again, { location: 'w.bin', sizeThreshold: 1024 })
    const external = listInitializers(requireGraph(again)).filter((i) => i.external)
    expect(external.length).toBeGreaterThan(0)
    expect(external.every((i) => i.tensor.rawData === undefined && i.external!.length >= 1024)).toBe(true)
    expect(blob.length).toBe(external.reduce((sum, i) => sum + i.external!.length, 0))
    const reread = decodeModel(encodeModel(again))
    internalizeExternalData(reread, new Map([['w.bin', blob]]))
    expect(Buffer.from(encodeModel(reread)).equals(Buffer.from(inline))).toBe(true)
    expect(() => internalizeExternalData(decodeModel(bytes), new Map())).toThrow(/needs external data file "model.onnx_data"/)
  })
})

describe('float16', () => {
  it('converts known values with round-to-nearest-even', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00)
    expect(float32ToFloat16Bits(-2)).toBe(0xc000)
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66)
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff)
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00) // rounds up to infinity
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001)
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000) // tie to even (zero)
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00) // tie to even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02)
    expect(float32ToFloat16Bits(-0)).toBe(0x8000)
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00)
    expect(Number.isNaN(float16BitsToFloat32(0x7e00))).toBe(true)
  })

  it('round-trips every finite half value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0) continue // NaN payloads
      const back = float32ToFloat16Bits(float16BitsToFloat32(bits))
      if (back !== bits) throw new Error(`0x${bits.toString(16)} -> 0x${back.toString(16)}`)
    }
  })
})

describe('tensor data from Node Buffers', () => {
  it('reads misaligned float32 raw data held in a Buffer (whose slice is a view)', async () => {
    const { tensorToFloat32 } = await import('../../src/models/onnx/index.js')
    const values = Float32Array.of(1.5, -2.25, 3.125)
    const backing = Buffer.alloc(13)
    Buffer.from(values.buffer).copy(backing, 1)
    const raw = backing.subarray(1)
    expect(raw.byteOffset % 4).not.toBe(0)
    const tensor = { name: 't', dims: [3], dataType: 1, rawData: raw } as unknown as Parameters<typeof tensorToFloat32>[0]
    expect(Array.from(tensorToFloat32(tensor))).toEqual([1.5, -2.25, 3.125])
  })
})
