// Replacing the tiny UNets' weights with a changed copy of their own state dict (torch names), through onnxruntime-node:
// the output equals a reference model with the same values written straight into its initializers.
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { UNetWeightsError, replaceWeights } from '../../src/lora/unet-weights.js'
import { prepareUNet } from '../../src/lora/unet-session.js'
import { prepareModelWithLoras, type LoraBindingLike } from '../../src/lora/session.js'
import { buildWithWeights, UNET_WEIGHTS_DATA_FILE } from '../../src/lora/weights-model.js'
import { findTargetLayers } from '../../src/lora/layers.js'
import { WeightStore } from '../../src/lora/weights.js'
import { decodeModel, encodeModel } from '../../src/models/onnx/codec.js'
import { float32ArrayToFloat16 } from '../../src/models/onnx/float16.js'
import { requireGraph } from '../../src/models/onnx/graph.js'
import { setTensorData, tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { DataType } from '../../src/models/onnx/types.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'
import { encodeSafetensors } from '../../src/models/safetensors/writer.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor, ModelSource } from '../../src/runtime/types.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'
import { changedStateDict, loadUNet, MODELS, referenceModel, seededChanges, torchStateDict, type StateDictEntry } from '../helpers/unet-state-dict.js'

const cache = new SessionCache(createNodeBackend())
afterAll(() => cache.dispose())

const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f))
const FEEDS: Record<'tiny-sdxl' | 'tiny-sd15', Record<string, HostTensor>> = {
  'tiny-sdxl': {
    sample: { dtype: 'float32', dims: [1, 4, 16, 16], data: wave(4 * 16 * 16, 0.7) },
    timestep: { dtype: 'int64', dims: [1], data: BigInt64Array.of(800n) },
    encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 40], data: wave(77 * 40, 0.3) },
    text_embeds: { dtype: 'float32', dims: [1, 32], data: wave(32, 1.1) },
    time_ids: { dtype: 'float32', dims: [1, 6], data: Float32Array.of(128, 128, 0, 0, 128, 128) },
  },
  'tiny-sd15': {
    sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: wave(256, 0.7) },
    timestep: { dtype: 'float32', dims: [1], data: Float32Array.of(749) },
    encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 16], data: wave(77 * 16, 0.3) },
  },
}

const files: Record<string, Uint8Array> = {}
const deps = {
  sessions: cache,
  readLora: async (name: string) => readFileSync(`${MODELS}/${name}`),
  readWeights: async (name: string) => files[name]!,
}

async function outputOf(source: ModelSource, folder: keyof typeof FEEDS): Promise<Float32Array> {
  const session = await cache.getOrCreate(source.key, async () => source)
  return toFloat32((await session.run(FEEDS[folder]))['out_sample']!)
}

// fp32 weights through the same graph: agreement to float32 rounding (the session fuses ops the same way).
const TOLERANCE = 1e-5

