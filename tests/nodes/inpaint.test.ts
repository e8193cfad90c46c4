// Inpainting on the bundled shapes model: Load Image's alpha (or Load Image (as Mask)) -> Set Latent Noise Mask ->
// TSCD Sampler, checked against diffusers' StableDiffusionInpaintPipeline loop for a 4-channel UNet, written by hand on
// bare onnxruntime (tests/helpers/reference-loop.ts), bit for bit.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startSampling } from '../../nodes/lib/denoise.js'
import type { ImageBatch, Latent, LatentNoiseMask, MaskBatch } from '../../nodes/types.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { createScheduler, TorchGenerator } from '../../src/sampling/index.js'
import { decodePng, encodePng } from '../../src/graph/png.js'
import { referenceDdimTrailing } from '../helpers/reference-loop.js'
import { encodeShapesImage, promptHiddenStates, SHAPES, withoutLoRA } from '../helpers/shapes-reference.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const SOURCE = join(ROOT, 'public', 'input', 'shapes-inpaint.png')
const graph = shippedGraph('shapes-inpaint.json')
const plain = withoutLoRA(graph)

const host = createTestHost()
afterAll(async () => host.dispose())

const source = decodePng(new Uint8Array(readFileSync(SOURCE)))

/** The picture's transparent square (x, y in [12, 52)) at latent size, as diffusers takes it: pixel (8y, 8x), binarised. */
function expectedLatentMask(): Float32Array {
  const mask = new Float32Array(64)
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) mask[y * 8 + x] = source.data[(8 * y * 64 + 8 * x) * 4 + 3]! < 128 ? 1 : 0
  return mask
}

/** What the UNet is conditioned on, and the picture's scaled latents (diffusers drops the alpha channel first). */
async function references() {
  const { mean, scaling } = await encodeShapesImage(source.data)
  return { hidden: await promptHiddenStates(graph), latents: mean.map((v) => Math.fround(scaling * v)) }
}

