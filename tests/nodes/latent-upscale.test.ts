// Upscale Latent and Upscale Latent By on the bundled shapes model: ComfyUI's sizes (0 sides, 64 px at least,
// Python's rounding), the noise mask resized with the latent, the encoder's posterior left behind, and a second
// sampler pass over the upscaled latent (a "hires fix").
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch, Latent } from '../../nodes/types.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'
import { posteriorPipeline } from '../helpers/shapes-reference.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
const posteriorHost = createTestHost(new Map([['hyper-shapes', posteriorPipeline()]]))
afterAll(async () => Promise.all([host.dispose(), posteriorHost.dispose()]))

const link = (node: string, output: string) => ({ from: [node, output] as [string, string] })

/** `base` with an upscale node `20` between `fromNode`'s latent and the sampler `4`. */
function withUpscale(base: GraphFile, fromNode: string, upscale: Omit<GraphNode, 'id' | 'inputs'> & { inputs: GraphNode['inputs'] }): GraphFile {
  return {
    ...base,
    nodes: [
      ...base.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, latent: link('20', 'latent') } } : n)),
      { id: '20', ...upscale, inputs: { samples: link(fromNode, 'latent'), ...upscale.inputs } },
    ],
  }
}

const upscaleBy = (scale: number, method = 'nearest-exact') => ({ type: 'LatentUpscaleBy', version: 1, inputs: { method, scale_by: scale } })
const upscaleTo = (width: number, height: number, crop = 'disabled', method = 'nearest-exact') => ({ type: 'LatentUpscale', version: 1, inputs: { method, width, height, crop } })

/** Each cell of a [n, c, h, w] latent repeated into a 2x2 block. */
function doubled(data: Float32Array, planes: number, h: number, w: number): number[] {
  const out: number[] = []
  for (let p = 0; p < planes; p++) for (let y = 0; y < 2 * h; y++) for (let x = 0; x < 2 * w; x++) out.push(data[(p * h + (y >> 1)) * w + (x >> 1)]!)
  return out
}

describe('Upscale Latent By', () => {
  it("doubles an encoded image's latent, keeps it an image for the sampler, and draws a picture twice the size", async () => {
    const img2img = shippedGraph('shapes-img2img.json')
    const result = await posteriorHost.engine.run(withOverrides(withUpscale(img2img, '12', upscaleBy(2)), []))
    const encoded = result.outputs.get('12')!.latent as Latent
    const upscaled = result.outputs.get('20')!.latent as Latent
    expect(encoded.dims).toEqual([1, 4, 8, 8])
    expect(upscaled.dims).toEqual([1, 4, 16, 16])
    // nearest-exact at 2x repeats each cell.
    expect(Array.from(upscaled.data)).toEqual(doubled(encoded.data, 4, 8, 8))
    // Still an encoded image for the sampler (noised to the first timestep), but the posterior stays behind: its
    // mean, resized, is the image.
    expect(encoded.encoded?.posterior).toBeDefined()
    expect(upscaled.encoded).toEqual({})
    const image = result.outputs.get('5')!.image as ImageBatch
    expect([image.width, image.height]).toEqual([128, 128])
    // The saved image says how its latent was enlarged.
    expect(image.parameters['upscale']).toBe('nearest-exact 64x64 to 128x128')
  })

  it("rounds as Python does (halves to even) and names scale_by when a side would vanish", async () => {
    const graph = shippedGraph('shapes-4step.json')
    // 8 cells x 1.5625 = 12.5 -> 12, where Math.round would give 13.
    const result = await host.engine.run(withOverrides(withUpscale(graph, '3', upscaleBy(1.5625)), []))
    expect((result.outputs.get('20')!.latent as Latent).dims).toEqual([1, 4, 12, 12])
    await expect(host.engine.run(withOverrides(withUpscale(graph, '3', upscaleBy(0.05)), []))).rejects.toThrow(/scale_by.*0x0, which has no cells/)
  })

  it('refuses more than a 4096x4096 px latent, naming the input', async () => {
    const graph = withUpscale(shippedGraph('shapes-4step.json'), '3', upscaleBy(1.01))
    await expect(host.engine.run(withOverrides(graph, ['3.width=4096', '3.height=4096']))).rejects.toThrow(/node 20 \(LatentUpscaleBy\), input "scale_by".*4136x4136 px, more than the 16 MP/)
  })
})

describe('Upscale Latent', () => {
  const graph = shippedGraph('shapes-4step.json')
  const dims = async (node: ReturnType<typeof upscaleTo>) => ((await host.engine.run(withOverrides(withUpscale(graph, '3', node), []))).outputs.get('20')!.latent as Latent).dims

  it("sizes as ComfyUI's: a 0 side from the aspect ratio, 64 px at least, both 0 leave the latent as it is", async () => {
    expect(await dims(upscaleTo(0, 96))).toEqual([1, 4, 12, 12])
    expect(await dims(upscaleTo(160, 0))).toEqual([1, 4, 20, 20])
    expect(await dims(upscaleTo(16, 208))).toEqual([1, 4, 26, 8])
    const result = await host.engine.run(withOverrides(withUpscale(graph, '3', upscaleTo(0, 0)), []))
    expect(result.outputs.get('20')!.latent).toBe(result.outputs.get('3')!.latent)
  })

  it('crops centred to the new aspect ratio before resizing', async () => {
    // Encoded sketch (8x8) to 128x64 px: rows 2..5 are kept, each cell doubled.
    const img2img = shippedGraph('shapes-img2img.json')
    const result = await host.engine.run(withOverrides(withUpscale(img2img, '12', upscaleTo(128, 64, 'center')), []))
    const encoded = result.outputs.get('12')!.latent as Latent
    const upscaled = result.outputs.get('20')!.latent as Latent
    expect(upscaled.dims).toEqual([1, 4, 8, 16])
    const middle = new Float32Array(4 * 4 * 8)
    for (let c = 0; c < 4; c++) for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) middle[(c * 4 + y) * 8 + x] = encoded.data[(c * 8 + y + 2) * 8 + x]!
    expect(Array.from(upscaled.data)).toEqual(doubled(middle, 4, 4, 8))
  })

  it('resizes the noise mask with the latent, so inpainting runs at the new size', async () => {
    const inpaint = shippedGraph('shapes-inpaint.json')
    const result = await host.engine.run(withOverrides(withUpscale(inpaint, '13', upscaleBy(2, 'bislerp')), []))
    const masked = result.outputs.get('13')!.latent as Latent
    const upscaled = result.outputs.get('20')!.latent as Latent
    expect(upscaled.noiseMask!.batch).toBe(1)
    // A binary mask resized bilinear at 2x and binarised at 0.5 is each cell repeated.
    expect(Array.from(upscaled.noiseMask!.data)).toEqual(doubled(masked.noiseMask!.data, 1, 8, 8))
    expect(upscaled.noiseMask!.data.some((v) => v === 1) && upscaled.noiseMask!.data.some((v) => v === 0)).toBe(true)
    const image = result.outputs.get('5')!.image as ImageBatch
    expect([image.width, image.height]).toEqual([128, 128])
  })
})
