import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { importComfyUI, schedulerPreset } from '../../src/graph/comfyui.js'
import { GraphFileError, parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'

const read = (name: string): string => readFileSync(new URL(`./fixtures/comfyui/${name}`, import.meta.url), 'utf8')
const workflowText = read('default-lora-note.workflow.json')
const promptText = read('hyper-sd-lcm.prompt.json')

function node(graph: GraphFile, id: string): GraphNode {
  const found = graph.nodes.find((n) => n.id === id)
  if (!found) throw new Error(`no node ${id}`)
  return found
}

describe('ComfyUI UI workflow 0.4', () => {
  const { graph, report, format } = importComfyUI(workflowText, 'default.json')

  it('maps the standard nodes to ours with named inputs and links', () => {
    expect(format).toBe('workflow')
    expect(graph.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      '7:CLIPTextEncode', '6:CLIPTextEncode', '5:EmptyLatent', '3:TSCDSampler', '8:VAEDecode', '9:SaveImage',
      '4:LoadPipeline', '10:UNetLoRA', '17:UNetLoRA', '11:Note', '12:UpscaleModelLoader', '13:ImageUpscaleWithModel', '14:SaveImage',
    ])
    expect(node(graph, '4').inputs).toEqual({ model: 'v1-5-pruned-emaonly' })
    expect(node(graph, '10').inputs).toEqual({
      unet: { from: ['4', 'unet'] },
      lora: 'loras/Hyper-SD15-8steps-lora.safetensors',
      scale: 1,
    })
    // strength_clip 0.8 differs from strength_model 1: the CLIP output comes from a second LoRA node at 0.8
    expect(node(graph, '17').inputs).toEqual({
      unet: { from: ['4', 'unet'] },
      clip: { from: ['4', 'clip'] },
      lora: 'loras/Hyper-SD15-8steps-lora.safetensors',
      scale: 0.8,
    })
    expect(node(graph, '6')).toEqual({
      id: '6',
      type: 'CLIPTextEncode',
      // Version 2 with ComfyUI's prompt syntax (emphasis weights, long prompts).
      version: 2,
      title: 'Positive prompt',
      inputs: { clip: { from: ['17', 'clip'] }, text: 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,', syntax: 'comfyui' },
    })
    expect(node(graph, '7').inputs).toEqual({ clip: { from: ['17', 'clip'] }, text: 'text, watermark', syntax: 'comfyui' })
    expect(node(graph, '5').inputs).toEqual({ width: 512, height: 512, batch: 1 })
    expect(node(graph, '3').inputs).toEqual({
      model: { from: ['10', 'unet'] },
      positive: { from: ['6', 'conditioning'] },
      negative: { from: ['7', 'conditioning'] },
      latent: { from: ['5', 'latent'] },
      seed: 42, // from the PrimitiveNode feeding the seed widget
      cfg: 1,
      steps: 8,
      scheduler: 'euler-trailing',
      // ComfyUI's "normal" schedule for 8 steps, as custom sigmas (its timesteps are not whole numbers)
      sigmas: '14.61464,6.6779995,3.5220563,2.0606415,1.2768321,0.7912598,0.43966573,0.02916716,0',
    })
    // the VAE arrives through a Reroute node
    expect(node(graph, '8').inputs).toEqual({ vae: { from: ['4', 'vae'] }, latent: { from: ['3', 'latent'] } })
    expect(node(graph, '9').inputs).toEqual({ image: { from: ['8', 'image'] }, filename_prefix: 'ComfyUI' })
    expect(node(graph, '11').inputs).toEqual({ text: 'Hyper-SD 8-step LoRA: cfg 1, 8 steps.\nDrop the <b>upscaler</b> for speed.' })
    // fed by a placeholder: the link stays, so a run names the missing node instead of an unconnected input
    expect(node(graph, '14').inputs).toEqual({ image: { from: ['13', 'IMAGE'] }, filename_prefix: 'upscaled' })
  })

  it('keeps nodes with no equivalent as placeholders with their slots, widget values and links', () => {
    expect(node(graph, '12')).toEqual({
      id: '12',
      type: 'UpscaleModelLoader',
      version: 1,
      inputs: {},
      placeholder: { origin: 'comfyui', inputs: [], outputs: [{ name: 'UPSCALE_MODEL', type: 'UPSCALE_MODEL' }], widgets: ['4x-UltraSharp.pth'] },
    })
    expect(node(graph, '13')).toEqual({
      id: '13',
      type: 'ImageUpscaleWithModel',
      version: 1,
      inputs: { upscale_model: { from: ['12', 'UPSCALE_MODEL'] }, image: { from: ['8', 'image'] } },
      placeholder: {
        origin: 'comfyui',
        inputs: [{ name: 'upscale_model', type: 'UPSCALE_MODEL' }, { name: 'image', type: 'IMAGE' }],
        outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
      },
    })
  })

  it('reports placeholders, folded nodes and the approximations, and keeps the report in the metadata', () => {
    expect(report.placeholders).toEqual([
      'node 12 (UpscaleModelLoader): no equivalent, kept as a placeholder (a run that needs it fails)',
      'node 13 (ImageUpscaleWithModel): no equivalent, kept as a placeholder (a run that needs it fails)',
    ])
    expect(report.dropped).toEqual([])
    expect(graph.metadata?.importReport).toEqual({ source: 'ComfyUI workflow (default.json)', ...report })
    expect(report.folded).toEqual(['node 15 (Reroute): folded into the links through it, kept as a reroute point on them', 'node 16 (PrimitiveNode): value folded into the inputs it feeds'])
    // The Reroute node (75x26 at [900, 520]) is a reroute at its centre on VAE Decode's vae link.
    expect(graph.layout?.reroutes).toEqual([{ id: 1, pos: [937.5, 533] }])
    expect(graph.layout?.nodes?.['8']?.reroutes).toEqual({ vae: 1 })
    expect(report.warnings).toEqual([
      "node 3 (KSampler): initial noise: ComfyUI scales it by sqrt(1 + sigma0^2) = 14.65, ours (as diffusers' Euler) by sigma0 = 14.61 (0.23% less)",
      'node 3 (KSampler): UNet timesteps differ by up to 0.429: ComfyUI feeds the nearest whole timestep, ours the fractional one of the same sigma',
      'node 4 (CheckpointLoaderSimple): checkpoint "v1-5-pruned-emaonly.safetensors" is a single-file checkpoint; "v1-5-pruned-emaonly" must name an ONNX export folder (CLI: --model v1-5-pruned-emaonly=PATH)',
      'node 10 (LoraLoader): LoRA "Hyper-SD15-8steps-lora.safetensors" is looked up as "loras/Hyper-SD15-8steps-lora.safetensors" in the models folder (CLI: --model loras/Hyper-SD15-8steps-lora.safetensors=PATH)',
      'node 10 (LoraLoader): strength_clip 0.8 differs from strength_model 1: the CLIP output comes from a second UNet + LoRA (node 17) at scale 0.8',
    ])
  })

  it('keeps positions, sizes, groups, viewport and the seed control in the layout', () => {
    const layout = graph.layout!
    expect(layout.nodes!['7']).toEqual({ pos: [413, 389], size: [425.27801513671875, 180.6060791015625] })
    expect(layout.nodes!['11']).toEqual({ pos: [26, 30], size: [400, 120], collapsed: true, color: '#432', bgcolor: '#653' })
    expect(layout.nodes!['3']!.controls).toEqual({ seed: 'fixed' }) // the PrimitiveNode's control acts, not the sampler's own
    expect(layout.nodes!['12']?.pos).toBeDefined() // placeholders keep their place
    expect(layout.groups).toEqual([{ title: 'Prompts', bounding: [400, 110, 460, 480], color: '#3f789e', fontSize: 24 }])
    expect(layout.viewport).toEqual({ offset: [112.5, -40.25], scale: 0.8264462809917354 })
  })

  it('produces a valid graph file that survives a save/load round trip', () => {
    const text = serializeGraphFile(graph)
    expect(parseGraphFile(text)).toEqual(graph)
    expect(graph.metadata?.description).toBe('Imported from a ComfyUI workflow (default.json)')
  })

  it('keeps bypassed (mode 4) and muted (mode 2) nodes with their mode, so the graph runs as in ComfyUI', () => {
    const doc = JSON.parse(workflowText) as { nodes: { id: number; mode: number }[] }
    doc.nodes.find((n) => n.id === 10)!.mode = 4 // bypass the LoRA
    doc.nodes.find((n) => n.id === 7)!.mode = 2 // mute the negative prompt
    const { graph: g, report: r } = importComfyUI(JSON.stringify(doc))
    expect(node(g, '10').mode).toBe('bypass')
    expect(node(g, '7').mode).toBe('mute')
    expect(node(g, '6').mode).toBeUndefined()
    // Links stay as drawn; the engine passes them through the bypassed node at run time.
    expect(node(g, '3').inputs['model']).toEqual({ from: ['10', 'unet'] })
    expect(node(g, '3').inputs['negative']).toEqual({ from: ['7', 'conditioning'] })
    expect(r.dropped.join('\n')).not.toMatch(/node (10|7) /)
    expect(parseGraphFile(serializeGraphFile(g))).toEqual(g)
  })

  it('still passes links through bypassed nodes that have no equivalent, and drops muted ones', () => {
    const doc = JSON.parse(workflowText) as { nodes: { id: number; mode: number }[] }
    doc.nodes.find((n) => n.id === 13)!.mode = 4 // bypass the upscaler: its SaveImage takes the decoded image
    doc.nodes.find((n) => n.id === 12)!.mode = 2 // mute the upscale model loader
    const { graph: g, report: r } = importComfyUI(JSON.stringify(doc))
    expect(g.nodes.map((n) => n.id)).not.toContain('13')
    expect(r.dropped).toContain('node 13 (ImageUpscaleWithModel): bypassed, no equivalent, dropped (its links pass through)')
    expect(r.dropped).toContain('node 12 (UpscaleModelLoader): muted, no equivalent, dropped')
    expect(node(g, '14').inputs['image']).toEqual({ from: ['8', 'image'] })
  })
})

describe('ComfyUI UI workflow schema 1', () => {
  it('reads links as objects and gives the same graph as 0.4', () => {
    const doc = JSON.parse(workflowText) as Record<string, unknown> & { links: unknown[][]; nodes: { size: unknown }[] }
    const v1 = {
      version: 1,
      state: { lastNodeId: 16, lastLinkId: 17, lastGroupId: 1, lastRerouteId: 0 },
      config: {},
      extra: { ds: { scale: 0.8264462809917354, offset: [112.5, -40.25] } },
      groups: doc['groups'],
      nodes: doc.nodes.map((n) => ({ ...n, size: Array.isArray(n.size) ? n.size : Object.values(n.size as object) })),
      links: doc.links.map(([id, originId, originSlot, targetId, targetSlot, type]) => ({
        id, origin_id: originId, origin_slot: originSlot, target_id: targetId, target_slot: targetSlot, type, parentId: null,
      })),
    }
    const fromV1 = importComfyUI(JSON.stringify(v1))
    const from04 = importComfyUI(workflowText)
    expect(fromV1.graph.nodes).toEqual(from04.graph.nodes)
    expect(fromV1.graph.layout).toEqual(from04.graph.layout)
    expect(fromV1.report).toEqual(from04.report)
  })
})

describe('ComfyUI API prompt', () => {
  const { graph, report, format } = importComfyUI(promptText, 'prompt.json')

  it('maps named inputs and [node, slot] links', () => {
    expect(format).toBe('prompt')
    expect(node(graph, '3').inputs).toEqual({
      model: { from: ['10', 'unet'] },
      positive: { from: ['6', 'conditioning'] },
      negative: { from: ['7', 'conditioning'] },
      latent: { from: ['5', 'latent'] },
      seed: 1234,
      cfg: 1,
      steps: 4,
      scheduler: 'lcm-800',
      // sgm_uniform's whole timesteps: 749.25 and 499.5 round to the nearest table entries
      timesteps: '999,749,500,250',
    })
    expect(node(graph, '3').title).toBeUndefined()
    expect(node(graph, '4')).toMatchObject({ type: 'LoadPipeline', title: 'Load Checkpoint', inputs: { model: 'sd15/dreamshaper_8' } })
    expect(node(graph, '5').inputs).toEqual({ width: 512, height: 768, batch: 2 })
    expect(node(graph, '6').inputs).toEqual({ clip: { from: ['4', 'clip'] }, text: 'a fox in the snow, film photo', syntax: 'comfyui' })
    expect(node(graph, '8').inputs).toEqual({ vae: { from: ['4', 'vae'] }, latent: { from: ['3', 'latent'] } })
    expect(node(graph, '9').inputs).toEqual({ image: { from: ['11', 'output_0'] }, filename_prefix: 'hyper' })
    expect(node(graph, '10').inputs).toEqual({ unet: { from: ['13', 'output_0'] }, lora: 'loras/Hyper-SD15-4steps-lora.safetensors', scale: 0.125 })
    expect(graph.layout).toBeUndefined()
    expect(graph.nodes.map((n) => n.id)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10', '11', '13'])
    // A prompt names no output slots; the placeholder's named inputs are kept as its widget values.
    expect(node(graph, '13').placeholder).toEqual({
      origin: 'comfyui',
      inputs: [{ name: 'model', type: '*' }],
      outputs: [{ name: 'output_0', type: '*' }],
      widgets: { b1: 1.3, b2: 1.4, s1: 0.9, s2: 0.2 },
    })
  })

  it('reports what it kept as placeholders and folded', () => {
    expect(report.placeholders).toEqual([
      'node 11 (ImageSharpen): no equivalent, kept as a placeholder (a run that needs it fails)',
      'node 13 (FreeU_V2): no equivalent, kept as a placeholder (a run that needs it fails)',
    ])
    expect(report.dropped).toEqual([])
    expect(report.folded).toEqual(['node 12 (PrimitiveStringMultiline): value folded into the inputs it feeds'])
    expect(parseGraphFile(serializeGraphFile(graph))).toEqual(graph)
  })

  it('accepts the /prompt request body shape', () => {
    const body = `{"prompt": ${promptText}, "client_id": "abc"}`
    expect(importComfyUI(body).graph.nodes).toEqual(graph.nodes)
  })
})

describe('SamplerCustom', () => {
  it('folds KSamplerSelect and BasicScheduler into the sampler', () => {
    const prompt = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15\\tiny-sd15' } },
      '2': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'tcd' } },
      '3': { class_type: 'BasicScheduler', inputs: { scheduler: 'sgm_uniform', steps: 2, denoise: 0.9, model: ['1', 0] } },
      '4': {
        class_type: 'SamplerCustom',
        inputs: { add_noise: true, noise_seed: 7, cfg: 1.5, model: ['1', 0], sampler: ['2', 0], sigmas: ['3', 0] },
      },
      '5': { class_type: 'SDTurboScheduler', inputs: { steps: 1, denoise: 1, model: ['1', 0] } },
    }
    const { graph, report } = importComfyUI(JSON.stringify(prompt))
    expect(node(graph, '4')).toEqual({
      id: '4',
      type: 'TSCDSampler',
      version: 1,
      // denoise 0.9 of 2 steps is ComfyUI's full schedule (int(2 / 0.9) = 2): sgm_uniform's 999, 499.5 -> 999, 500
      inputs: { model: { from: ['1', 'unet'] }, seed: 7, cfg: 1.5, steps: 2, scheduler: 'tcd', timesteps: '999,500' },
    })
    expect(node(graph, '1').inputs).toEqual({ model: 'sd15/tiny-sd15' }) // Windows separators normalised, no warning
    expect(report.warnings).toEqual([
      "node 4 (SamplerCustom): noise levels differ by up to 0.167% (at sigma 1.616): ComfyUI steps through its schedule's sigmas, ours through the noise table at the timesteps it feeds the UNet",
    ])
    expect(report.folded).toEqual(['node 2 (KSamplerSelect): folded into the sampler it feeds', 'node 3 (BasicScheduler): folded into the sampler it feeds'])
    expect(report.dropped).toEqual(['node 5 (SDTurboScheduler): no equivalent, dropped'])
  })
})

