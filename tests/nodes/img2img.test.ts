// img2img on the bundled shapes model: Load Image -> VAE Encode -> TSCD Sampler (denoise < 1), checked against
// diffusers' img2img start written by hand on bare onnxruntime (tests/helpers/reference-loop.ts), bit for bit.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch, Latent } from '../../nodes/types.js'
import { NodeExecutionError } from '../../src/engine/index.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { decodePng, encodePng } from '../../src/graph/png.js'
import { rgbDifference } from '../helpers/arrays.js'
import { referenceDdimTrailing } from '../helpers/reference-loop.js'
import { encodeShapesImage, posteriorPipeline, promptHiddenStates, SHAPES, withoutLoRA } from '../helpers/shapes-reference.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const SKETCH = join(ROOT, 'public', 'input', 'shapes-sketch.png')
const graph = shippedGraph('shapes-img2img.json')
const plain = withoutLoRA(graph)


const host = createTestHost()
const posteriorHost = createTestHost(new Map([['hyper-shapes', posteriorPipeline()]]))
afterAll(async () => Promise.all([host.dispose(), posteriorHost.dispose()]))

const sampled = async (h: typeof host, g: GraphFile, overrides: string[]) => (await h.engine.run(withOverrides(g, overrides))).outputs.get('4')!.latent as Latent

/** What the UNet is conditioned on, and the sketch through the encoder as diffusers gives it. */
async function references() {
  return { hidden: await promptHiddenStates(graph), ...(await encodeShapesImage(decodePng(new Uint8Array(readFileSync(SKETCH))).data)) }
}

