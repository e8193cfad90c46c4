// Export to ComfyUI: the nodes each of ours becomes, the workflow's wiring, the warnings where ComfyUI would run
// something else, and the import preferring properties.hypersd only while ComfyUI left the node as exported.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NodeRegistry } from '../../src/engine/index.js'
import { comfySimpleTimesteps, trailingTimesteps } from '../../src/graph/comfyui-export-sampler.js'
import { exportComfyPrompt, exportComfyWorkflow } from '../../src/graph/comfyui-export.js'
import { importComfyDocument, importComfyUI } from '../../src/graph/comfyui.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import type { JsonValue } from '../../src/graph/safe-json.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { runCli } from '../cli/run-cli.js'

const registry = new NodeRegistry(nodeDefinitions)
const describeType = (type: string) => registry.get(type)

function graphFile(name: string): GraphFile {
  return parseGraphFile(readFileSync(new URL(`../../graphs/${name}`, import.meta.url), 'utf8'), name)
}

interface UiNode { id: number; type: string; mode: number; inputs: { name: string; link: number | null }[]; outputs: { links: number[] }[]; widgets_values: JsonValue; properties: Record<string, JsonValue>; pos: number[] }
type UiLink = [number, number, number, number, number, string]
interface Ui { nodes: UiNode[]; links: UiLink[]; groups: JsonValue[]; extra: { ds: JsonValue }; version: number; last_node_id: number; last_link_id: number }

function ui(graph: GraphFile): { doc: Ui; warnings: readonly string[] } {
  const { document, warnings } = exportComfyWorkflow(graph, { describe: describeType })
  return { doc: JSON.parse(JSON.stringify(document)) as Ui, warnings }
}

function sampler(graph: GraphFile, inputs: Record<string, string | number>): GraphFile {
  return { ...graph, nodes: graph.nodes.map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: { ...n.inputs, ...inputs } } : n)) }
}

/** The node an input of `node` is linked from, and the output slot. */
function origin(doc: Ui, node: UiNode, input: string): [UiNode, number] {
  const id = node.inputs.find((i) => i.name === input)?.link
  const link = doc.links.find((l) => l[0] === id)
  if (!link) throw new Error(`node ${node.id} input ${input} is not linked`)
  return [doc.nodes.find((n) => n.id === link[1])!, link[2]]
}

const byType = (doc: Ui, type: string): UiNode => doc.nodes.find((n) => n.type === type)!

