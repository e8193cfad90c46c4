// The full-size twins (`npm run models -- --full sd15|sdxl`) are too big for CI, so CI checks what makes them
// right without writing them: the planned graphs have the real models' parameter counts, the LoRA twins the real
// files' sizes, and the streaming writer (the code that writes the multi-GB files) produces models onnxruntime
// runs identically to the in-memory builder's, inline, with external data, and in fp16.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { LORA_RANK, loraTargetLayers } from '../../scripts/models/full/lora-twins.js'
import { fullComponents, planComponent } from '../../scripts/models/full/pipelines.js'
import { writeStreamedModel } from '../../scripts/models/full/stream-store.js'
import { UNET, buildUnet } from '../../scripts/models/unet.js'
import { encodeModel } from '../../src/models/onnx/codec.js'
import { float16ArrayToFloat32, float32ArrayToFloat16 } from '../../src/models/onnx/float16.js'
import { maxAbsDiff } from '../helpers/arrays.js'

const M = 1e6

describe('full-size twins: parameter counts of the real models (within 1%)', () => {
  const published: Record<string, Record<string, number>> = {
    sd15: { text_encoder: 123.1 * M, unet: 859.5 * M, vae_decoder: 49.5 * M },
    sdxl: { text_encoder: 123.1 * M, text_encoder_2: 694.7 * M, unet: 2567 * M, vae_decoder: 49.5 * M },
  }
  for (const name of ['sd15', 'sdxl'] as const) {
    it(`${name}`, () => {
      const counts = Object.fromEntries(fullComponents(name).map((c) => [c.folder, planComponent(c.build, 'float16').store.parameterCount]))
      expect(Object.keys(counts)).toEqual(Object.keys(published[name]!))
      for (const [folder, expected] of Object.entries(published[name]!)) {
        expect(Math.abs(counts[folder]! / expected - 1), `${name} ${folder}: ${counts[folder]}`).toBeLessThan(0.01)
      }
    })
  }

  it('fp16 twins are all-float16 graphs (inputs, outputs and weights), as Optimum --fp16 writes them', () => {
    const { model, store } = planComponent(fullComponents('sd15').find((c) => c.folder === 'unet')!.build, 'float16')
    const graph = model.graph!
    const elem = (name: string) => [...graph.input, ...graph.output].find((v) => v.name === name)!.type!.tensorType!.elemType
    expect([elem('sample'), elem('encoder_hidden_states'), elem('out_sample'), elem('timestep')]).toEqual([10, 10, 10, 7])
    expect(store.weightBytes).toBe(store.parameterCount * 2)
  })
})

describe('full-size Hyper-SD LoRA twins', () => {
  // The published files: Hyper-SD15-*-lora 269 MB, Hyper-SDXL-*-lora 787 MB (float32, rank 64).
  for (const [base, megabytes] of [['sd15', 269], ['sdxl', 787]] as const) {
    it(`${base}: rank ${LORA_RANK} kohya factors on LCM-LoRA's layer set come to ${megabytes} MB in float32`, () => {
      const layers = loraTargetLayers(base)
      const bytes = layers.reduce((sum, l) => {
        const [out, inp, kh = 1, kw = 1] = l.shape as [number, number, number?, number?]
        return sum + 4 * (LORA_RANK * inp * kh * kw + out * LORA_RANK + 1)
      }, 0)
      expect(Math.abs(bytes / (megabytes * M) - 1)).toBeLessThan(0.005)
      expect(layers.some((l) => l.name === 'down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k')).toBe(true)
      expect(layers.some((l) => l.name === 'mid_block.resnets.0.conv1')).toBe(true)
    })
  }
})

describe('streaming writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hypersd-stream-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const feeds = () => {
    const sample = Float32Array.from({ length: 4 * 8 * 8 }, (_, i) => Math.sin(i * 0.37))
    const context = Float32Array.from({ length: 77 * UNET.crossAttentionDim }, (_, i) => Math.cos(i * 0.11))
    return { sample, context }
  }
  async function run(path: string, dtype: 'float32' | 'float16'): Promise<Float32Array> {
    const session = await ort.InferenceSession.create(path)
    const { sample, context } = feeds()
    const tensor = (data: Float32Array, dims: number[]) =>
      dtype === 'float32' ? new ort.Tensor('float32', data, dims) : new ort.Tensor('float16', float32ArrayToFloat16(data), dims)
    const out = await session.run({
      sample: tensor(sample, [1, 4, 8, 8]),
      timestep: new ort.Tensor('int64', BigInt64Array.of(500n), [1]),
      encoder_hidden_states: tensor(context, [1, 77, UNET.crossAttentionDim]),
    })
    await session.release()
    const data = out['out_sample']!.data
    return dtype === 'float32' ? (data as Float32Array) : float16ArrayToFloat32(new Uint16Array((data as Uint16Array).buffer.slice(0)))
  }
  it('writes, inline and with external data, the same model the in-memory builder makes', async () => {
    const reference = join(dir, 'reference.onnx')
    writeFileSync(reference, encodeModel(buildUnet()))
    const expected = await run(reference, 'float32')
    for (const [folder, threshold] of [['inline', undefined], ['external', 0]] as const) {
      const out = join(dir, folder)
      mkdirSync(out)
      const { model, store } = planComponent((s) => buildUnet(UNET, 2, s), 'float32')
      const written = writeStreamedModel(model, store, out, threshold)
      expect(readdirSync(out).sort()).toEqual([...written.files].sort())
      if (folder === 'external') expect(statSync(join(out, 'model.onnx_data')).size).toBe(store.weightBytes)
      expect(maxAbsDiff(await run(join(out, 'model.onnx'), 'float32'), expected), folder).toBe(0)
    }
  })

  it('writes fp16 models that match the fp32 one to half precision', async () => {
    const out = join(dir, 'fp16')
    mkdirSync(out)
    const { model, store } = planComponent((s) => buildUnet(UNET, 2, s), 'float16')
    writeStreamedModel(model, store, out)
    const expected = await run(join(dir, 'inline', 'model.onnx'), 'float32')
    const half = await run(join(out, 'model.onnx'), 'float16')
    const scale = Math.max(...expected.map(Math.abs))
    expect(maxAbsDiff(half, expected) / scale).toBeLessThan(0.02)
    expect(maxAbsDiff(half, expected)).toBeGreaterThan(0)
  })
})
