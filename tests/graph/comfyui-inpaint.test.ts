// Inpainting across ComfyUI: LoadImage's MASK output, LoadImageMask, InvertMask and SetLatentNoiseMask import and
// export both ways, and an imported ComfyUI inpainting workflow runs on the bundled model.
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent } from '../../nodes/types.js'
import { exportComfyPrompt } from '../../src/graph/comfyui-export.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { createTestHost, registry, withOverrides } from '../helpers/tiny-host.js'

const graph = parseGraphFile(readFileSync(new URL('../../graphs/shapes-inpaint.json', import.meta.url), 'utf8'), 'shapes-inpaint.json')
const ofType = (g: GraphFile, type: string) => g.nodes.find((n) => n.type === type)!

/** ComfyUI's inpainting with an ordinary checkpoint, as its API prompt: the mask from a second image's red channel, inverted. */
const PROMPT = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'hyper-shapes.safetensors' } },
  '2': { class_type: 'LoadImage', inputs: { image: 'shapes-inpaint.png', upload: 'image' } },
  '3': { class_type: 'VAEEncode', inputs: { pixels: ['2', 0], vae: ['1', 2] } },
  '4': { class_type: 'LoadImageMask', inputs: { image: 'shapes-inpaint.png', channel: 'alpha', upload: 'image' } },
  '5': { class_type: 'InvertMask', inputs: { mask: ['4', 0] } },
  '6': { class_type: 'SetLatentNoiseMask', inputs: { samples: ['3', 0], mask: ['2', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a large yellow square in the middle on a blue background' } },
  '8': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['7', 0], negative: ['7', 0], latent_image: ['6', 0], seed: 3, steps: 4, cfg: 1, sampler_name: 'ddim', scheduler: 'simple', denoise: 1 } },
  '9': { class_type: 'VAEDecode', inputs: { samples: ['8', 0], vae: ['1', 2] } },
  '10': { class_type: 'SaveImage', inputs: { images: ['9', 0], filename_prefix: 'inpaint' } },
}

const host = createTestHost()
afterAll(async () => host.dispose())

describe('inpainting and ComfyUI', () => {
  it("imports LoadImage's MASK, LoadImageMask, InvertMask and SetLatentNoiseMask, and the result runs", async () => {
    const { graph: imported, report } = importComfyUI(JSON.stringify(PROMPT), 'inpaint.json')
    expect(report.placeholders).toEqual([])
    expect(report.dropped).toEqual([])
    expect(ofType(imported, 'SetLatentNoiseMask').inputs).toEqual({ samples: { from: ['3', 'latent'] }, mask: { from: ['2', 'mask'] } })
    expect(ofType(imported, 'LoadImageMask').inputs).toEqual({ image: 'shapes-inpaint.png', channel: 'alpha' })
    expect(ofType(imported, 'InvertMask').inputs).toEqual({ mask: { from: ['4', 'mask'] } })
    expect(ofType(imported, 'TSCDSampler').inputs['latent']).toEqual({ from: ['6', 'latent'] })
    const result = await host.engine.run(withOverrides(imported, []))
    const latent = result.outputs.get('8')!.latent as Latent
    expect(latent.parameters).toMatchObject({ inpaint: true })
    expect(latent.noiseMask!.data.some((v) => v === 1)).toBe(true)
  })

  it('exports the template with the mask linked from LoadImage slot 1, and imports it back unchanged', () => {
    const { document } = exportComfyPrompt(graph, { describe: (type) => registry.get(type) })
    const nodes = JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const [loadId] = Object.entries(nodes).find(([, n]) => n.class_type === 'LoadImage')!
    const mask = Object.values(nodes).find((n) => n.class_type === 'SetLatentNoiseMask')!
    expect(mask.inputs['mask']).toEqual([loadId, 1])
    const [maskId] = Object.entries(nodes).find(([, n]) => n.class_type === 'SetLatentNoiseMask')!
    expect(Object.values(nodes).find((n) => n.class_type === 'KSampler')!.inputs['latent_image']).toEqual([maskId, 0])
    const { graph: back, report } = importComfyUI(JSON.stringify(document), 'back.json')
    expect(report.placeholders).toEqual([])
    expect(ofType(back, 'SetLatentNoiseMask').inputs['mask']).toEqual({ from: [ofType(back, 'LoadImage').id, 'mask'] })
  })
})