describe('export to a ComfyUI workflow', () => {
  it('writes the N-step LoRA graph as CheckpointLoaderSimple -> LoraLoader -> KSampler "ddim" "simple"', () => {
    const { doc } = ui(graphFile('tiny-sd15-lora-4step.json'))
    expect(doc.version).toBe(0.4)
    expect(byType(doc, 'CheckpointLoaderSimple').widgets_values).toEqual(['tiny-sd15'])
    expect(byType(doc, 'LoraLoader').widgets_values).toEqual(['tiny-hyper-sd15-4step-kohya.safetensors', 1, 1])
    const ksampler = byType(doc, 'KSampler')
    expect(ksampler.widgets_values).toEqual([42, 'fixed', 4, 1, 'ddim', 'simple', 1])
    expect(origin(doc, ksampler, 'model')[0].type).toBe('LoraLoader')
    expect(origin(doc, ksampler, 'latent_image')[0].type).toBe('EmptyLatentImage')
    // ComfyUI's KSampler needs a negative: an empty prompt on the same text encoder as the positive one.
    const [negative] = origin(doc, ksampler, 'negative')
    expect(negative.type).toBe('CLIPTextEncode')
    expect(negative.widgets_values).toEqual([''])
    expect(origin(doc, negative, 'clip')[0].type).toBe('LoraLoader')
    expect(byType(doc, 'EmptyLatentImage').widgets_values).toEqual([256, 256, 1])
    expect(origin(doc, byType(doc, 'VAEDecode'), 'vae')).toEqual([byType(doc, 'CheckpointLoaderSimple'), 2])
  })

  it('keeps links consistent both ways, and ids, layout, groups and viewport', () => {
    const graph = graphFile('hyper-sd15-1step.json')
    const { doc } = ui(graph)
    for (const [id, from, slot, to, toSlot] of doc.links) {
      expect(doc.nodes.find((n) => n.id === to)!.inputs[toSlot]!.link).toBe(id)
      expect(doc.nodes.find((n) => n.id === from)!.outputs[slot]!.links).toContain(id)
    }
    expect(doc.last_link_id).toBe(doc.links.length)
    expect(doc.last_node_id).toBe(Math.max(...doc.nodes.map((n) => n.id)))
    expect(doc.nodes.find((n) => n.id === 9)!.pos).toEqual([40, 240])
    expect(doc.groups).toEqual([{ title: graph.layout!.groups![0]!.title, bounding: [20, 20, 1540, 660], color: '#3f789e', flags: {} }])
    expect(doc.extra.ds).toEqual({ scale: 0.8, offset: [0, 0] })
  })

  it('writes TCD as TCDModelSamplingDiscrete feeding SamplerCustom its model, sampler and sigmas', () => {
    const { doc } = ui(graphFile('shapes-unified-tcd.json'))
    const custom = byType(doc, 'SamplerCustom')
    const tcd = byType(doc, 'TCDModelSamplingDiscrete')
    expect(tcd.widgets_values).toEqual([4, 'simple', 1, 0.5])
    expect(origin(doc, custom, 'model')).toEqual([tcd, 0])
    expect(origin(doc, custom, 'sampler')).toEqual([tcd, 1])
    expect(origin(doc, custom, 'sigmas')).toEqual([tcd, 2])
    expect(origin(doc, tcd, 'model')[0].type).toBe('LoraLoader')
    expect(custom.widgets_values).toEqual([true, 42, 'fixed', 1])
    // No counterpart: our type name, our slots, and what it was in properties.
    const scene = byType(doc, 'SceneScore')
    expect(scene.properties['hypersd']).toMatchObject({ type: 'SceneScore', inputs: { caption: '' } })
    expect(origin(doc, byType(doc, 'SaveImage'), 'images')[0]).toBe(scene)
  })

  it('writes LCM from t=800 as HyperSDXL1StepUnetScheduler + KSamplerSelect "lcm" + SamplerCustom, and the UNet as UNETLoader', () => {
    const { doc } = ui(graphFile('hyper-sdxl-1step-unet.json'))
    const custom = byType(doc, 'SamplerCustom')
    expect(origin(doc, custom, 'sigmas')[0].type).toBe('HyperSDXL1StepUnetScheduler')
    expect(origin(doc, custom, 'sigmas')[0].widgets_values).toEqual([1])
    expect(origin(doc, custom, 'sampler')[0].widgets_values).toEqual(['lcm'])
    expect(origin(doc, custom, 'model')[0].type).toBe('UNETLoader')
    expect(byType(doc, 'UNETLoader').widgets_values).toEqual(['Hyper-SDXL-1step-Unet.safetensors', 'default'])
  })

  it('says where ComfyUI would run another schedule, with the numbers', () => {
    expect(trailingTimesteps(4)).toEqual([999, 749, 499, 249])
    expect(comfySimpleTimesteps(4)).toEqual([999, 749, 499, 249])
    expect(trailingTimesteps(3)).toEqual([999, 666, 332])
    expect(comfySimpleTimesteps(3)).toEqual([999, 666, 333])
    const { warnings } = ui(sampler(graphFile('tiny-sd15-4step.json'), { steps: 3, timesteps: '' }))
    expect(warnings).toContain('node 4 (TSCDSampler): ComfyUI\'s "simple" schedule at 3 steps runs timesteps 999, 666, 333; ours 999, 666, 332 (differ by up to 1)')
    const custom = ui(sampler(graphFile('tiny-sd15-4step.json'), { timesteps: '999,500' })).warnings
    expect(custom.some((w) => w.includes('custom timesteps "999,500" cannot be set on KSampler'))).toBe(true)
    expect(ui(graphFile('tiny-sd15-4step.json')).warnings.some((w) => w.includes('sigma 0.0292'))).toBe(true)
  })

  it('exports the DDPM preset as KSampler "ddpm" and imports it back to the same preset', () => {
    const graph = sampler(graphFile('shapes-teacher.json'), { scheduler: 'ddpm-trailing-cfg', cfg: 3.5 })
    const { doc, warnings } = ui(graph)
    expect(byType(doc, 'KSampler').widgets_values).toEqual(expect.arrayContaining(['ddpm', 'simple', 3.5]))
    expect(warnings.some((w) => w.includes('ComfyUI\'s "ddpm" takes the last step to sigma 0'))).toBe(true)
    const stepsChanged = (values: unknown) => (Array.isArray(values) ? values.map((v: unknown) => (v === 25 ? 24 : v)) : values)
    const edited = { ...doc, nodes: doc.nodes.map((n) => (n.type === 'KSampler' ? { ...n, widgets_values: stepsChanged(n.widgets_values) } : n)) }
    const back = importComfyDocument(edited as unknown as JsonValue)
    expect(back.graph.nodes.find((n) => n.type === 'TSCDSampler')!.inputs).toMatchObject({ scheduler: 'ddpm-trailing-cfg', steps: 24 })
  })

  it('maps bypass and mute to ComfyUI modes 4 and 2; a prompt leaves muted nodes out and passes links through bypassed ones', () => {
    const graph = graphFile('tiny-sd15-lora-4step.json')
    const modes: GraphFile = { ...graph, nodes: graph.nodes.map((n) => (n.id === '9' ? { ...n, mode: 'bypass' as const } : n.id === '7' ? { ...n, mode: 'mute' as const } : n)) }
    const { doc } = ui(modes)
    expect(doc.nodes.find((n) => n.id === 9)!.mode).toBe(4)
    expect(doc.nodes.find((n) => n.id === 7)!.mode).toBe(2)
    const prompt = exportComfyPrompt(modes).document
    expect(prompt['9']).toBeUndefined()
    // The bypassed LoRA passes the checkpoint's MODEL and CLIP on.
    expect(prompt['4']!.inputs['model']).toEqual(['1', 0])
    expect(prompt['2']!.inputs['clip']).toEqual(['1', 1])
    expect(prompt['4']!.inputs).toMatchObject({ seed: 42, steps: 4, cfg: 1, sampler_name: 'ddim', scheduler: 'simple', denoise: 1 })
    expect(prompt['4']!.inputs['control_after_generate']).toBeUndefined()
  })
})

