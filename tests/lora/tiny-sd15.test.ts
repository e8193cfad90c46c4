// The LoRA fixtures on the real tiny SD1.5 UNet and text encoder, through onnxruntime-node.
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeModel, encodeModel } from '../../src/models/onnx/codec.js'
import { requireGraph } from '../../src/models/onnx/graph.js'
import { externalDataRef, setTensorData, tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'
import { encodeSafetensors, float32Bytes } from '../../src/models/safetensors/writer.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor, ModelSource } from '../../src/runtime/types.js'
import { formatLoraReport, LoraMatchError } from '../../src/lora/match.js'
import { buildModel, prepareModelWithLoras } from '../../src/lora/session.js'
import type { LoraBindingLike } from '../../src/lora/session.js'
import type { LoraComponent } from '../../src/lora/keys.js'
import { random, rng } from './synthetic-model.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'
import { addLoraProduct } from '../helpers/reference-merge.js'

const ROOT = 'public/models'
const KOHYA = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'
const PEFT = 'loras/tiny-hyper-sd15-peft.safetensors'

function loadSource(folder: string): ModelSource {
  const bytes = readFileSync(`${ROOT}/${folder}/model.onnx`)
  const model = decodeModel(bytes)
  const locations = [...new Set(requireGraph(model).initializer.map((t) => externalDataRef(t)?.location).filter((l) => l !== undefined))]
  const externalData = locations.map((path) => ({ path, data: readFileSync(`${ROOT}/${folder}/${path}`) }))
  return { key: `${ROOT}/${folder}`, bytes, ...(externalData.length > 0 ? { externalData } : {}) }
}

const unet = loadSource('tiny-sd15/unet')
const textEncoder = loadSource('tiny-sd15/text_encoder')
const extraFiles: Record<string, Uint8Array> = {}
const cache = new SessionCache(createNodeBackend())
const deps = { sessions: cache, readLora: async (name: string) => extraFiles[name] ?? readFileSync(`${ROOT}/${name}`) }
afterAll(() => cache.dispose())

const next = rng(2024)
const unetFeeds: Record<string, HostTensor> = {
  sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: random(256, next, 2) },
  timestep: { dtype: 'float32', dims: [1], data: Float32Array.of(749) },
  encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 16], data: random(77 * 16, next, 2) },
}
const ids = new Int32Array(77).fill(49407)
ids.set([49406, 320, 1125, 539, 320, 2368, 49407])
const teFeeds: Record<string, HostTensor> = { input_ids: { dtype: 'int32', dims: [1, 77], data: ids } }

async function run(source: ModelSource, component: LoraComponent, loras: LoraBindingLike[], feeds: Record<string, HostTensor>) {
  const prepared = await prepareModelWithLoras({ key: source.key, load: async () => source }, loras, component, deps)
  const out = await prepared.session.run({ ...feeds, ...prepared.feeds })
  return { out: toFloat32(Object.values(out)[0]!), prepared }
}

/**
 * The test's own merge: finds each LoRA module's weight by scanning node names (kohya stems and PEFT paths
 * flattened), adds scale * alpha/rank * up @ down in float64, stores the weights inline.
 */
function independentlyMerged(source: ModelSource, prefix: string, applied: { file: string; scale: number }[]): ModelSource {
  const model = decodeModel(new Uint8Array(source.bytes))
  const graph = requireGraph(model)
  const external = source.externalData?.[0] ? new Uint8Array(source.externalData[0].data) : undefined
  for (const { file, scale } of applied) {
    const lora = readSafetensors(readFileSync(`${ROOT}/${file}`))
    const stems = [...lora.tensors.keys()].filter((n) => /(lora_down|lora_A)\.weight$/.test(n))
    for (const downName of stems) {
      const stem = downName.replace(/\.(lora_down|lora_A)\.weight$/, '')
      const flat = stem.replace(/^unet\./, 'lora_unet_').replace(/\./g, '_')
      if (!flat.startsWith(prefix)) continue
      const node = graph.node.find((n) => n.name && n.input[1] && `${prefix}${n.name.split('/').slice(1, -1).join('_').replace(/\./g, '_')}` === flat && graph.initializer.some((t) => t.name === n.input[1]))
      expect(node, stem).toBeDefined()
      const tensor = graph.initializer.find((t) => t.name === node!.input[1])!
      const w = Float64Array.from(tensorToFloat32(tensor, external))
      const down = lora.floats(downName)
      const up = lora.floats(downName.replace('lora_down', 'lora_up').replace('lora_A', 'lora_B'))
      const alphaName = `${stem}.alpha`
      const alphaScale = lora.tensors.has(alphaName) ? lora.floats(alphaName).data[0]! / down.shape[0]! : 1
      const transposed = node!.opType === 'MatMul' || (node!.opType === 'Gemm' && !node!.attribute.some((a) => a.name === 'transB' && a.i === 1n))
      addLoraProduct(w, up, down, alphaScale, scale, transposed)
      setTensorData(tensor, Float32Array.from(w))
    }
  }
  return { ...source, key: `${source.key}#independent${JSON.stringify(applied)}`, bytes: encodeModel(model) }
}