describe('img2img (Load Image, VAE Encode, denoise)', () => {
  it('equals diffusers\' img2img start by hand on bare onnxruntime: the encoded sketch noised to t=499, then DDIM 499, 249', async () => {
    const { hidden, mean, scaling } = await references()
    const latent = await sampled(host, plain, ['4.seed=7'])
    const reference = await referenceDdimTrailing({
      folder: SHAPES, steps: 4, seed: 7, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden },
      init: { strength: 0.5, latents: () => mean.map((v) => Math.fround(scaling * v)) },
    })
    expect(reference.timesteps).toEqual([499, 249])
    expect(Array.from(latent.data)).toEqual(Array.from(reference.latents))
    expect(latent.parameters).toMatchObject({ timesteps: '499,249', denoise: 0.5, init_image: 'shapes-sketch.png' })
  })

  it('at denoise 1 an encoded image is still noised (t=999), not replaced by noise as an empty latent is', async () => {
    const { hidden, mean, scaling } = await references()
    const latent = await sampled(host, plain, ['4.seed=7', '4.denoise=1'])
    const reference = await referenceDdimTrailing({
      folder: SHAPES, steps: 4, seed: 7, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden },
      init: { strength: 1, latents: () => mean.map((v) => Math.fround(scaling * v)) },
    })
    expect(Array.from(latent.data)).toEqual(Array.from(reference.latents))
    const textToImage = await referenceDdimTrailing({ folder: SHAPES, steps: 4, seed: 7, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden } })
    expect(Array.from(latent.data)).not.toEqual(Array.from(textToImage.latents))
  })

  it('draws from the posterior first when the encoder exports latent_parameters (diffusers\' retrieve_latents, one generator)', async () => {
    const { hidden, mean, scaling } = await references()
    const encoded = (await posteriorHost.engine.run(withOverrides(plain, []))).outputs.get('12')!.latent as Latent
    // The node's latent is the scaled mean; the sample is drawn in the sampler, with the run's seed.
    expect(Array.from(encoded.data)).toEqual(Array.from(mean, (v) => Math.fround(scaling * v)))
    const latent = await sampled(posteriorHost, plain, ['4.seed=7'])
    const reference = await referenceDdimTrailing({
      folder: SHAPES, steps: 4, seed: 7, latentSize: [8, 8], conditioning: { encoder_hidden_states: hidden },
      init: {
        strength: 0.5,
        latents: (generator) => {
          const eps = generator.randn(mean.length)
          return mean.map((m, i) => Math.fround(scaling * Math.fround(m + Math.fround(Math.fround(Math.exp(0.5 * (m * 0.5 - 1))) * eps[i]!))))
        },
      },
    })
    const close = Array.from(latent.data).every((v, i) => Math.abs(v - reference.latents[i]!) < 1e-5)
    expect(close).toBe(true)
    // Not the mean's result: the posterior's spread was drawn.
    expect(Array.from(latent.data)).not.toEqual(Array.from((await sampled(host, plain, ['4.seed=7'])).data))
  })

  it('keeps more of the sketch at low denoise and follows the prompt at high: Scene Score all right on both', async () => {
    const sketch = decodePng(new Uint8Array(readFileSync(SKETCH))).data
    const picture = async (denoise: number) => {
      const result = await host.engine.run(withOverrides(graph, [`4.denoise=${denoise}`]))
      return { image: (result.outputs.get('5')!.image as ImageBatch).images[0]!, allRight: result.outputs.get('8')!.all_right }
    }
    const low = await picture(0.25)
    const high = await picture(1)
    expect(low.allRight).toBe(1)
    expect(high.allRight).toBe(1)
    expect(rgbDifference(sketch, low.image).mean).toBeLessThan(rgbDifference(sketch, high.image).mean)
  })

  it('names the node, input and file for a missing image, no image, and a pipeline without a VAE encoder', async () => {
    await expect(host.engine.run(withOverrides(graph, ['3.image=']))).rejects.toThrow('node 3 (LoadImage), input "image": no image chosen')
    const missing = host.engine.run(withOverrides(graph, ['3.image=no-such-sketch.png']))
    await expect(missing).rejects.toBeInstanceOf(NodeExecutionError)
    await expect(missing).rejects.toThrow(/node 3 \(LoadImage\), input "image": "no-such-sketch.png": file not found \(looked in .*public\/input\/no-such-sketch.png/)
    const tiny = host.engine.run(withOverrides(graph, ['1.model=tiny-sd15']))
    await expect(tiny).rejects.toThrow(/node 12 \(VAEEncode\), input "vae": .*vae_encoder\/model\.onnx: file not found: pipeline "tiny-sd15" has no VAE encoder/)
  })

  it('Scale Image between Load Image and VAE Encode sets the latent size (a 0 side follows the aspect ratio)', async () => {
    const scaled: GraphFile = {
      ...graph,
      nodes: [
        ...graph.nodes.map((n) => (n.type === 'VAEEncode' ? { ...n, inputs: { ...n.inputs, image: { from: ['20', 'image'] as [string, string] } } } : n)),
        { id: '20', type: 'ImageScale', version: 1, inputs: { image: { from: ['3', 'image'] as [string, string] }, method: 'lanczos', width: 32, height: 0, crop: 'disabled' } },
      ],
    }
    const result = await host.engine.run(withOverrides(scaled, []))
    expect((result.outputs.get('20')!.image as ImageBatch).width).toBe(32)
    expect((result.outputs.get('12')!.latent as Latent).dims).toEqual([1, 4, 4, 4])
  })

  it('Scale Image By rounds each side as Python does (halves to even)', async () => {
    const by: GraphFile = {
      ...graph,
      nodes: [
        ...graph.nodes.map((n) => (n.type === 'VAEEncode' ? { ...n, inputs: { ...n.inputs, image: { from: ['20', 'image'] as [string, string] } } } : n)),
        { id: '20', type: 'ImageScaleBy', version: 1, inputs: { image: { from: ['3', 'image'] as [string, string] }, method: 'bilinear', scale_by: 0.5078125 } },
      ],
    }
    // The 64 px sketch x 0.5078125 = 32.5 px: 32 (Math.round would give 33, which VAE Encode would then crop).
    const result = await host.engine.run(withOverrides(by, []))
    const image = result.outputs.get('20')!.image as ImageBatch
    expect([image.width, image.height]).toEqual([32, 32])
    expect((result.outputs.get('12')!.latent as Latent).dims).toEqual([1, 4, 4, 4])
  })

  it('crops a size that is not a multiple of 8 to one, centred, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-odd-'))
    const odd = new Uint8ClampedArray(70 * 67 * 4).fill(200)
    writeFileSync(join(dir, 'odd.png'), encodePng(odd, 70, 67))
    const warnings: string[] = []
    const result = await host.engine.run(withOverrides(graph, [`3.image=${join(dir, 'odd.png')}`]), {
      onEvent: (event) => {
        if (event.type === 'node-warning') warnings.push(event.message)
      },
    })
    expect((result.outputs.get('12')!.latent as Latent).dims).toEqual([1, 4, 8, 8])
    expect(warnings).toContain('image 70x67 px cropped to 64x64 (the VAE needs multiples of 8)')
  })
})
