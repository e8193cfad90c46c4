// img2img across ComfyUI: LoadImage, ImageScale ("Upscale Image") and VAEEncode import and export both ways, and a
// denoise below 1 exports as the KSampler steps and denoise that make ComfyUI run our timesteps.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { NodeRegistry } from '../../src/engine/index.js'
import { comfyDenoise } from '../../src/graph/comfyui-export-sampler.js'
import { exportComfyPrompt } from '../../src/graph/comfyui-export.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { nodeDefinitions } from '../../nodes/index.js'

const registry = new NodeRegistry(nodeDefinitions)
const graph = parseGraphFile(readFileSync(new URL('../../graphs/shapes-img2img.json', import.meta.url), 'utf8'), 'shapes-img2img.json')
const ofType = (g: GraphFile, type: string) => g.nodes.find((n) => n.type === type)!

/** ComfyUI's img2img, as its API prompt: a photo scaled to 64 px wide, encoded, sampled at denoise 0.5 over 2 steps. */
const PROMPT = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'hyper-shapes.safetensors' } },
  '2': { class_type: 'LoadImage', inputs: { image: 'cat.png', upload: 'image' } },
  '3': { class_type: 'ImageScale', inputs: { image: ['2', 0], upscale_method: 'bicubic', width: 64, height: 0, crop: 'center' } },
  '4': { class_type: 'VAEEncode', inputs: { pixels: ['3', 0], vae: ['1', 2] } },
  '5': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a red circle' } },
  '6': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['5', 0], negative: ['5', 0], latent_image: ['4', 0], seed: 3, steps: 2, cfg: 1, sampler_name: 'ddim', scheduler: 'simple', denoise: 0.5 } },
  '7': { class_type: 'VAEDecode', inputs: { samples: ['6', 0], vae: ['1', 2] } },
  '8': { class_type: 'SaveImage', inputs: { images: ['7', 0], filename_prefix: 'img2img' } },
}

describe('img2img and ComfyUI', () => {
  it('imports LoadImage, ImageScale and VAEEncode with their values and links', () => {
    const { graph: imported, report } = importComfyUI(JSON.stringify(PROMPT), 'img2img.json')
    expect(report.placeholders).toEqual([])
    expect(report.dropped).toEqual([])
    expect(ofType(imported, 'LoadImage').inputs).toEqual({ image: 'cat.png' })
    expect(ofType(imported, 'ImageScale').inputs).toEqual({ image: { from: ['2', 'image'] }, method: 'bicubic', width: 64, height: 0, crop: 'center' })
    expect(ofType(imported, 'VAEEncode').inputs).toEqual({ image: { from: ['3', 'image'] }, vae: { from: ['1', 'vae'] } })
    const sampler = ofType(imported, 'TSCDSampler').inputs
    expect(sampler['latent']).toEqual({ from: ['4', 'latent'] })
    // ComfyUI runs 2 of a 4-step schedule: ours at 4 steps, keeping the last 2.
    expect(sampler['steps']).toBe(4)
    expect(Math.floor(4 * (sampler['denoise'] as number))).toBe(2)
  })

  it('exports them back, and our denoise as the steps ComfyUI runs and a denoise that gives our schedule', () => {
    const { document, warnings } = exportComfyPrompt(graph, { describe: (type) => registry.get(type) })
    const nodes = Object.values(JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>)
    const byClass = (type: string) => nodes.find((n) => n.class_type === type)!
    expect(byClass('LoadImage').inputs).toMatchObject({ image: 'shapes-sketch.png', upload: 'image' })
    expect(byClass('VAEEncode').inputs['pixels']).toBeDefined()
    expect(byClass('KSampler').inputs).toMatchObject({ steps: 2, denoise: 0.5 })
    expect(warnings.join('\n')).toContain('LoadImage "shapes-sketch.png": put the image in ComfyUI\'s input/ folder')
    expect(comfyDenoise(4, 0.6)).toEqual({ steps: 2, denoise: 0.5 })
    expect(comfyDenoise(25, 0.3)).toEqual({ steps: 7, denoise: 0.27 })
    expect(comfyDenoise(4, 1)).toEqual({ steps: 4, denoise: 1 })
  })
})

describe("ComfyUI's VAEEncodeTiled", () => {
  it('imports as VAE Encode with tiling on (the overlap cut to a quarter of the tile, as ComfyUI cuts it) and exports back', () => {
    const prompt = { ...PROMPT, '4': { class_type: 'VAEEncodeTiled', inputs: { pixels: ['3', 0], vae: ['1', 2], tile_size: 256, overlap: 96, temporal_size: 64, temporal_overlap: 8 } } }
    const { graph: imported, report } = importComfyUI(JSON.stringify(prompt), 'tiled.json')
    expect(report.placeholders).toEqual([])
    expect(ofType(imported, 'VAEEncode').inputs).toEqual({ tiling: 'on', vae: { from: ['1', 'vae'] }, image: { from: ['3', 'image'] }, tile_size: 256, tile_overlap: 64 })
    const { document } = exportComfyPrompt(imported, { describe: (type) => registry.get(type) })
    const nodes = Object.values(JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>)
    expect(nodes.find((n) => n.class_type === 'VAEEncodeTiled')!.inputs).toMatchObject({ tile_size: 256, overlap: 64 })
    // Auto stays a plain VAEEncode.
    const plain = exportComfyPrompt(graph, { describe: (type) => registry.get(type) }).document
    expect(Object.values(JSON.parse(JSON.stringify(plain)) as Record<string, { class_type: string }>).map((n) => n.class_type)).toContain('VAEEncode')
  })
})

describe("ComfyUI's ImageScaleBy", () => {
  it('imports as Scale Image By and exports back', () => {
    const prompt = { ...PROMPT, '3': { class_type: 'ImageScaleBy', inputs: { image: ['2', 0], upscale_method: 'area', scale_by: 0.5 } } }
    const { graph: imported, report } = importComfyUI(JSON.stringify(prompt), 'by.json')
    expect(report.placeholders).toEqual([])
    expect(ofType(imported, 'ImageScaleBy').inputs).toEqual({ image: { from: ['2', 'image'] }, method: 'area', scale_by: 0.5 })
    const { document } = exportComfyPrompt(imported, { describe: (type) => registry.get(type) })
    const nodes = Object.values(JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>)
    expect(nodes.find((n) => n.class_type === 'ImageScaleBy')!.inputs).toMatchObject({ upscale_method: 'area', scale_by: 0.5 })
  })
})