describe('schedulerPreset', () => {
  it.each([
    ['ddim', 'ddim_uniform', 'ddim-trailing', 0],
    ['ddim', 'sgm_uniform', 'ddim-trailing', 0],
    ['euler', 'simple', 'euler-trailing', 0],
    ['euler', 'karras', 'euler-trailing', 1],
    ['lcm', 'normal', 'lcm-800', 0],
    ['tcd', 'simple', 'tcd', 0],
    ['ddpm', 'simple', 'ddpm-trailing-cfg', 0],
    ['ddpm', 'normal', 'ddpm-trailing-cfg', 1],
    ['euler_ancestral', 'sgm_uniform', 'euler-trailing', 1],
    ['dpmpp_2m', 'karras', 'ddim-trailing', 2],
  ])('%s + %s -> %s', (samplerName, scheduler, preset, warningCount) => {
    const warnings: string[] = []
    expect(schedulerPreset(samplerName, scheduler, (m) => warnings.push(m))).toBe(preset)
    expect(warnings).toHaveLength(warningCount)
  })
})

describe('bad ComfyUI input', () => {
  it.each([
    ['{"nodes": [{"id": 1}], "links": []}', 'nodes[0].type: missing (expected string)'],
    ['{"foo": 1}', 'not a ComfyUI workflow (no "nodes" array) or API prompt (no "class_type" entries)'],
    ['{"nodes": [], "links": [[1, 2]]}', 'links[0]'],
    ['{"3": {"class_type": "KSampler", "inputs": 5}}', '["3"].inputs'],
    ['{"nodes": [', 'malformed JSON: unexpected end of input at line 1:12'],
  ])('explains %s', (text, message) => {
    expect(() => importComfyUI(text, 'x.json')).toThrow(GraphFileError)
    expect(() => importComfyUI(text, 'x.json')).toThrow(message)
  })

  it('keeps a title with markup as plain data', () => {
    const { graph } = importComfyUI('{"1": {"class_type": "Note", "inputs": {"text": "<img src=x onerror=alert(1)>"}, "_meta": {"title": "<b>t</b>"}}}')
    expect(graph.nodes[0]).toEqual({ id: '1', type: 'Note', version: 1, title: '<b>t</b>', inputs: { text: '<img src=x onerror=alert(1)>' } })
  })
})

