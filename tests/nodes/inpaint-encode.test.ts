// ComfyUI's VAE Encode (for Inpainting) and Grow Mask on the bundled shapes model: the pixels under the mask are
// encoded as grey, the grown mask becomes the noise mask, and the sampler redraws the area.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent, MaskBatch } from '../../nodes/types.js'
import { decodePng } from '../../src/graph/png.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { SHAPES } from '../helpers/shapes-reference.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const source = decodePng(new Uint8Array(readFileSync(join(ROOT, 'public', 'input', 'shapes-inpaint.png'))))
const template = shippedGraph('shapes-inpaint.json')
/** The template with VAE Encode (for Inpainting) in place of VAE Encode and Set Latent Noise Mask. */
const graph: GraphFile = {
  ...template,
  nodes: template.nodes
    .filter((n) => n.type !== 'SetLatentNoiseMask' && n.type !== 'VAEEncode')
    .map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: { ...n.inputs, latent: { from: ['12', 'latent'] as [string, string] } } } : n))
    .concat([{ id: '12', type: 'VAEEncodeForInpaint', version: 1, inputs: { vae: { from: ['1', 'vae'] }, image: { from: ['3', 'image'] }, mask: { from: ['3', 'mask'] }, grow_mask_by: 0 } }]),
}

const host = createTestHost()
afterAll(async () => host.dispose())

/** Latent cells (row-major, 8x8) the noise mask sets. */
const maskedCells = (latent: Latent) => [...latent.noiseMask!.data.keys()].filter((i) => latent.noiseMask!.data[i] === 1)
const square = (from: number, to: number) => [...Array(64).keys()].filter((i) => Math.floor(i / 8) >= from && Math.floor(i / 8) <= to && i % 8 >= from && i % 8 <= to)

describe('VAE Encode (for Inpainting)', () => {
  it('encodes the pixels under the mask as grey (0 after 2p - 1) and the rest as VAE Encode does', async () => {
    const latent = (await host.engine.run(withOverrides(graph, []))).outputs.get('12')!.latent as Latent
    const sample = new Float32Array(3 * 4096)
    for (let i = 0; i < 4096; i++) {
      for (let c = 0; c < 3; c++) sample[c * 4096 + i] = source.data[i * 4 + 3] === 0 ? 0 : Math.fround(2 * Math.fround(source.data[i * 4 + c]! / 255) - 1)
    }
    const encoder = await ort.InferenceSession.create(join(SHAPES, 'vae_encoder', 'model.onnx'))
    const mean = (await encoder.run({ sample: new ort.Tensor('float32', sample, [1, 3, 64, 64]) })).latent_sample!.data as Float32Array
    const scaling = (JSON.parse(readFileSync(join(SHAPES, 'vae_decoder', 'config.json'), 'utf8')) as { scaling_factor: number }).scaling_factor
    const expected = Array.from(mean, (v) => Math.fround(scaling * v))
    // (p - 0.5) + 0.5 can be an ulp off p in float32, as in ComfyUI: equal to within that.
    expect(Array.from(latent.data).every((v, i) => Math.abs(v - expected[i]!) < 1e-5)).toBe(true)
    const plain = (await host.engine.run(withOverrides(template, []))).outputs.get('12')!.latent as Latent
    expect(Array.from(latent.data)).not.toEqual(Array.from(plain.data))
  })

  it('grows the noise mask by grow_mask_by pixels (ComfyUI\'s box), then the sampler redraws that area', async () => {
    const latent = (grow: number) => host.engine.run(withOverrides(graph, [`12.grow_mask_by=${grow}`]))
    const exact = await latent(0)
    expect(maskedCells(exact.outputs.get('12')!.latent as Latent)).toEqual(square(2, 6))
    // 16 px: the hole [12, 52) reaches [5, 59], so latent pixels 8..56 (cells 1..7).
    const grown = await latent(16)
    expect(maskedCells(grown.outputs.get('12')!.latent as Latent)).toEqual(square(1, 7))
    const sampled = grown.outputs.get('4')!.latent as Latent
    expect(sampled.parameters).toMatchObject({ inpaint: true })
    expect(grown.outputs.get('8')!.all_right).toBe(1)
  })

  it('Grow Mask before Set Latent Noise Mask widens the redrawn area', async () => {
    const widened: GraphFile = {
      ...template,
      nodes: template.nodes
        .map((n) => (n.type === 'SetLatentNoiseMask' ? { ...n, inputs: { ...n.inputs, mask: { from: ['20', 'mask'] as [string, string] } } } : n))
        .concat([{ id: '20', type: 'GrowMask', version: 1, inputs: { mask: { from: ['3', 'mask'] }, expand: 5, tapered_corners: false } }]),
    }
    const result = await host.engine.run(withOverrides(widened, []))
    const mask = result.outputs.get('20')!.mask as MaskBatch
    // The 40 px square grows to 50 px.
    expect(mask.masks[0]!.reduce((a, b) => a + b, 0)).toBe(50 * 50)
    // [7, 57): latent pixels 8..56, cells 1..7.
    expect(maskedCells(result.outputs.get('13')!.latent as Latent)).toEqual(square(1, 7))
  })
})
