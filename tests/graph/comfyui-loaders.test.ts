// ComfyUI loader nodes on import: checkpoints (the Hyper-SDXL 1-step UNet checkpoint as pipeline + UNet Weights),
// UNETLoader, CLIPLoader, DualCLIPLoader, VAELoader, LoRA loaders with model and CLIP strengths; seeds, primitives,
// reroutes, groups and notes. Fixtures are written from ComfyUI's documented formats (UI 0.4, UI schema 1, API prompt).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { toExecGraph } from '../../src/graph/exec.js'
import { decodePng } from '../../src/graph/png.js'
import { createTestHost, ROOT } from '../helpers/tiny-host.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'

const read = (name: string): string => readFileSync(new URL(`./fixtures/comfyui/${name}`, import.meta.url), 'utf8')
const shipped = (name: string): GraphFile => parseGraphFile(readFileSync(new URL(`../../graphs/${name}`, import.meta.url), 'utf8'), name)

function node(graph: GraphFile, id: string): GraphNode {
  const found = graph.nodes.find((n) => n.id === id)
  if (!found) throw new Error(`no node ${id} in ${graph.nodes.map((n) => n.id).join(', ')}`)
  return found
}

const SDXL = 'stabilityai/stable-diffusion-xl-base-1.0'
const HYPER_UNET = 'ByteDance/Hyper-SD/Hyper-SDXL-1step-Unet.safetensors'

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>
const importPrompt = (prompt: Prompt) => importComfyUI(JSON.stringify(prompt), 'test.json')

describe('the Hyper-SDXL 1-step UNet checkpoint (CheckpointLoaderSimple)', () => {
  const { graph, report } = importComfyUI(read('loaders-sdxl-checkpoint.prompt.json'), 'ckpt.json')

  it('becomes SDXL base with its UNet weights replaced, as the shipped 1-step UNet graph loads it', () => {
    const reference = shipped('hyper-sdxl-1step-unet.json')
    const refPipeline = reference.nodes.find((n) => n.type === 'LoadPipeline')!
    const refWeights = reference.nodes.find((n) => n.type === 'UNetWeights')!
    expect(node(graph, '1')).toMatchObject({ type: 'LoadPipeline', inputs: { model: refPipeline.inputs['model'] } })
    expect(node(graph, '8')).toMatchObject({ type: 'UNetWeights', inputs: { unet: { from: ['1', 'unet'] }, weights: refWeights.inputs['weights'] } })
    expect(refWeights.inputs['weights']).toBe(HYPER_UNET)
    expect(refPipeline.inputs['model']).toBe(SDXL)
  })

  it('feeds the sampler the replaced UNet, and the prompts and decoder the pipeline itself', () => {
    expect(node(graph, '5').inputs['model']).toEqual({ from: ['8', 'unet'] })
    expect(node(graph, '2').inputs['clip']).toEqual({ from: ['1', 'clip'] })
    expect(node(graph, '6').inputs['vae']).toEqual({ from: ['1', 'vae'] })
    expect(graph.nodes.map((n) => n.id)).toEqual(['1', '8', '2', '3', '4', '5', '6', '7'])
  })

  it('says what it loaded in place of the ComfyUI file', () => {
    expect(report.warnings).toContain(
      `node 1 (CheckpointLoaderSimple): checkpoint "Hyper-SDXL-1step-Unet-Comfyui.fp16.safetensors" is SDXL with the Hyper-SDXL 1-step UNet: loaded as pipeline "${SDXL}" whose UNet weights are replaced by "${HYPER_UNET}" (the same UNet in the diffusers layout) in node 8`,
    )
  })

  it('feeds a LoRA after it the replaced UNet, in both of the LoRA\'s nodes', () => {
    const { graph: g } = importPrompt({
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'Hyper-SDXL-1step-Unet-Comfyui.fp16.safetensors' } },
      '2': { class_type: 'LoraLoader', inputs: { lora_name: 'style.safetensors', strength_model: 1, strength_clip: 0.5, model: ['1', 0], clip: ['1', 1] } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['2', 1] } },
    })
    // ids after the highest (3): the checkpoint's UNet Weights, then the LoRA's text-encoder node
    expect(node(g, '4')).toMatchObject({ type: 'UNetWeights', inputs: { unet: { from: ['1', 'unet'] } } })
    expect(node(g, '2').inputs['unet']).toEqual({ from: ['4', 'unet'] })
    expect(node(g, '5').inputs).toMatchObject({ unet: { from: ['4', 'unet'] }, clip: { from: ['1', 'clip'] }, scale: 0.5 })
    expect(node(g, '3').inputs['clip']).toEqual({ from: ['5', 'clip'] })
  })

  it('survives a save and load, and gives every part of a muted loader its mode', () => {
    expect(parseGraphFile(serializeGraphFile(graph))).toEqual(graph)
    const doc = JSON.parse(read('loaders-sdxl-unet.workflow.json')) as { nodes: { type: string; mode: number }[] }
    doc.nodes.find((n) => n.type === 'UNETLoader')!.mode = 2
    const muted = importComfyUI(JSON.stringify(doc)).graph
    expect([node(muted, '1').mode, node(muted, '13').mode]).toEqual(['mute', 'mute'])
  })
})

