// The SGM-named kohya LoRA fixture on the tiny SDXL UNet: every tensor matches through src/lora/sgm.ts, and the
// live branches, the merge and this test's own merge (SGM names computed independently) agree on the UNet output.
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent } from '../../nodes/types.js'
import { diffusersToSgm } from '../../scripts/models/lora-fixtures.js'
import { SDXL_UNET } from '../../scripts/models/sdxl/unet.js'
import { formatLoraReport, LoraMatchError } from '../../src/lora/match.js'
import { prepareModelWithLoras, type LoraBindingLike } from '../../src/lora/session.js'
import { decodeModel, encodeModel } from '../../src/models/onnx/codec.js'
import { requireGraph } from '../../src/models/onnx/graph.js'
import { setTensorData, tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor, ModelSource } from '../../src/runtime/types.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'
import { addLoraProduct } from '../helpers/reference-merge.js'

const ROOT = 'public/models'
const SGM = 'loras/tiny-hyper-sdxl-sgm.safetensors'
const SD15 = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'
const unet: ModelSource = {
  key: `${ROOT}/tiny-sdxl/unet`,
  bytes: readFileSync(`${ROOT}/tiny-sdxl/unet/model.onnx`),
  externalData: [{ path: 'model.onnx_data', data: readFileSync(`${ROOT}/tiny-sdxl/unet/model.onnx_data`) }],
}
const cache = new SessionCache(createNodeBackend())
const deps = { sessions: cache, readLora: async (name: string) => readFileSync(`${ROOT}/${name}`) }
afterAll(() => cache.dispose())

const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f))
const feeds: Record<string, HostTensor> = {
  sample: { dtype: 'float32', dims: [1, 4, 16, 16], data: wave(4 * 16 * 16, 0.7) },
  timestep: { dtype: 'int64', dims: [1], data: BigInt64Array.of(749n) },
  encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 40], data: wave(77 * 40, 0.3) },
  text_embeds: { dtype: 'float32', dims: [1, 32], data: wave(32, 1.1) },
  time_ids: { dtype: 'float32', dims: [1, 6], data: Float32Array.of(128, 128, 0, 0, 128, 128) },
}

async function run(loras: LoraBindingLike[]) {
  const prepared = await prepareModelWithLoras({ key: unet.key, load: async () => unet }, loras, 'unet', deps)
  const out = await prepared.session.run({ ...feeds, ...prepared.feeds })
  return { out: toFloat32(out.out_sample!), prepared }
}

/**
 * The test's own merge: each weighted node's module path (from its torch-export name) is turned into its SGM kohya
 * stem with the fixture generator's inverse mapping, and scale * alpha/rank * up @ down is added in float64.
 */
function independentlyMerged(scale: number): { source: ModelSource; merged: number } {
  const model = decodeModel(new Uint8Array(unet.bytes))
  const graph = requireGraph(model)
  const external = new Uint8Array(unet.externalData![0]!.data)
  const lora = readSafetensors(readFileSync(`${ROOT}/${SGM}`))
  let merged = 0
  for (const node of graph.node) {
    if (!['Conv', 'MatMul', 'Gemm'].includes(node.opType ?? '')) continue
    const tensor = graph.initializer.find((t) => t.name === node.input[1])
    if (!tensor || !node.name) continue
    const sgm = diffusersToSgm(node.name.split('/').slice(1, -1).join('.'), SDXL_UNET.attentionLevels)
    const stem = sgm && `lora_unet_${sgm.replace(/\./g, '_')}`
    if (!stem || !lora.tensors.has(`${stem}.lora_down.weight`)) continue
    const w = Float64Array.from(tensorToFloat32(tensor, external))
    const down = lora.floats(`${stem}.lora_down.weight`)
    const up = lora.floats(`${stem}.lora_up.weight`)
    const alphaScale = lora.floats(`${stem}.alpha`).data[0]! / down.shape[0]!
    addLoraProduct(w, up, down, alphaScale, scale, node.opType === 'MatMul')
    setTensorData(tensor, Float32Array.from(w))
    merged++
  }
  return { source: { key: `${unet.key}#independent-${scale}`, bytes: encodeModel(model), externalData: unet.externalData! }, merged }
}

const TOLERANCE = 1e-4