describe("ComfyUI's VAEEncodeForInpaint and GrowMask", () => {
  const prompt = {
    ...PROMPT,
    '5': { class_type: 'GrowMask', inputs: { mask: ['2', 1], expand: 4, tapered_corners: false } },
    '6': { class_type: 'VAEEncodeForInpaint', inputs: { pixels: ['2', 0], vae: ['1', 2], mask: ['5', 0], grow_mask_by: 8 } },
    '8': { ...PROMPT['8'], inputs: { ...PROMPT['8'].inputs, latent_image: ['6', 0] } },
  }

  it('import with their widgets, run, and export back as themselves', async () => {
    const { graph: imported, report } = importComfyUI(JSON.stringify(prompt), 'inpaint-encode.json')
    expect(report.placeholders).toEqual([])
    expect(ofType(imported, 'GrowMask').inputs).toEqual({ mask: { from: ['2', 'mask'] }, expand: 4, tapered_corners: false })
    expect(ofType(imported, 'VAEEncodeForInpaint').inputs).toEqual({ image: { from: ['2', 'image'] }, vae: { from: ['1', 'vae'] }, mask: { from: ['5', 'mask'] }, grow_mask_by: 8 })
    const result = await host.engine.run(withOverrides(imported, []))
    expect((result.outputs.get('8')!.latent as Latent).parameters).toMatchObject({ inpaint: true })
    const { document } = exportComfyPrompt(imported, { describe: (type) => registry.get(type) })
    const nodes = Object.values(JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>)
    expect(nodes.find((n) => n.class_type === 'GrowMask')!.inputs).toMatchObject({ expand: 4, tapered_corners: false })
    expect(nodes.find((n) => n.class_type === 'VAEEncodeForInpaint')!.inputs).toMatchObject({ grow_mask_by: 8 })
  })
})

describe("ComfyUI's ImagePadForOutpaint", () => {
  it('imports with its sides and both outputs, and exports back', () => {
    const prompt = {
      '1': PROMPT['1'],
      '2': PROMPT['2'],
      '3': { class_type: 'ImagePadForOutpaint', inputs: { image: ['2', 0], left: 0, top: 8, right: 24, bottom: 0, feathering: 12 } },
      '4': { class_type: 'VAEEncodeForInpaint', inputs: { pixels: ['3', 0], vae: ['1', 2], mask: ['3', 1], grow_mask_by: 6 } },
      '7': PROMPT['7'],
      '8': { ...PROMPT['8'], inputs: { ...PROMPT['8'].inputs, latent_image: ['4', 0] } },
      '9': PROMPT['9'],
      '10': PROMPT['10'],
    }
    const { graph: imported, report } = importComfyUI(JSON.stringify(prompt), 'outpaint.json')
    expect(report.placeholders).toEqual([])
    expect(ofType(imported, 'ImagePadForOutpaint').inputs).toEqual({ image: { from: ['2', 'image'] }, left: 0, top: 8, right: 24, bottom: 0, feathering: 12 })
    expect(ofType(imported, 'VAEEncodeForInpaint').inputs['mask']).toEqual({ from: ['3', 'mask'] })
    const { document } = exportComfyPrompt(imported, { describe: (type) => registry.get(type) })
    const nodes = Object.entries(JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>)
    const [padId, pad] = nodes.find(([, n]) => n.class_type === 'ImagePadForOutpaint')!
    expect(pad.inputs).toMatchObject({ top: 8, right: 24, feathering: 12 })
    expect(nodes.find(([, n]) => n.class_type === 'VAEEncodeForInpaint')![1].inputs['mask']).toEqual([padId, 1])
  })
})
