// ComfyUI's two-pass ("hires fix") workflows: LatentUpscale and LatentUpscaleBy import, run on the bundled model
// and export back.
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch, Latent } from '../../nodes/types.js'
import { exportComfyPrompt, exportComfyWorkflow } from '../../src/graph/comfyui-export.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { createTestHost, registry, withOverrides } from '../helpers/tiny-host.js'

const ofType = (g: GraphFile, type: string) => g.nodes.find((n) => n.type === type)!

/** ComfyUI's "2 pass txt2img" example, as an API prompt, on the shapes checkpoint at its 64 px. */
const PROMPT = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'hyper-shapes.safetensors' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a large red circle in the middle on a blue background' } },
  '3': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
  '4': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0], seed: 5, steps: 4, cfg: 1, sampler_name: 'ddim', scheduler: 'simple', denoise: 1 } },
  '5': { class_type: 'LatentUpscale', inputs: { samples: ['4', 0], upscale_method: 'bislerp', width: 100, height: 0, crop: 'disabled' } },
  '6': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['5', 0], seed: 5, steps: 4, cfg: 1, sampler_name: 'ddim', scheduler: 'simple', denoise: 0.5 } },
  '7': { class_type: 'VAEDecode', inputs: { samples: ['6', 0], vae: ['1', 2] } },
  '8': { class_type: 'SaveImage', inputs: { images: ['7', 0], filename_prefix: 'hires' } },
}

const host = createTestHost()
afterAll(async () => host.dispose())

describe('hires fix across ComfyUI', () => {
  it('imports LatentUpscale (its width floored to whole latent cells, with a warning) and the two passes run', async () => {
    const { graph, report } = importComfyUI(JSON.stringify(PROMPT), 'hires.json')
    expect(report.placeholders).toEqual([])
    expect(report.dropped).toEqual([])
    expect(ofType(graph, 'LatentUpscale').inputs).toEqual({ samples: { from: ['4', 'latent'] }, method: 'bislerp', width: 96, height: 0, crop: 'disabled' })
    expect(report.warnings.join('\n')).toMatch(/width 100 px: ComfyUI uses whole latent cells, so 96 px/)
    const result = await host.engine.run(withOverrides(graph, []))
    expect((result.outputs.get('5')!.latent as Latent).dims).toEqual([1, 4, 12, 12])
    const image = result.outputs.get('7')!.image as ImageBatch
    expect([image.width, image.height]).toEqual([96, 96])
    expect((result.outputs.get('6')!.latent as Latent).parameters).toMatchObject({ denoise: 0.5 })
  })

  it('imports LatentUpscaleBy from a UI workflow by its widget order', () => {
    const workflow = {
      last_node_id: 2,
      last_link_id: 0,
      nodes: [
        { id: 1, type: 'EmptyLatentImage', pos: [0, 0], size: [300, 100], inputs: [], outputs: [{ name: 'LATENT', type: 'LATENT', links: [1] }], widgets_values: [64, 64, 1] },
        { id: 2, type: 'LatentUpscaleBy', pos: [400, 0], size: [300, 100], inputs: [{ name: 'samples', type: 'LATENT', link: 1 }], outputs: [{ name: 'LATENT', type: 'LATENT', links: [] }], widgets_values: ['bicubic', 1.75] },
      ],
      links: [[1, 1, 0, 2, 0, 'LATENT']],
      groups: [],
      version: 0.4,
    }
    const { graph } = importComfyUI(JSON.stringify(workflow), 'by.json')
    expect(ofType(graph, 'LatentUpscaleBy').inputs).toEqual({ samples: { from: ['1', 'latent'] }, method: 'bicubic', scale_by: 1.75 })
  })

  it('exports both nodes as ComfyUI writes them and imports them back unchanged', () => {
    const { graph } = importComfyUI(JSON.stringify(PROMPT), 'hires.json')
    const withBy: GraphFile = {
      ...graph,
      nodes: [...graph.nodes, { id: '20', type: 'LatentUpscaleBy', version: 1, inputs: { samples: { from: ['6', 'latent'] }, method: 'area', scale_by: 0.5 } }],
    }
    const { document } = exportComfyPrompt(withBy, { describe: (type) => registry.get(type) })
    const nodes = JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const upscale = Object.values(nodes).find((n) => n.class_type === 'LatentUpscale')!
    expect(upscale.inputs).toMatchObject({ upscale_method: 'bislerp', width: 96, height: 0, crop: 'disabled' })
    const [upscaleId] = Object.entries(nodes).find(([, n]) => n.class_type === 'LatentUpscale')!
    expect(Object.values(nodes).some((n) => n.class_type === 'KSampler' && JSON.stringify(n.inputs['latent_image']) === JSON.stringify([upscaleId, 0]))).toBe(true)
    expect(Object.values(nodes).find((n) => n.class_type === 'LatentUpscaleBy')!.inputs).toMatchObject({ upscale_method: 'area', scale_by: 0.5 })

    const { document: workflow } = exportComfyWorkflow(withBy, { describe: (type) => registry.get(type) })
    const { graph: back, report } = importComfyUI(JSON.stringify(workflow), 'back.json')
    expect(report.placeholders).toEqual([])
    expect(ofType(back, 'LatentUpscale').inputs).toMatchObject({ method: 'bislerp', width: 96, height: 0, crop: 'disabled' })
    expect(ofType(back, 'LatentUpscaleBy').inputs).toMatchObject({ method: 'area', scale_by: 0.5 })
  })
})