describe('inpainting (Load Image mask, Set Latent Noise Mask)', () => {
  it("equals diffusers' inpainting loop by hand: pure noise at denoise 1, the image noised to the next timestep outside the mask after each step", async () => {
    const { hidden, latents } = await references()
    const result = await host.engine.run(withOverrides(plain, ['4.seed=7']))
    const masked = result.outputs.get('13')!.latent as Latent
    expect(Array.from(masked.noiseMask!.data)).toEqual(Array.from(expectedLatentMask()))
    const sampled = result.outputs.get('4')!.latent as Latent
    const reference = await referenceDdimTrailing({
      folder: SHAPES, steps: 4, seed: 7, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden },
      init: { strength: 1, latents: () => latents }, inpaint: { mask: expectedLatentMask() },
    })
    expect(Array.from(sampled.data)).toEqual(Array.from(reference.latents))
    // After the last step the kept area is the encoded image itself.
    const kept = Array.from({ length: 256 }, (_, i) => i).filter((i) => expectedLatentMask()[i % 64] === 0)
    expect(kept.every((i) => sampled.data[i] === latents[i])).toBe(true)
    expect(sampled.parameters).toMatchObject({ inpaint: true, denoise: 1, init_image: 'shapes-inpaint.png' })
    // Not img2img: without the mask the same latent at denoise 1 is noised, not replaced by noise.
    const img2img = await referenceDdimTrailing({ folder: SHAPES, steps: 4, seed: 7, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden }, init: { strength: 1, latents: () => latents } })
    expect(Array.from(sampled.data)).not.toEqual(Array.from(img2img.latents))
  })

  it('at denoise below 1 starts from the noised image, as diffusers does at strength < 1', async () => {
    const { hidden, latents } = await references()
    const sampled = (await host.engine.run(withOverrides(plain, ['4.seed=3', '4.denoise=0.5']))).outputs.get('4')!.latent as Latent
    const reference = await referenceDdimTrailing({
      folder: SHAPES, steps: 4, seed: 3, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden },
      init: { strength: 0.5, latents: () => latents }, inpaint: { mask: expectedLatentMask() },
    })
    expect(reference.timesteps).toEqual([499, 249])
    expect(Array.from(sampled.data)).toEqual(Array.from(reference.latents))
  })

  it('the template redraws the masked middle to the prompt and keeps the blue around it', async () => {
    const result = await host.engine.run(withOverrides(graph, []))
    expect(result.outputs.get('8')!.all_right).toBe(1)
    const picture = (result.outputs.get('5')!.image as ImageBatch).images[0]!
    let outsideDiff = 0
    let outsideCount = 0
    let insideYellow = 0
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const at = (y * 64 + x) * 4
        // A margin of one latent cell around the hole, where the decoder blends the two.
        const outside = x < 4 || x >= 60 || y < 4 || y >= 60
        if (outside) {
          for (let c = 0; c < 3; c++) outsideDiff += Math.abs(picture[at + c]! - source.data[at + c]!)
          outsideCount += 3
        }
        if (x >= 24 && x < 40 && y >= 24 && y < 40 && picture[at]! > 180 && picture[at + 1]! > 150 && picture[at + 2]! < 120) insideYellow++
      }
    }
    expect(outsideDiff / outsideCount).toBeLessThan(25)
    // The red circle in the middle became yellow.
    expect(insideYellow).toBeGreaterThan(200)
  })

  it('Load Image (as Mask) reads a channel: a white-on-black red channel gives the same mask as the transparency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-mask-'))
    const bw = new Uint8ClampedArray(64 * 64 * 4)
    for (let i = 0; i < 64 * 64; i++) bw.set(source.data[i * 4 + 3]! === 0 ? [255, 0, 0, 255] : [0, 0, 0, 255], i * 4)
    writeFileSync(join(dir, 'mask.png'), encodePng(bw, 64, 64))
    const fromFile: GraphFile = {
      ...graph,
      nodes: [
        ...graph.nodes.map((n) => (n.type === 'SetLatentNoiseMask' ? { ...n, inputs: { ...n.inputs, mask: { from: ['20', 'mask'] as [string, string] } } } : n)),
        { id: '20', type: 'LoadImageMask', version: 1, inputs: { image: join(dir, 'mask.png'), channel: 'red' } },
      ],
    }
    const viaFile = await host.engine.run(withOverrides(fromFile, []))
    const viaAlpha = await host.engine.run(withOverrides(graph, []))
    const mask = viaFile.outputs.get('20')!.mask as MaskBatch
    expect(mask.masks[0]![0]).toBe(0)
    expect(mask.masks[0]![30 * 64 + 30]).toBe(1)
    expect(Array.from((viaFile.outputs.get('4')!.latent as Latent).data)).toEqual(Array.from((viaAlpha.outputs.get('4')!.latent as Latent).data))
    // Inverted, the kept and redrawn areas swap.
    const inverted: GraphFile = {
      ...fromFile,
      nodes: [
        ...fromFile.nodes.map((n) => (n.type === 'SetLatentNoiseMask' ? { ...n, inputs: { ...n.inputs, mask: { from: ['21', 'mask'] as [string, string] } } } : n)),
        { id: '21', type: 'InvertMask', version: 1, inputs: { mask: { from: ['20', 'mask'] } } },
      ],
    }
    const swapped = (await host.engine.run(withOverrides(inverted, []))).outputs.get('13')!.latent as Latent
    expect(Array.from(swapped.noiseMask!.data)).toEqual(Array.from(expectedLatentMask(), (v) => 1 - v))
  })

  it('warns about an empty mask and about a mask of another size, which it resizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-mask-'))
    writeFileSync(join(dir, 'opaque.png'), encodePng(new Uint8ClampedArray(64 * 64 * 4).fill(255), 64, 64))
    const half = new Uint8ClampedArray(32 * 32 * 4).fill(255)
    for (let i = 0; i < 32 * 32; i++) if (i % 32 >= 16) half[i * 4 + 3] = 0
    writeFileSync(join(dir, 'small.png'), encodePng(half, 32, 32))
    const withMaskImage = (file: string): GraphFile => ({
      ...graph,
      nodes: [
        ...graph.nodes.map((n) => (n.type === 'SetLatentNoiseMask' ? { ...n, inputs: { ...n.inputs, mask: { from: ['20', 'mask'] as [string, string] } } } : n)),
        { id: '20', type: 'LoadImageMask', version: 1, inputs: { image: join(dir, file), channel: 'alpha' } },
      ],
    })
    const warnings: string[] = []
    const onEvent = (event: { type: string; message?: string }) => {
      if (event.type === 'node-warning' && event.message) warnings.push(event.message)
    }
    await host.engine.run(withOverrides(withMaskImage('opaque.png'), []), { onEvent })
    expect(warnings.some((w) => w.startsWith('the mask is empty'))).toBe(true)
    // A dot between the pixels the latent mask is read at changes nothing, and says so.
    const dot = new Uint8ClampedArray(64 * 64 * 4).fill(255)
    dot[(3 * 64 + 3) * 4 + 3] = 0
    writeFileSync(join(dir, 'dot.png'), encodePng(dot, 64, 64))
    await host.engine.run(withOverrides(withMaskImage('dot.png'), []), { onEvent })
    expect(warnings.some((w) => w.startsWith('the mask covers no latent cell'))).toBe(true)
    const resized = await host.engine.run(withOverrides(withMaskImage('small.png'), []), { onEvent })
    expect(warnings).toContain("mask 32x32 px resized to the latent's 64x64 px")
    const mask = (resized.outputs.get('13')!.latent as Latent).noiseMask!.data
    // The right half is repainted.
    expect(Array.from(mask.slice(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1])
  })

  it('applies one mask to every latent of a batch', async () => {
    const batch: GraphFile = {
      ...graph,
      nodes: graph.nodes
        .map((n) => (n.type === 'SetLatentNoiseMask' ? { ...n, inputs: { ...n.inputs, samples: { from: ['30', 'latent'] as [string, string] } } } : n))
        .concat([{ id: '30', type: 'EmptyLatent', version: 1, inputs: { width: 64, height: 64, batch: 3 } }]),
    }
    const sampled = (await host.engine.run(withOverrides(batch, []))).outputs.get('4')!.latent as Latent
    expect(sampled.dims).toEqual([3, 4, 8, 8])
    // Outside the mask the empty latent's zeros come back after the last step, in each of the three.
    const mask = expectedLatentMask()
    const outside = Array.from(sampled.data).filter((_, i) => mask[i % 64] === 0)
    expect(outside.length).toBe(3 * 4 * 39)
    expect(outside.every((v) => v === 0)).toBe(true)
    expect(Array.from(sampled.data).filter((_, i) => mask[i % 64] === 1).some((v) => v !== 0)).toBe(true)
  })
})