describe('UNETLoader, DualCLIPLoader and VAELoader (UI workflow schema 1)', () => {
  const { graph, report } = importComfyUI(read('loaders-sdxl-unet.workflow.json'), 'unet.json')

  it('loads the Hyper-SDXL UNet as UNet Weights over SDXL base, in the diffusers layout', () => {
    expect(node(graph, '1')).toMatchObject({ type: 'UNetWeights', inputs: { unet: { from: ['13', 'unet'] }, weights: HYPER_UNET } })
    expect(node(graph, '13')).toMatchObject({ type: 'LoadPipeline', inputs: { model: SDXL } })
    expect(node(graph, '6').inputs['model']).toEqual({ from: ['1', 'unet'] })
    expect(report.warnings[0]).toBe(
      `node 1 (UNETLoader): UNet "Hyper-SDXL-1step-Unet-Comfyui.fp16.safetensors" is the Hyper-SDXL 1-step UNet: read as "${HYPER_UNET}", the same UNet in the diffusers layout that UNet Weights needs; it replaces the UNet weights of pipeline "${SDXL}" (node 13)`,
    )
  })

  it('takes the text encoders and the VAE from the same pipeline, and reports the files ComfyUI loaded on their own', () => {
    expect(node(graph, '2')).toMatchObject({ type: 'LoadPipeline', inputs: { model: SDXL } })
    expect(node(graph, '3')).toMatchObject({ type: 'LoadPipeline', inputs: { model: SDXL } })
    expect(node(graph, '4').inputs['clip']).toEqual({ from: ['2', 'clip'] })
    expect(node(graph, '9').inputs['clip']).toEqual({ from: ['2', 'clip'] })
    // through the reroute
    expect(node(graph, '7').inputs['vae']).toEqual({ from: ['3', 'vae'] })
    expect(report.warnings).toContain(
      `node 2 (DualCLIPLoader): "clip_l.safetensors" + "clip_g.safetensors" were loaded on their own in ComfyUI; our loaders read whole pipeline folders, so the text encoders of pipeline "${SDXL}" (the workflow's pipeline, from node 1) are used instead`,
    )
    expect(report.warnings).toContain(
      `node 3 (VAELoader): "sdxl_vae.safetensors" was loaded on its own in ComfyUI; our loaders read whole pipeline folders, so the VAE decoder of pipeline "${SDXL}" (the workflow's pipeline, from node 1) is used instead`,
    )
  })

  it('resolves the primitive seed with its control, the reroute, and keeps the note, the group and the layout', () => {
    expect(node(graph, '6').inputs['seed']).toBe(1234)
    expect(graph.layout?.nodes?.['6']?.controls).toEqual({ seed: 'increment' })
    expect(report.folded).toEqual(['node 11 (Reroute): folded into the links through it, kept as a reroute point on them', 'node 12 (PrimitiveNode): value folded into the inputs it feeds'])
    expect(graph.layout?.reroutes).toEqual([{ id: 1, pos: [857.5, 470] }])
    expect(graph.layout?.nodes?.['7']?.reroutes).toEqual({ vae: 1 })
    expect(node(graph, '10')).toMatchObject({ type: 'Note', inputs: { text: 'Hyper-SDXL 1-step UNet: UNETLoader + DualCLIPLoader + VAELoader.' } })
    expect(graph.layout?.groups).toEqual([{ title: 'Loaders', bounding: [0, 0, 360, 500], color: '#3f789e', fontSize: 24 }])
    expect(graph.nodes.some((n) => n.type === 'Reroute' || n.type === 'PrimitiveNode')).toBe(false)
    // the extra pipeline node sits below its UNet loader
    expect(graph.layout?.nodes?.['1']?.pos).toEqual([20, 40])
    expect(graph.layout?.nodes?.['13']?.pos).toEqual([20, 180])
  })

  it('puts a UNet over the workflow checkpoint\'s pipeline, and reports a weight dtype it cannot honour', () => {
    const { graph: g, report: r } = importPrompt({
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
      '2': { class_type: 'UNETLoader', inputs: { unet_name: 'finetunes\\my-unet.safetensors', weight_dtype: 'fp8_e4m3fn' } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['1', 1] } },
    })
    expect(node(g, '2')).toMatchObject({ type: 'UNetWeights', inputs: { unet: { from: ['1', 'unet'] }, weights: 'unet/finetunes/my-unet.safetensors' } })
    expect(r.warnings).toContain('node 2 (UNETLoader): weight_dtype "fp8_e4m3fn" has no equivalent; the weights run in the pipeline\'s own precision')
    expect(r.warnings).toContain(
      'node 2 (UNETLoader): UNet "finetunes\\my-unet.safetensors" is looked up as "unet/finetunes/my-unet.safetensors" in the models folder and must be a diffusers-layout UNet state dict (CLI: --model unet/finetunes/my-unet.safetensors=PATH); it replaces the UNet weights of node 1\'s pipeline',
    )
  })

  it('loads an unknown UNet with no checkpoint as the pipeline named after it', () => {
    const { graph: g } = importPrompt({ '1': { class_type: 'UNETLoader', inputs: { unet_name: 'other.safetensors', weight_dtype: 'default' } } })
    expect(g.nodes).toEqual([{ id: '1', type: 'LoadPipeline', version: 1, inputs: { model: 'other' } }])
  })

  it('names a CLIP or VAE loader\'s pipeline after its file when the workflow says nothing, and flags CLIP types we do not hold', () => {
    const { graph: g, report: r } = importPrompt({
      '1': { class_type: 'CLIPLoader', inputs: { clip_name: 't5xxl.safetensors', type: 'sd3', device: 'default' } },
      '2': { class_type: 'VAELoader', inputs: { vae_name: 'my-vae.safetensors' } },
      '3': { class_type: 'DualCLIPLoader', inputs: { clip_name1: 'a.safetensors', clip_name2: 'b.safetensors', type: 'flux' } },
    })
    expect(node(g, '1').inputs).toEqual({ model: 't5xxl' })
    expect(node(g, '2').inputs).toEqual({ model: 'my-vae' })
    expect(node(g, '3').inputs).toEqual({ model: 'a' })
    expect(r.warnings).toContain('node 1 (CLIPLoader): type "sd3" is not an SD1.5 or SDXL text encoder, which is all our pipelines hold')
    expect(r.warnings).toContain('node 3 (DualCLIPLoader): type "flux" is not an SD1.5 or SDXL text encoder, which is all our pipelines hold')
    expect(r.warnings).toContain(
      'node 2 (VAELoader): "my-vae.safetensors" was loaded on its own in ComfyUI; our loaders read whole pipeline folders, so the VAE decoder of pipeline "my-vae", an ONNX export folder (CLI: --model my-vae=PATH) is used instead',
    )
  })
})