describe.each(['tiny-sdxl', 'tiny-sd15'] as const)('a changed state dict on the %s UNet', (folder) => {
  const base = loadUNet(folder)
  const entries = torchStateDict(base)
  const changes = seededChanges(entries, 7)

  it('replaces every weight: the output is the reference model\'s, and the base data file is not passed on', async () => {
    const name = `${folder}-changed.safetensors`
    const file = readSafetensors(changedStateDict(entries, changes), name)
    const built = await buildWithWeights(base, `${base.key}#test`, file)
    expect(built.report).toMatchObject({ tensors: entries.length, replaced: entries.length, unmatchedCount: 0, mismatchedCount: 0, unwrittenCount: 0, model: 'unet/model.onnx' })
    expect(built.source.externalData?.map((f) => f.path)).toEqual([UNET_WEIGHTS_DATA_FILE])
    const expected = await outputOf(referenceModel(base, entries, changes), folder)
    const before = await outputOf(base, folder)
    expect(maxAbsDiff(before, expected)).toBeGreaterThan(0.05 * maxAbs(expected))
    expect(maxAbsDiff(await outputOf(built.source, folder), expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
  })

  it('converts an fp16 file into the fp32 model', async () => {
    const file = readSafetensors(changedStateDict(entries, changes, 'F16'), `${folder}-fp16.safetensors`)
    const built = await buildWithWeights(base, `${base.key}#test-fp16`, file)
    const expected = await outputOf(referenceModel(base, entries, changes, 'F16'), folder)
    const out = await outputOf(built.source, folder)
    expect(maxAbsDiff(out, expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
    // fp16 rounding shows in the output: the check above tells fp16 from fp32 values.
    expect(maxAbsDiff(out, await outputOf(referenceModel(base, entries, changes), folder))).toBeGreaterThan(10 * TOLERANCE * maxAbs(expected))
  })
})

describe('the replacement on the tiny SDXL UNet', () => {
  const base = loadUNet('tiny-sdxl')
  const entries = torchStateDict(base)
  const changes = seededChanges(entries, 11)
  const keyOf = (initializer: string) => entries.find((e) => e.initializer === initializer)!

  it('writes an fp32 file into an fp16 model in fp16', async () => {
    const model = decodeModel(new Uint8Array(base.bytes))
    const graph = requireGraph(model)
    const external = base.externalData![0]!.data
    for (const t of graph.initializer) setTensorData(t, float32ArrayToFloat16(tensorToFloat32(t, external)), DataType.FLOAT16)
    const store = new WeightStore(new Map(), false)
    const report = await replaceWeights(graph, store, readSafetensors(changedStateDict(entries, changes)), findTargetLayers(graph))
    expect(report.replaced).toBe(entries.length)
    store.finish()
    const expected = decodeModel(referenceModel(base, entries, changes, 'F16').bytes)
    const want = new Map(requireGraph(expected).initializer.map((t) => [t.name, tensorToFloat32(t)]))
    for (const t of graph.initializer) {
      expect(t.dataType, t.name).toBe(DataType.FLOAT16)
      expect(Array.from(tensorToFloat32(t)), t.name).toEqual(Array.from(want.get(t.name)!))
    }
  })

  it('gives tied initializers (one tensor read by several modules) their own values', async () => {
    // Three ties an exporter's dedup could make: two attention projections, two GroupNorm scales, two conv biases.
    const ties = [
      ['down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight', 'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_k.weight'],
      ['down_blocks.0.resnets.0.norm1.weight', 'down_blocks.0.resnets.0.norm2.weight'],
      ['down_blocks.0.resnets.0.conv1.bias', 'down_blocks.0.resnets.0.conv2.bias'],
    ]
    const model = decodeModel(new Uint8Array(base.bytes))
    const graph = requireGraph(model)
    for (const [kept, dropped] of ties) {
      const byKey = (key: string) => entries.find((e) => e.key === key)!.initializer
      const [keep, drop] = [byKey(kept!), byKey(dropped!)]
      for (const node of graph.node) node.input = node.input.map((i) => (i === drop ? keep : i))
      graph.initializer = graph.initializer.filter((t) => t.name !== drop)
    }
    const tiedBase: ModelSource = { ...base, key: `${base.key}#tied`, bytes: encodeModel(model) }
    const file = readSafetensors(changedStateDict(entries, changes))
    const built = await buildWithWeights(tiedBase, `${tiedBase.key}#weights`, file)
    expect(built.report.replaced).toBe(entries.length)
    const expected = await outputOf(referenceModel(base, entries, changes), 'tiny-sdxl')
    expect(maxAbsDiff(await outputOf(built.source, 'tiny-sdxl'), expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
  })

  it('reports a few foreign keys and weights it did not write, and keeps the base data file for those', async () => {
    const left = entries.filter((e) => e.key !== 'conv_in.bias' && e.key !== keyOf('onnx::Mul_12000').key)
    const extra: StateDictEntry[] = [{ key: 'ema.decay', shape: [1], values: Float32Array.of(0.999), initializer: '' }]
    const file = readSafetensors(changedStateDict([...left, ...extra], new Map([...changes, ['ema.decay', { gain: 1, shift: 0 }]])), 'partial.safetensors')
    const built = await buildWithWeights(base, `${base.key}#partial`, file)
    expect(built.report).toMatchObject({ tensors: left.length + 1, replaced: left.length, unmatchedCount: 1, unmatched: ['ema.decay'], unwrittenCount: 2 })
    expect(built.report.unwritten).toEqual(['conv_in.bias', 'onnx::Mul_12000'])
    expect(built.source.externalData?.map((f) => f.path).sort()).toEqual(['model.onnx_data', UNET_WEIGHTS_DATA_FILE])
    const kept = new Map(left.map((e) => [e.key, changes.get(e.key)!]))
    const expected = await outputOf(referenceModel(base, left, kept), 'tiny-sdxl')
    expect(maxAbsDiff(await outputOf(built.source, 'tiny-sdxl'), expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
  })

  it('refuses the ComfyUI/LDM layout with the file to use instead', async () => {
    const ldm = encodeSafetensors(
      ['model.diffusion_model.input_blocks.0.0.weight', 'model.diffusion_model.input_blocks.1.0.in_layers.0.weight', 'model.diffusion_model.out.2.bias'].map((name) => ({
        name,
        dtype: 'F16' as const,
        shape: [2],
        data: new Uint8Array(4),
      })),
    )
    const err = await buildWithWeights(base, 'ldm', readSafetensors(ldm, 'Hyper-SDXL-1step-Unet-Comfyui.fp16.safetensors')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UNetWeightsError)
    expect((err as Error).message).toMatch(/^Hyper-SDXL-1step-Unet-Comfyui\.fp16\.safetensors: this is the ComfyUI\/LDM UNet layout \(keys like "model\.diffusion_model\.input_blocks\.0\.0\.weight"\)/)
    expect((err as Error).message).toContain('Hyper-SDXL-1step-Unet.safetensors is diffusers')
  })

  it('refuses SD1.5 weights with counts, before reading a tensor', async () => {
    const sd15 = torchStateDict(loadUNet('tiny-sd15'))
    const bytes = changedStateDict(sd15, seededChanges(sd15, 3))
    const file = readSafetensors(bytes, 'tiny-sd15.safetensors')
    let reads = 0
    const counted = { ...file, file: file.file, tensors: file.tensors, metadata: file.metadata, readFloats: async (n: string) => (reads++, file.readFloats(n)) }
    const err = await buildWithWeights(base, 'wrong', counted).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UNetWeightsError)
    const report = (err as UNetWeightsError).report!
    expect(report.tensors).toBe(sd15.length)
    expect(report.mismatchedCount).toBeGreaterThan(0)
    expect(report.unmatchedCount).toBeGreaterThan(0)
    expect((err as Error).message).toMatch(new RegExp(`^tiny-sd15\\.safetensors: ${report.mismatchedCount} of ${sd15.length} tensors have other shapes than in unet/model\\.onnx \\(e\\.g\\. time_embedding\\.linear_1\\.weight \\[128, 32\\] vs \\[32, 16\\]`))
    expect((err as Error).message).toContain(`; ${report.unmatchedCount} of ${sd15.length} tensors have no place in unet/model.onnx (e.g. `)
    expect(reads).toBe(0)
  })
})

describe('UNet weights, then LoRAs, through the session cache', () => {
  const base = loadUNet('tiny-sd15')
  const entries = torchStateDict(base)
  const changes = seededChanges(entries, 5)
  files['sd15-changed.safetensors'] = changedStateDict(entries, changes)
  const reference = referenceModel(base, entries, changes)
  const KOHYA = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'
  const model = { key: base.key, load: async () => base }

  it.each(['merge', 'live'] as const)('a %s LoRA applies on top of the replaced weights', async (mode) => {
    const loras: LoraBindingLike[] = [{ name: KOHYA, scale: 1, mode }]
    const prepared = await prepareUNet(model, 'sd15-changed.safetensors', loras, deps)
    const out = toFloat32((await prepared.session.run({ ...FEEDS['tiny-sd15'], ...prepared.feeds }))['out_sample']!)
    const onReference = await prepareModelWithLoras({ key: reference.key, load: async () => reference }, loras, 'unet', deps)
    const expected = toFloat32((await onReference.session.run({ ...FEEDS['tiny-sd15'], ...onReference.feeds }))['out_sample']!)
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-4 * maxAbs(expected))
    expect(prepared.reports[0]!.patchedLayers).toHaveLength(114)
    expect(prepared.weights?.replaced).toBe(entries.length)
  })

  it('caches by weights name: the same name reuses the session, another name or none gives another', async () => {
    const first = await prepareUNet(model, 'sd15-changed.safetensors', [], deps)
    const creates = cache.stats.creates
    const again = await prepareUNet(model, 'sd15-changed.safetensors', [], deps)
    expect(again.session).toBe(first.session)
    expect(again.weights?.replaced).toBe(entries.length)
    expect(cache.stats.creates).toBe(creates)
    files['sd15-other.safetensors'] = changedStateDict(entries, seededChanges(entries, 6))
    const other = await prepareUNet(model, 'sd15-other.safetensors', [], deps)
    const plain = await prepareUNet(model, undefined, [], deps)
    expect(new Set([first.session, other.session, plain.session]).size).toBe(3)
    expect(plain.weights).toBeUndefined()
    const expected = await outputOf(reference, 'tiny-sd15')
    const out = toFloat32((await first.session.run(FEEDS['tiny-sd15']))['out_sample']!)
    expect(maxAbsDiff(out, expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
  })
})