describe('mangled ComfyUI documents', () => {
  type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
  const paths = (value: Json, prefix: (string | number)[] = []): (string | number)[][] => {
    if (typeof value !== 'object' || value === null) return [prefix]
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
    return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, Json>)[k]!, [...prefix, k]))]
  }
  const setAt = (doc: Json, path: (string | number)[], replacement: Json): Json => {
    if (path.length === 0) return replacement
    const copy = structuredClone(doc) as Record<string | number, Json>
    let target = copy
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, Json>
    target[path[path.length - 1]!] = replacement
    return copy as Json
  }
  const anyJson = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>

  it.each([
    ['workflow', workflowText],
    ['prompt', promptText],
  ])('%s: any single replaced value gives a valid graph or a GraphFileError', (_name, text) => {
    const doc = JSON.parse(text) as Json
    const all = paths(doc)
    fc.assert(
      fc.property(fc.nat(), anyJson, (which, replacement) => {
        const mangled = JSON.stringify(setAt(doc, all[which % all.length]!, replacement))
        try {
          const { graph } = importComfyUI(mangled)
          expect(parseGraphFile(serializeGraphFile(graph))).toEqual(graph)
        } catch (error) {
          expect(error).toBeInstanceOf(GraphFileError)
        }
      }),
      { numRuns: 300, seed: 20261125 },
    )
  })
})
