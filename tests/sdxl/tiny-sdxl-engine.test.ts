// The SDXL code paths end to end on the tiny SDXL pipeline: CLIP encode with two encoders (penultimate hidden
// states concatenated, pooled text_embeds from the second, tokenizer_2 padding with "!"), the sampler's
// text_embeds/time_ids feeds, and the VAE's SDXL scaling, checked against a hand-written loop on bare onnxruntime.
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import type { Conditioning, ImageBatch, Latent } from '../../nodes/types.js'
import { decodedToRgba } from '../../src/imaging/decoded-image.js'
import { clipTokenizerFromFiles, tokenizeForModel } from '../../src/text/index.js'
import { referenceDdimTrailing } from '../helpers/reference-loop.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const DIR = join(ROOT, 'public', 'models', 'tiny-sdxl')
const D1 = 16
const D2 = 24
const host = createTestHost()
const graph = shippedGraph('tiny-sdxl-4step.json')
const PROMPT = graph.nodes.find((n) => n.id === '2')!.inputs.text as string
const sessions = new Map<string, ort.InferenceSession>()
async function bare(folder: string): Promise<ort.InferenceSession> {
  let s = sessions.get(folder)
  if (!s) sessions.set(folder, (s = await ort.InferenceSession.create(join(DIR, folder, 'model.onnx'))))
  return s
}
afterAll(async () => {
  await host.dispose()
  for (const s of sessions.values()) await s.release()
})

const tokenizer = clipTokenizerFromFiles(readFileSync(join(DIR, 'tokenizer', 'vocab.json'), 'utf8'), readFileSync(join(DIR, 'tokenizer', 'merges.txt'), 'utf8'))
const ids = (padId: number) => new ort.Tensor('int32', tokenizeForModel(tokenizer, PROMPT, { padId }).ids, [1, 77])

/** diffusers' encode_prompt for SDXL: hidden_states[-2] of each encoder, concatenated; text_embeds of the second. */
async function referenceConditioning(pad2 = 0): Promise<{ hidden: Float32Array; pooled: Float32Array }> {
  const first = await (await bare('text_encoder')).run({ input_ids: ids(49407) })
  const second = await (await bare('text_encoder_2')).run({ input_ids: ids(pad2) })
  const a = first['hidden_states.1']!.data as Float32Array
  const b = second['hidden_states.2']!.data as Float32Array
  const hidden = new Float32Array(77 * (D1 + D2))
  for (let t = 0; t < 77; t++) {
    hidden.set(a.subarray(t * D1, (t + 1) * D1), t * (D1 + D2))
    hidden.set(b.subarray(t * D2, (t + 1) * D2), t * (D1 + D2) + D1)
  }
  return { hidden, pooled: second.text_embeds!.data as Float32Array }
}