describe("the inpainting start's random draws", () => {
  it("draws the image's posterior sample, the noise, then the masked image's sample (diffusers' prepare_mask_latents) before any step noise", () => {
    const size = 16
    const posterior = { mean: new Float32Array(size).fill(0.5), std: new Float32Array(size).fill(0.1), scalingFactor: 0.18215 }
    const options = (noiseMask?: LatentNoiseMask) => ({
      scheduler: createScheduler('ddim', { timestep_spacing: 'trailing' }), steps: 2, denoise: 1, seed: 5, cfg: 1, guidanceRescale: 0,
      latent: new Float32Array(size), encoded: { posterior }, batch: 1, ...(noiseMask ? { noiseMask } : {}),
    })
    const inpaint = startSampling(options({ data: new Float32Array(4).fill(1), batch: 1 }))
    const expected = new TorchGenerator(5)
    const eps = expected.randn(size)
    const noise = expected.randn(size)
    expected.randn(size)
    expect(Array.from(inpaint.noise)).toEqual(Array.from(noise))
    // Pure noise at denoise 1 (DDIM's init sigma is 1), and the image drawn from its posterior with the first draw.
    expect(Array.from(inpaint.latents)).toEqual(Array.from(noise))
    expect(inpaint.image[0]).toBe(Math.fround(0.18215 * Math.fround(0.5 + Math.fround(Math.fround(0.1) * eps[0]!))))
    expect(Array.from(inpaint.generator.randn(4))).toEqual(Array.from(expected.randn(4)))
    // img2img draws no third sample.
    const img2img = startSampling(options())
    const plainDraws = new TorchGenerator(5)
    plainDraws.randn(2 * size)
    expect(Array.from(img2img.generator.randn(4))).toEqual(Array.from(plainDraws.randn(4)))
  })
})