describe('LoRA loaders (UI workflow 0.4)', () => {
  const { graph, report } = importComfyUI(read('loaders-sd15-lora.workflow.json'), 'lora.json')

  it('gives the UNet strength_model and the text encoder strength_clip through a second LoRA node', () => {
    expect(node(graph, '2').inputs).toEqual({ unet: { from: ['1', 'unet'] }, lora: 'loras/Hyper-SD15-4steps-lora.safetensors', scale: 1 })
    expect(node(graph, '12')).toMatchObject({
      type: 'UNetLoRA',
      inputs: { unet: { from: ['1', 'unet'] }, clip: { from: ['1', 'clip'] }, lora: 'loras/Hyper-SD15-4steps-lora.safetensors', scale: 0.5 },
    })
    // the CLIP output comes from the second node; the MODEL output from the first
    expect(node(graph, '6').inputs['clip']).toEqual({ from: ['12', 'clip'] })
    expect(node(graph, '3').inputs).toEqual({ unet: { from: ['2', 'unet'] }, lora: 'loras/Hyper-SD15-4steps-lora.safetensors', scale: 0.25 })
    expect(node(graph, '9').inputs['model']).toEqual({ from: ['3', 'unet'] })
    expect(report.warnings).toContain('node 2 (LoraLoader): strength_clip 0.5 differs from strength_model 1: the CLIP output comes from a second UNet + LoRA (node 12) at scale 0.5')
  })

  it('keeps one node when the strengths agree or no CLIP is connected', () => {
    const base = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'm.safetensors' } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['2', 1] } },
    }
    const same = importPrompt({ ...base, '2': { class_type: 'LoraLoader', inputs: { lora_name: 'l.safetensors', strength_model: 0.7, strength_clip: 0.7, model: ['1', 0], clip: ['1', 1] } } })
    expect(same.graph.nodes.map((n) => n.id)).toEqual(['1', '2', '3'])
    expect(node(same.graph, '2').inputs).toEqual({ unet: { from: ['1', 'unet'] }, clip: { from: ['1', 'clip'] }, lora: 'loras/l.safetensors', scale: 0.7 })
    expect(node(same.graph, '3').inputs['clip']).toEqual({ from: ['2', 'clip'] })
    const noClip = importPrompt({ '1': base['1'], '2': { class_type: 'LoraLoader', inputs: { lora_name: 'l.safetensors', strength_model: 1, strength_clip: 0, model: ['1', 0] } } })
    expect(noClip.graph.nodes.map((n) => n.id)).toEqual(['1', '2'])
  })

  it('takes the SD1.5 checkpoint\'s pipeline for the CLIP and VAE loaded on their own, with the seed control of the sampler', () => {
    expect(node(graph, '1').inputs).toEqual({ model: 'SD15/v1-5-pruned-emaonly' })
    expect(node(graph, '4').inputs).toEqual({ model: 'SD15/v1-5-pruned-emaonly' })
    expect(node(graph, '5').inputs).toEqual({ model: 'SD15/v1-5-pruned-emaonly' })
    expect(node(graph, '7').inputs['clip']).toEqual({ from: ['4', 'clip'] })
    expect(node(graph, '10').inputs['vae']).toEqual({ from: ['5', 'vae'] })
    expect(node(graph, '9').inputs['seed']).toBe(42)
    expect(graph.layout?.nodes?.['9']?.controls).toEqual({ seed: 'fixed' })
  })
})