// fp32 weights; merge and branch sum in different orders, so agreement is to float32 rounding, not bit-exact.
const TOLERANCE = 1e-4

describe('Hyper-SD LoRA fixtures on the tiny SD1.5 UNet', () => {
  it('merged output = live output = independently merged UNet', async () => {
    const merged = await run(unet, 'unet', [{ name: KOHYA, scale: 1, mode: 'merge' }], unetFeeds)
    const live = await run(unet, 'unet', [{ name: KOHYA, scale: 1, mode: 'live' }], unetFeeds)
    const delta = await run(unet, 'unet', [{ name: KOHYA, scale: 1, mode: 'live-delta' }], unetFeeds)
    const base = await run(unet, 'unet', [], unetFeeds)
    const reference = await (await cache.getOrCreate('independent-kohya-1', async () => independentlyMerged(unet, 'lora_unet_', [{ file: KOHYA, scale: 1 }]))).run(unetFeeds)
    const expected = toFloat32(reference['out_sample']!)
    const scale = maxAbs(expected)
    expect(maxAbsDiff(merged.out, expected)).toBeLessThan(TOLERANCE * scale)
    expect(maxAbsDiff(live.out, expected)).toBeLessThan(TOLERANCE * scale)
    expect(maxAbsDiff(delta.out, expected)).toBeLessThan(TOLERANCE * scale)
    expect(delta.prepared.session).not.toBe(live.prepared.session)
    expect(maxAbsDiff(base.out, expected)).toBeGreaterThan(0.05 * scale)
    const report = merged.prepared.reports[0]!
    expect(report.unmatched).toEqual([])
    // 118 targetable layers, all but conv_in, conv_out and the two time-embedding linears.
    expect(report.patchedLayers.length).toBe(114)
    expect(report.otherComponentTensors).toBe(12 * 3)
    expect(formatLoraReport(report, 3)).toContain(`LoRA "${KOHYA}" on the UNet: 342 of 342 tensors matched, 114 layers patched`)
  })

  it.each(['live', 'live-delta'] as const)('scale 0 gives exactly the base output, and moving the %s scale rebuilds nothing', async (mode) => {
    const base = await run(unet, 'unet', [], unetFeeds)
    const half = await run(unet, 'unet', [{ name: KOHYA, scale: 0.5, mode }], unetFeeds)
    const creates = cache.stats.creates
    const double = await run(unet, 'unet', [{ name: KOHYA, scale: 2, mode }], unetFeeds)
    const zero = await run(unet, 'unet', [{ name: KOHYA, scale: 0, mode }], unetFeeds)
    expect(cache.stats.creates).toBe(creates)
    expect(double.prepared.session).toBe(half.prepared.session)
    expect(maxAbsDiff(double.out, half.out)).toBeGreaterThan(0.05 * maxAbs(base.out))
    expect(maxAbsDiff(zero.out, base.out)).toBe(0)
    const mergedZero = await run(unet, 'unet', [{ name: KOHYA, scale: 0, mode: 'merge' }], unetFeeds)
    expect(maxAbsDiff(mergedZero.out, base.out)).toBe(0)
    // The rewritten graph itself, fed scale 0, agrees with the base to float rounding (ORT fuses it differently).
    const built = await buildModel(unet, `${mode}-kohya-direct`, [{ name: KOHYA, scale: 0, mode }], 'unet', deps)
    const direct = await (await cache.getOrCreate(built.source.key, async () => built.source)).run({
      ...unetFeeds,
      lora_scale_0: { dtype: 'float32', dims: [], data: Float32Array.of(0) },
    })
    expect(maxAbsDiff(toFloat32(direct['out_sample']!), base.out)).toBeLessThan(1e-5 * maxAbs(base.out))
  })

  it('stacking the kohya and PEFT LoRAs equals merging both', async () => {
    const applied = [
      { file: KOHYA, scale: 0.8 },
      { file: PEFT, scale: -1.2 },
    ]
    const reference = await (await cache.getOrCreate('independent-both', async () => independentlyMerged(unet, 'lora_unet_', applied))).run(unetFeeds)
    const expected = toFloat32(reference['out_sample']!)
    for (const modes of [['live', 'live'], ['live-delta', 'live'], ['merge', 'live'], ['live', 'merge'], ['merge', 'live-delta']] as const) {
      const stacked = await run(
        unet,
        'unet',
        applied.map((a, i) => ({ name: a.file, scale: a.scale, mode: modes[i]! })),
        unetFeeds,
      )
      expect(maxAbsDiff(stacked.out, expected), modes.join('+')).toBeLessThan(TOLERANCE * maxAbs(expected))
    }
  })
})