describe('import of an exported workflow', () => {
  it('prefers properties.hypersd while the node is as exported, and translates it once edited in ComfyUI', () => {
    const graph = sampler(graphFile('tiny-sd15-4step.json'), { guidance_rescale: 0.5 })
    const doc = ui(graph).doc
    const exact = importComfyDocument(doc as unknown as JsonValue).graph.nodes.find((n) => n.id === '4')!
    expect(exact.inputs['guidance_rescale']).toBe(0.5)
    // Steps changed in ComfyUI: the widget values differ from those exported, so ComfyUI's values are what count.
    byType(doc, 'KSampler').widgets_values = [42, 'fixed', 6, 1, 'ddim', 'simple', 1]
    const edited = importComfyDocument(doc as unknown as JsonValue).graph.nodes.find((n) => n.id === '4')!
    expect(edited.inputs['steps']).toBe(6)
    expect(edited.inputs['guidance_rescale']).toBeUndefined()
  })

  it('translates a node whose links were changed in ComfyUI', () => {
    const doc = ui(graphFile('tiny-sd15-4step.json')).doc
    const ksampler = byType(doc, 'KSampler')
    // Positive and negative swapped in ComfyUI.
    const positive = ksampler.inputs.find((i) => i.name === 'positive')!
    const negative = ksampler.inputs.find((i) => i.name === 'negative')!
    ;[positive.link, negative.link] = [negative.link, positive.link]
    for (const link of doc.links) if (link[3] === ksampler.id) link[4] = ksampler.inputs.findIndex((i) => i.link === link[0])
    const node = importComfyDocument(doc as unknown as JsonValue).graph.nodes.find((n) => n.id === '4')!
    expect(node.inputs['negative']).toEqual({ from: ['2', 'conditioning'] })
  })

  it('numbers ids ComfyUI cannot take, and keeps links ComfyUI has no socket for (the pipeline under a UNETLoader)', () => {
    const graph = graphFile('hyper-sdxl-1step-unet.json')
    const rename = (id: string): string => (id === '1' ? 'base' : id === '11' ? 'unet-weights' : id)
    const renamed: GraphFile = JSON.parse(JSON.stringify(graph, (key, value: unknown) => (key === 'id' && typeof value === 'string' ? rename(value) : value))) as GraphFile
    for (const node of renamed.nodes) for (const value of Object.values(node.inputs)) if (typeof value === 'object' && value) value.from[0] = rename(value.from[0])
    const { doc } = ui(renamed)
    const checkpoint = byType(doc, 'CheckpointLoaderSimple')
    // Numbered after the largest numeric id (7), in the graph's order.
    expect([checkpoint.id, byType(doc, 'UNETLoader').id]).toEqual([8, 9])
    const back = importComfyDocument(doc as unknown as JsonValue).graph
    const weights = back.nodes.find((n) => n.type === 'UNetWeights')!
    expect(weights.inputs).toEqual({ weights: 'ByteDance/Hyper-SD/Hyper-SDXL-1step-Unet.safetensors', unet: { from: [String(checkpoint.id), 'unet'] } })
    expect(back.nodes.find((n) => n.type === 'TSCDSampler')!.inputs['model']).toEqual({ from: [String(byType(doc, 'UNETLoader').id), 'unet'] })
  })

  it('gives an imported KSampler "lcm" its ComfyUI schedule back (the one whose timesteps our import ran)', () => {
    const imported = importComfyUI(readFileSync(new URL('./fixtures/comfyui/sched-ksampler-lcm.prompt.json', import.meta.url), 'utf8')).graph
    const { doc } = ui(imported)
    expect(byType(doc, 'KSampler').widgets_values).toEqual([7, 'fixed', 4, 1, 'lcm', 'sgm_uniform', 1])
  })

  it('writes a placeholder from an earlier import back as the ComfyUI node it was', () => {
    const imported = importComfyUI(readFileSync(new URL('./fixtures/comfyui/default-lora-note.workflow.json', import.meta.url), 'utf8')).graph
    const placeholder = imported.nodes.find((n) => n.placeholder)!
    const { doc } = ui(imported)
    const written = doc.nodes.find((n) => String(n.id) === placeholder.id)!
    expect(written.type).toBe(placeholder.type)
    expect(written.widgets_values).toEqual(placeholder.placeholder!.widgets)
    expect(written.properties['hypersd']).toBeUndefined()
  })
})