describe('SGM-named kohya LoRA on the tiny SDXL UNet', () => {
  it('the file uses SGM block names (input/middle/output_blocks, time_embed, label_emb)', () => {
    const names = [...readSafetensors(readFileSync(`${ROOT}/${SGM}`)).tensors.keys()]
    expect(names).toContain('lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight')
    expect(names).toContain('lora_unet_input_blocks_3_0_op.lora_up.weight')
    expect(names).toContain('lora_unet_middle_block_1_proj_in.alpha')
    expect(names).toContain('lora_unet_output_blocks_2_2_conv.lora_down.weight')
    expect(names).toContain('lora_unet_output_blocks_5_2_conv.lora_down.weight')
    expect(names).toContain('lora_unet_output_blocks_0_0_skip_connection.lora_down.weight')
    expect(names).toContain('lora_unet_label_emb_0_0.lora_down.weight')
    expect(names).toContain('lora_unet_time_embed_2.lora_up.weight')
    expect(names.some((n) => /down_blocks|up_blocks|mid_block/.test(n))).toBe(false)
  })

  it('matches every tensor, and live = live-delta = merge = independent merge on the UNet output', async () => {
    const live = await run([{ name: SGM, scale: 1, mode: 'live' }])
    const delta = await run([{ name: SGM, scale: 1, mode: 'live-delta' }])
    const merge = await run([{ name: SGM, scale: 1, mode: 'merge' }])
    const base = await run([])
    const { source, merged } = independentlyMerged(1)
    const expected = toFloat32((await (await cache.getOrCreate(source.key, async () => source)).run(feeds)).out_sample!)
    const report = live.prepared.reports[0]!
    expect(report.unmatched).toEqual([])
    expect(report.mismatched).toEqual([])
    expect(report.matchedTensors).toBe(report.tensorsConsidered)
    // 201 layers: every attention, feed-forward, linear proj_in/out, resnet conv, time projection, shortcut,
    // down/upsampler, and the time / added-condition embeddings.
    expect(merged).toBe(201)
    expect(report.patchedLayers.length).toBe(merged)
    expect(report.tensorsConsidered).toBe(3 * merged)
    expect(report.patchedLayers).toEqual(expect.arrayContaining(['add_embedding.linear_1', 'up_blocks.0.upsamplers.0.conv', 'up_blocks.1.upsamplers.0.conv', 'down_blocks.1.downsamplers.0.conv']))
    expect(formatLoraReport(report, 0)).toContain(`${3 * merged} of ${3 * merged} tensors matched, ${merged} layers patched`)
    const scale = maxAbs(expected)
    expect(maxAbsDiff(live.out, expected)).toBeLessThan(TOLERANCE * scale)
    expect(maxAbsDiff(delta.out, expected)).toBeLessThan(TOLERANCE * scale)
    expect(maxAbsDiff(merge.out, expected)).toBeLessThan(TOLERANCE * scale)
    expect(maxAbsDiff(base.out, expected)).toBeGreaterThan(0.05 * scale)
    const zero = await run([{ name: SGM, scale: 0, mode: 'live' }])
    expect(maxAbsDiff(zero.out, base.out)).toBe(0)
  })

  it('refuses the SD1.5 LoRA on the SDXL UNet, with match statistics', async () => {
    const err = await run([{ name: SD15, scale: 1, mode: 'live' }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LoraMatchError)
    const report = (err as LoraMatchError).report
    expect(report.matchedTensors).toBeLessThan(report.tensorsConsidered / 2)
    // SD1.5's down_blocks names exist here but with other widths (32 vs 16 channels), so nothing applies.
    expect((err as Error).message).toContain('0 of 342 tensors matched, 0 layers patched; 102 modules have other shapes')
    expect((err as Error).message).toMatch(new RegExp(`^LoRA "${SD15}" does not fit the UNet: ${report.matchedTensors} of ${report.tensorsConsidered} tensors matched`))
  })

  it('runs in the SDXL graph through a UNet + LoRA node (LoRA scale feeds next to text_embeds / time_ids)', async () => {
    const host = createTestHost()
    try {
      const graph = withOverrides(shippedGraph('tiny-sdxl-4step.json'), ['4.steps=2'])
      const withLora = (scale: number) => ({
        nodes: [
          ...graph.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, model: { from: ['9', 'unet'] as [string, string] } } } : n)),
          { id: '9', type: 'UNetLoRA', inputs: { unet: { from: ['1', 'unet'] as [string, string] }, clip: { from: ['1', 'clip'] as [string, string] }, lora: SGM, scale, mode: 'live' } },
        ],
      })
      const latent = async (g: Parameters<typeof host.engine.run>[0]) => ((await host.engine.run(g)).outputs.get('4')!.latent as Latent).data
      const plain = await latent(graph)
      expect(Array.from(await latent(withLora(0)))).toEqual(Array.from(plain))
      const patched = await latent(withLora(1))
      expect(patched.every(Number.isFinite)).toBe(true)
      expect(Array.from(patched)).not.toEqual(Array.from(plain))
    } finally {
      await host.dispose()
    }
  })
})