describe('Hyper-SD LoRA fixtures on the tiny text encoder', () => {
  it('the text-encoder keys change the text embedding; merge = live = independent merge', async () => {
    const base = await run(textEncoder, 'te1', [], teFeeds)
    const live = await run(textEncoder, 'te1', [{ name: KOHYA, scale: 1, mode: 'live' }], teFeeds)
    const merged = await run(textEncoder, 'te1', [{ name: KOHYA, scale: 1, mode: 'merge' }], teFeeds)
    const delta = await run(textEncoder, 'te1', [{ name: KOHYA, scale: 1, mode: 'live-delta' }], teFeeds)
    const reference = await (await cache.getOrCreate('independent-te', async () => independentlyMerged(textEncoder, 'lora_te_', [{ file: KOHYA, scale: 1 }]))).run(teFeeds)
    const expected = toFloat32(reference['last_hidden_state']!)
    expect(maxAbsDiff(base.out, expected)).toBeGreaterThan(0.01 * maxAbs(expected))
    expect(maxAbsDiff(live.out, expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
    expect(maxAbsDiff(merged.out, expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
    expect(maxAbsDiff(delta.out, expected)).toBeLessThan(TOLERANCE * maxAbs(expected))
    expect(live.prepared.reports[0]!.patchedLayers).toHaveLength(12)
    // The PEFT fixture has UNet keys only: the text encoder is left as it is.
    const peftOnly = await run(textEncoder, 'te1', [{ name: PEFT, scale: 1, mode: 'live' }], teFeeds)
    expect(peftOnly.prepared.reports).toEqual([])
    expect(maxAbsDiff(peftOnly.out, base.out)).toBe(0)
  })
})

describe('LoRAs that do not fit the tiny UNet', () => {
  const f32 = (n: number) => float32Bytes(new Float32Array(n))
  it('refuses an SD1.5-width LoRA (names fit, widths do not)', async () => {
    const stem = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q'
    extraFiles['sd15-width.safetensors'] = encodeSafetensors([
      { name: `${stem}.lora_down.weight`, dtype: 'F32', shape: [4, 320], data: f32(4 * 320) },
      { name: `${stem}.lora_up.weight`, dtype: 'F32', shape: [320, 4], data: f32(4 * 320) },
    ])
    const err = await run(unet, 'unet', [{ name: 'sd15-width.safetensors', scale: 1, mode: 'live' }], unetFeeds).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LoraMatchError)
    expect((err as Error).message).toContain('0 of 2 tensors matched, 0 layers patched; 1 modules have other shapes')
    expect((err as Error).message).toContain('down [4, 320] / up [320, 4] vs weight [32, 32]')
  })

  it('refuses an SDXL LoRA (SGM names for blocks the tiny UNet lacks)', async () => {
    const tensors = []
    for (const block of [0, 3, 9]) {
      const stem = `lora_unet_input_blocks_4_1_transformer_blocks_${block}_attn2_to_k`
      tensors.push({ name: `${stem}.lora_down.weight`, dtype: 'F32' as const, shape: [4, 2048], data: f32(4 * 2048) })
      tensors.push({ name: `${stem}.lora_up.weight`, dtype: 'F32' as const, shape: [640, 4], data: f32(4 * 640) })
    }
    extraFiles['sdxl.safetensors'] = encodeSafetensors(tensors)
    const err = await run(unet, 'unet', [{ name: 'sdxl.safetensors', scale: 1, mode: 'merge' }], unetFeeds).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LoraMatchError)
    const report = (err as LoraMatchError).report
    expect(report.matchedTensors).toBe(0)
    expect(report.tensorsConsidered).toBe(6)
    expect(report.unmatched).toContain('lora_unet_input_blocks_4_1_transformer_blocks_3_attn2_to_k.lora_down.weight')
  })
})