describe('hypersd export --comfyui', () => {
  it('writes a workflow that `hypersd import` turns back into the graph, warnings on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-export-'))
    try {
      const out = join(dir, 'tcd.comfyui.json')
      const exported = runCli(['export', '--comfyui', 'graphs/shapes-unified-tcd.json', '--out', out])
      expect(exported.code).toBe(0)
      expect(exported.stderr).toContain('note: node 8 (SceneScore): SceneScore has no ComfyUI counterpart')
      const doc = JSON.parse(readFileSync(out, 'utf8')) as Ui
      expect(doc.nodes.map((n) => n.type)).toContain('TCDModelSamplingDiscrete')
      const back = runCli(['import', out])
      expect(back.code).toBe(0)
      const graph = JSON.parse(back.stdout) as GraphFile
      expect(graph.nodes.find((n) => n.id === '4')!.inputs).toMatchObject({ scheduler: 'tcd', eta: 0.5, steps: 4, model: { from: ['9', 'unet'] } })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('with --api writes an API prompt (to stdout without --out) that imports back into the graph', () => {
    const exported = runCli(['export', '--comfyui', '--api', 'graphs/hyper-sdxl-1step-unet.json'])
    expect(exported.code, exported.stderr).toBe(0)
    const prompt = JSON.parse(exported.stdout) as Record<string, { class_type: string; inputs: Record<string, JsonValue> }>
    // A prompt is keyed by node id, with class_type and inputs, and no UI workflow fields.
    expect(Object.hasOwn(prompt, 'nodes')).toBe(false)
    expect(Object.values(prompt).map((n) => n.class_type)).toEqual(expect.arrayContaining(['UNETLoader', 'HyperSDXL1StepUnetScheduler', 'KSamplerSelect', 'SamplerCustom']))
    const original = graphFile('hyper-sdxl-1step-unet.json')
    const back = importComfyUI(exported.stdout, 'prompt.json').graph
    const samplerOf = (g: GraphFile) => g.nodes.find((n) => n.type === 'TSCDSampler')!.inputs
    expect(samplerOf(back)).toEqual(samplerOf(original))
  })
})