describe('tiny SDXL through the engine', () => {
  it('CLIP encode: penultimate states of both encoders concatenated (16 + 24), pooled text_embeds, tokenizer_2 pads with "!"', async () => {
    const result = await host.engine.run(withOverrides(graph, []))
    const cond = result.outputs.get('2')!.conditioning as Conditioning
    expect(cond.dims).toEqual([1, 77, D1 + D2])
    expect(cond.pooled).toHaveLength(32)
    const reference = await referenceConditioning(0)
    expect(Array.from(cond.hiddenStates)).toEqual(Array.from(reference.hidden))
    expect(Array.from(cond.pooled!)).toEqual(Array.from(reference.pooled))
    // Padding tokenizer_2 with <|endoftext|> instead of "!" changes the second encoder's part after the prompt.
    const wrongPad = await referenceConditioning(49407)
    expect(Array.from(cond.hiddenStates)).not.toEqual(Array.from(wrongPad.hidden))
  })

  it('the 4-step graph gives a finite image, the same on two fresh hosts', async () => {
    const image = async () => {
      const fresh = createTestHost()
      try {
        const result = await fresh.engine.run(withOverrides(graph, []))
        return result.outputs.get('5')!.image as ImageBatch
      } finally {
        await fresh.dispose()
      }
    }
    const a = await image()
    const b = await image()
    expect([a.width, a.height]).toEqual([256, 256])
    expect(Array.from(a.images[0]!)).toEqual(Array.from(b.images[0]!))
    const px = a.images[0]!
    let min = 255
    let max = 0
    for (let i = 0; i < px.length; i += 4) (min = Math.min(min, px[i]!)), (max = Math.max(max, px[i]!))
    expect(max - min).toBeGreaterThan(20)
  })

  it('sampler + VAE decode equal a hand-written SDXL loop on bare onnxruntime (text_embeds, time_ids, scaling 0.13025)', async () => {
    const result = await host.engine.run(withOverrides(graph, ['4.seed=777', '4.steps=2']))
    const latent = result.outputs.get('4')!.latent as Latent
    const image = result.outputs.get('5')!.image as ImageBatch
    const { hidden, pooled } = await referenceConditioning()
    const { latents: x, timesteps } = await referenceDdimTrailing({
      folder: DIR,
      steps: 2,
      seed: 777,
      latentSize: [32, 32],
      conditioning: {
        encoder_hidden_states: new ort.Tensor('float32', hidden, [1, 77, D1 + D2]),
        text_embeds: new ort.Tensor('float32', pooled, [1, 32]),
        // original size, crop top-left, target size: 256 px, no crop.
        time_ids: new ort.Tensor('float32', Float32Array.of(256, 256, 0, 0, 256, 256), [1, 6]),
      },
    })
    expect(timesteps).toEqual([999, 499])
    expect(latent.dims).toEqual([1, 4, 32, 32])
    expect(Array.from(latent.data)).toEqual(Array.from(x))
    const decoded = await (await bare('vae_decoder')).run({ latent_sample: new ort.Tensor('float32', x.map((v) => v / 0.13025), [1, 4, 32, 32]) })
    const rgba = decodedToRgba(decoded.sample!.data as Float32Array, decoded.sample!.dims)
    expect(Array.from(image.images[0]!)).toEqual(Array.from(rgba.images[0]!))
  })

  it('cfg with no negative prompt guides against zeros, as diffusers does for SDXL (force_zeros_for_empty_prompt)', async () => {
    const result = await host.engine.run(withOverrides(graph, ['4.seed=777', '4.steps=2', '4.cfg=3']))
    const latent = result.outputs.get('4')!.latent as Latent
    const { hidden, pooled } = await referenceConditioning()
    const timeIds = new ort.Tensor('float32', Float32Array.of(256, 256, 0, 0, 256, 256), [1, 6])
    const positive = {
      encoder_hidden_states: new ort.Tensor('float32', hidden, [1, 77, D1 + D2]),
      text_embeds: new ort.Tensor('float32', pooled, [1, 32]),
      time_ids: timeIds,
    }
    const zeros = {
      encoder_hidden_states: new ort.Tensor('float32', new Float32Array(hidden.length), [1, 77, D1 + D2]),
      text_embeds: new ort.Tensor('float32', new Float32Array(pooled.length), [1, 32]),
      time_ids: timeIds,
    }
    const reference = async (scale: number) =>
      (await referenceDdimTrailing({ folder: DIR, steps: 2, seed: 777, latentSize: [32, 32], conditioning: positive, guidance: { scale, negative: zeros } })).latents
    const expected = await reference(3)
    let maxDiff = 0
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(latent.data[i]! - expected[i]!))
    expect(maxDiff).toBeLessThan(1e-5)
    // Guidance really acts: another scale moves the latent far more than the agreement above.
    const other = await reference(6)
    expect(other.some((v, i) => Math.abs(v - expected[i]!) > 1e-2)).toBe(true)
    expect(latent.parameters).not.toHaveProperty('negative_prompt')
  })

  it('an SD1.5 pipeline (no force_zeros_for_empty_prompt) still asks for a negative conditioning when cfg > 1', async () => {
    const sd15 = shippedGraph('tiny-sd15-4step.json')
    const sampler = sd15.nodes.find((n) => n.type === 'TSCDSampler')!.id
    const error = await host.engine.run(withOverrides(sd15, [`${sampler}.cfg=3`])).catch((e: unknown) => e)
    expect(String(error)).toMatch(/negative.*cfg 3 > 1 needs a negative conditioning/s)
  })

  it('the LCM 1-step graph runs from t=800; cfg with a negative prompt batches pooled rows too', async () => {
    const lcm = await host.engine.run(withOverrides(shippedGraph('tiny-sdxl-lcm-1step.json'), []))
    const lcmLatent = lcm.outputs.get('4')!.latent as Latent
    expect(lcmLatent.parameters).toMatchObject({ scheduler: 'lcm-800', timesteps: '800' })
    expect(lcmLatent.data.every(Number.isFinite)).toBe(true)
    const guided = withOverrides(graph, ['4.cfg=3'])
    const nodes = guided.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, negative: { from: ['8', 'conditioning'] as [string, string] } } } : n))
    const result = await host.engine.run({ nodes: [...nodes, { id: '8', type: 'CLIPTextEncode', inputs: { clip: { from: ['1', 'clip'] }, text: 'blurry' } }] })
    const withCfg = result.outputs.get('4')!.latent as Latent
    const plain = (await host.engine.run(withOverrides(graph, []))).outputs.get('4')!.latent as Latent
    expect(withCfg.data.every(Number.isFinite)).toBe(true)
    expect(Array.from(withCfg.data)).not.toEqual(Array.from(plain.data))
  })

  it('an export without unet/config.json still gets text_embeds and time_ids (found from the session inputs)', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'tiny-sdxl-noconfig-'))
    cpSync(DIR, copy, { recursive: true })
    unlinkSync(join(copy, 'unet', 'config.json'))
    const other = createTestHost(new Map([['tiny-sdxl', copy]]))
    try {
      const result = await other.engine.run(withOverrides(graph, ['4.steps=1']))
      const expected = (await host.engine.run(withOverrides(graph, ['4.steps=1']))).outputs.get('4')!.latent as Latent
      expect(Array.from((result.outputs.get('4')!.latent as Latent).data)).toEqual(Array.from(expected.data))
    } finally {
      await other.dispose()
      rmSync(copy, { recursive: true, force: true })
    }
  })
})
