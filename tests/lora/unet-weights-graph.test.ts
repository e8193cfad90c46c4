// The UNet Weights node in a graph run through the engine and the CLI's host: tiny-sdxl-lcm-1step.json with the
// UNet's weights replaced gives the image of a pipeline whose UNet holds those weights, caches its session across
// seeds, takes a LoRA on top, and names node and input for files it cannot use.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ExecGraph } from '../../src/engine/index.js'
import { decodePng } from '../../src/graph/png.js'
import { hyperSdPresets, hubFileName } from '../../src/hub/presets.js'
import { encodeSafetensors } from '../../src/models/safetensors/writer.js'
import { maxAbsDiff } from '../helpers/arrays.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { changedStateDict, loadUNet, MODELS, referenceModel, seededChanges, torchStateDict } from '../helpers/unet-state-dict.js'

const dir = mkdtempSync(join(tmpdir(), 'hypersd-unet-weights-'))
const base = loadUNet('tiny-sdxl')
const entries = torchStateDict(base)
const changes = seededChanges(entries, 21)
const WEIGHTS = join(dir, 'tiny-sdxl-changed.safetensors')
writeFileSync(WEIGHTS, changedStateDict(entries, changes, 'F16'))

// The same pipeline with the reference UNet (the changed values written straight into its initializers).
const REFERENCE_PIPELINE = join(dir, 'tiny-sdxl-reference')
cpSync(join(ROOT, MODELS, 'tiny-sdxl'), REFERENCE_PIPELINE, { recursive: true })
rmSync(join(REFERENCE_PIPELINE, 'unet', 'model.onnx_data'))
writeFileSync(join(REFERENCE_PIPELINE, 'unet', 'model.onnx'), referenceModel(base, entries, changes, 'F16').bytes)

const host = createTestHost()
const warnings: string[] = []
afterAll(async () => {
  await host.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const SGM_LORA = 'loras/tiny-hyper-sdxl-sgm.safetensors'
const link = (node: string, output: string) => ({ from: [node, output] as [string, string] })

/** tiny-sdxl-lcm-1step.json with a UNet Weights node (id 11) before the sampler, and optionally a LoRA after it. */
function graphWith(weights: string | undefined, overrides: readonly string[] = [], lora?: number): ExecGraph {
  const graph = withOverrides(shippedGraph('tiny-sdxl-lcm-1step.json'), overrides)
  const unet = lora !== undefined ? link('9', 'unet') : weights !== undefined ? link('11', 'unet') : link('1', 'unet')
  return {
    nodes: [
      ...graph.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, model: unet } } : n)),
      ...(weights !== undefined ? [{ id: '11', type: 'UNetWeights', inputs: { unet: link('1', 'unet'), weights } }] : []),
      ...(lora !== undefined ? [{ id: '9', type: 'UNetLoRA', inputs: { unet: link('11', 'unet'), lora: SGM_LORA, scale: lora, mode: 'live' } }] : []),
    ],
  }
}

async function imageOf(graph: ExecGraph) {
  const before = host.images.length
  await host.engine.run(graph, { onEvent: (e) => void (e.type === 'node-warning' && warnings.push(e.message)) })
  const out = host.images[before]!
  return { pixels: decodePng(out.pngs[0]!).data, parameters: out.parameters }
}

describe('the UNet Weights node', () => {
  it('gives the image of a pipeline whose UNet holds the weights, and keeps its session across seeds', async () => {
    const plain = await imageOf(graphWith(undefined))
    const replaced = await imageOf(graphWith(WEIGHTS))
    expect(maxAbsDiff(plain.pixels, replaced.pixels)).toBeGreaterThan(10)
    expect(replaced.parameters['unet_weights']).toBe(WEIGHTS)
    const creates = host.sessions.stats.creates
    const reseeded = await imageOf(graphWith(WEIGHTS, ['4.seed=43']))
    expect(host.sessions.stats.creates).toBe(creates)
    expect(maxAbsDiff(reseeded.pixels, replaced.pixels)).toBeGreaterThan(0)
    const reference = await imageOf({ nodes: graphWith(undefined).nodes.map((n) => (n.id === '1' ? { ...n, inputs: { model: REFERENCE_PIPELINE } } : n)) })
    expect(maxAbsDiff(replaced.pixels, reference.pixels)).toBeLessThanOrEqual(1)
    expect(warnings).toEqual([])
  })

  it('takes a LoRA chained after it on top of the replaced weights (scale 0: the same session and image)', async () => {
    const replaced = await imageOf(graphWith(WEIGHTS))
    const creates = host.sessions.stats.creates
    const zero = await imageOf(graphWith(WEIGHTS, [], 0))
    expect(host.sessions.stats.creates).toBe(creates)
    expect(maxAbsDiff(zero.pixels, replaced.pixels)).toBe(0)
    const full = await imageOf(graphWith(WEIGHTS, [], 1))
    expect(maxAbsDiff(full.pixels, replaced.pixels)).toBeGreaterThan(2)
    expect(full.parameters['lora_1']).toBe(`${SGM_LORA}:1:live`)
  })

  it('names the node and input for a missing or ComfyUI-layout file, and refuses weights of another model with counts', async () => {
    await expect(host.engine.run(graphWith(join(dir, 'missing.safetensors')))).rejects.toThrow(
      /node 11 \(UNetWeights\), input "weights": weights file not found: .*missing\.safetensors/,
    )
    const ldm = join(dir, 'Hyper-SDXL-1step-Unet-Comfyui.fp16.safetensors')
    writeFileSync(ldm, encodeSafetensors([{ name: 'model.diffusion_model.input_blocks.0.0.weight', dtype: 'F16', shape: [2], data: new Uint8Array(4) }]))
    await expect(host.engine.run(graphWith(ldm))).rejects.toThrow(/node 11 \(UNetWeights\), input "weights": .*ComfyUI\/LDM UNet layout/)
    const sd15 = torchStateDict(loadUNet('tiny-sd15'))
    const wrong = join(dir, 'tiny-sd15.safetensors')
    writeFileSync(wrong, changedStateDict(sd15, seededChanges(sd15, 1)))
    await expect(host.engine.run(graphWith(wrong))).rejects.toThrow(
      new RegExp(`tiny-sd15\\.safetensors: \\d+ of ${sd15.length} tensors have other shapes than in unet/model\\.onnx`),
    )
  })

  it('is how the Hyper-SDXL 1-step UNet preset graph loads the SDXL base and the Hyper-SD file', () => {
    const preset = hyperSdPresets().find((p) => p.file.path === 'Hyper-SDXL-1step-Unet.safetensors')!
    const graph = shippedGraph(preset.graph)
    const inputs = (type: string) => graph.nodes.filter((n) => n.type === type).map((n) => n.inputs)
    expect(inputs('LoadPipeline')).toEqual([{ model: preset.base.repo }])
    expect(inputs('UNetWeights')).toEqual([{ unet: link('1', 'unet'), weights: hubFileName(preset.file) }])
    expect(inputs('TSCDSampler')).toEqual([expect.objectContaining({ model: link('11', 'unet'), steps: 1, scheduler: 'lcm-800', timesteps: '800' })])
  })
})
