import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent } from '../../nodes/types.js'
import { GraphValidationError, NodeExecutionError } from '../../src/engine/index.js'
import { clipTokenizerFromFiles, tokenizeForModel } from '../../src/text/index.js'
import { referenceDdimTrailing } from '../helpers/reference-loop.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(() => host.dispose())
const graph = shippedGraph('tiny-sd15-4step.json')
const sampled = async (overrides: string[]) => (await host.engine.run(withOverrides(graph, overrides))).outputs.get('4')!.latent as Latent

describe('TSCD Sampler on the tiny model', () => {
  it('computes exactly what a hand-written diffusers-style loop on bare onnxruntime computes', async () => {
    const latent = await sampled(['4.seed=1234', '4.steps=2'])
    const dir = join(ROOT, 'public', 'models', 'tiny-sd15')
    const text = await ort.InferenceSession.create(join(dir, 'text_encoder', 'model.onnx'))
    const tokenizer = clipTokenizerFromFiles(readFileSync(join(dir, 'tokenizer', 'vocab.json'), 'utf8'), readFileSync(join(dir, 'tokenizer', 'merges.txt'), 'utf8'))
    const ids = tokenizeForModel(tokenizer, graph.nodes.find((n) => n.id === '2')!.inputs.text as string, { padId: 49407 }).ids
    const hidden = (await text.run({ input_ids: new ort.Tensor('int32', ids, [1, 77]) })).last_hidden_state!
    const reference = await referenceDdimTrailing({ folder: dir, steps: 2, seed: 1234, latentSize: [32, 32], conditioning: { encoder_hidden_states: hidden } })
    expect(reference.timesteps).toEqual([999, 499])
    expect(latent.dims).toEqual([1, 4, 32, 32])
    expect(Array.from(latent.data)).toEqual(Array.from(reference.latents))
    expect(latent.parameters).toMatchObject({ seed: 1234, steps: 2, scheduler: 'ddim-trailing', timesteps: '999,499' })
  })

  it('runs every preset, and eta only changes multi-step TCD', async () => {
    const tcd = ['4.scheduler=tcd', '4.steps=4']
    const a = await sampled([...tcd, '4.eta=0.3'])
    const b = await sampled([...tcd, '4.eta=0.8'])
    expect(a.parameters?.timesteps).toBe('999,759,499,259')
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data))
    const oneStepA = await sampled(['4.scheduler=tcd', '4.steps=1', '4.eta=0.3'])
    const oneStepB = await sampled(['4.scheduler=tcd', '4.steps=1', '4.eta=1'])
    expect(Array.from(oneStepA.data)).toEqual(Array.from(oneStepB.data))
    expect((await sampled(['4.scheduler=lcm-800', '4.steps=1'])).parameters?.timesteps).toBe('800')
    expect((await sampled(['4.scheduler=euler-trailing', '4.steps=4'])).parameters?.timesteps).toBe('999,749,499,249')
    for (const l of [a, b, oneStepA]) expect(l.data.every(Number.isFinite)).toBe(true)
  })

  it('batches cond/uncond when cfg > 1 and needs a negative for it', async () => {
    await expect(host.engine.run(withOverrides(graph, ['4.cfg=5']))).rejects.toThrow('node 4 (TSCDSampler), input "negative": cfg 5 > 1 needs a negative conditioning')
    const withNegative = withOverrides(graph, ['4.cfg=5'])
    const nodes = withNegative.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, negative: { from: ['8', 'conditioning'] as [string, string] } } } : n))
    const result = await host.engine.run({ nodes: [...nodes, { id: '8', type: 'CLIPTextEncode', inputs: { clip: { from: ['1', 'clip'] }, text: 'blurry' } }] })
    const guided = result.outputs.get('4')!.latent as Latent
    const plain = await sampled([])
    expect(Array.from(guided.data)).not.toEqual(Array.from(plain.data))
    expect(guided.parameters).toMatchObject({ cfg: 5, negative_prompt: 'blurry' })
  })

  it('gives clear errors naming the input', async () => {
    const expectIssue = async (overrides: string[], text: string) => {
      const run = host.engine.run(withOverrides(graph, overrides))
      await expect(run).rejects.toThrow(text)
    }
    await expect(host.engine.run(withOverrides(graph, ['4.steps=0']))).rejects.toBeInstanceOf(GraphValidationError)
    await expectIssue(['4.steps=0'], 'node 4 (TSCDSampler), input "steps": 0 is below the minimum 1')
    await expectIssue(['4.steps=-3'], 'input "steps": -3 is below the minimum 1')
    await expectIssue(['4.eta=1.5'], 'input "eta": 1.5 is above the maximum 1')
    await expectIssue(['4.timesteps=500,800'], 'input "timesteps"')
    await expectIssue(['4.timesteps=1000'], 'input "timesteps"')
    await expectIssue(['4.timesteps=abc'], 'input "timesteps": "abc" is not a whole-number timestep')
    await expectIssue(['4.scheduler=tcd', '4.steps=51'], 'input "steps"')
    const badScheduler = withOverrides(graph, [])
    const nodes = badScheduler.nodes.map((n) => (n.id === '4' ? { ...n, inputs: { ...n.inputs, scheduler: 'dpmpp' } } : n))
    await expect(host.engine.run({ nodes })).rejects.toThrow('input "scheduler": "dpmpp" is not one of ddim-trailing')
    await expectIssue(['3.width=260'], 'node 3 (EmptyLatent), input "width": 260 is not a multiple of 8')
    await expectIssue(['3.width=264'], 'node 4 (TSCDSampler), input "latent": size 264x256 px is not a multiple of 16 px')
    await expect(host.engine.run(withOverrides(graph, ['3.width=264']))).rejects.toBeInstanceOf(NodeExecutionError)
  })

  it('keeps the text encoder cached when only sampler settings change', async () => {
    const fresh = createTestHost()
    try {
      await fresh.engine.run(withOverrides(graph, []))
      for (const change of ['4.seed=9', '4.steps=2', '4.scheduler=tcd', '4.eta=0.5']) {
        const result = await fresh.engine.run(withOverrides(graph, [change]))
        expect(result.nodesCached).toContain('2')
        expect(result.nodesRun).toEqual(expect.arrayContaining(['4', '5', '6']))
        expect(result.nodesRun).not.toContain('2')
      }
      expect(fresh.sessions.stats.creates).toBe(3)
    } finally {
      await fresh.dispose()
    }
  })
})