describe('LoRA strengths on the tiny SD1.5 model', () => {
  const host = createTestHost(
    new Map([
      ['SD15/v1-5-pruned-emaonly', join(ROOT, 'public', 'models', 'tiny-sd15')],
      // this LoRA has text-encoder keys (lora_te_*), so strength_clip changes the prompt's conditioning
      ['loras/Hyper-SD15-4steps-lora.safetensors', join(ROOT, 'public', 'models', 'loras', 'tiny-hyper-sd15-4step-kohya.safetensors')],
    ]),
  )
  afterAll(() => host.dispose())

  /** The fixture with the first LoRA's strengths set, imported; `edit` may change the graph before the run. */
  async function pixels(model: number, clip: number, edit: (g: GraphFile) => GraphFile = (g) => g): Promise<Uint8ClampedArray> {
    const doc = JSON.parse(read('loaders-sd15-lora.workflow.json')) as { nodes: { type: string; widgets_values: unknown[] }[] }
    doc.nodes.find((n) => n.type === 'LoraLoader')!.widgets_values = ['Hyper-SD15-4steps-lora.safetensors', model, clip]
    const before = host.images.length
    await host.engine.run(toExecGraph(edit(importComfyUI(JSON.stringify(doc)).graph)))
    return decodePng(host.images[before]!.pngs[0]!).data
  }

  it('applies strength_model to the UNet and strength_clip to the text encoder, each on its own', async () => {
    const both = await pixels(1, 1)
    const half = await pixels(1, 0.5)
    const none = await pixels(1, 0)
    // strength_clip 0 is the LoRA on the UNet alone: the prompts read the checkpoint's own text encoder
    const unetOnly = await pixels(1, 1, (g) => ({
      ...g,
      nodes: g.nodes.map((n) => {
        if (n.id === '2') return { ...n, inputs: { unet: n.inputs['unet']!, lora: n.inputs['lora']!, scale: 1 } }
        return n.id === '6' ? { ...n, inputs: { ...n.inputs, clip: { from: ['1', 'clip'] } } } : n
      }),
    }))
    expect(Buffer.from(none).equals(Buffer.from(unetOnly))).toBe(true)
    expect(Buffer.from(half).equals(Buffer.from(both))).toBe(false)
    expect(Buffer.from(half).equals(Buffer.from(none))).toBe(false)
  })
})
