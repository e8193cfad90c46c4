// Latent From Batch and Repeat Latent Batch: an item picked from a batch samples to the image it had in the batch
// (its noise and per-step noise as drawn for the whole batch, ComfyUI's batch_index), and a repeated encoded image gives
// one variation per copy. ComfyUI import and export.
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent } from '../../nodes/types.js'
import { exportComfyPrompt } from '../../src/graph/comfyui-export.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'
import { createTestHost, registry, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(async () => host.dispose())

const link = (node: string, output: string) => ({ from: [node, output] as [string, string] })
const base = shippedGraph('shapes-4step.json')

/** `graph` with `nodes` (the last one feeding the sampler) between `from`'s latent and the sampler. */
function between(graph: GraphFile, from: string, nodes: readonly Omit<GraphNode, 'inputs'>[], inputs: readonly GraphNode['inputs'][]): GraphFile {
  const chain = nodes.map((n, i): GraphNode => ({ ...n, inputs: { samples: link(i === 0 ? from : nodes[i - 1]!.id, 'latent'), ...inputs[i] } }))
  return { ...graph, nodes: [...graph.nodes.map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: { ...n.inputs, latent: link(chain.at(-1)!.id, 'latent') } } : n)), ...chain] }
}

const pick = (graph: GraphFile, index: number, length = 1) => between(graph, '3', [{ id: '20', type: 'LatentFromBatch', version: 1 }], [{ batch_index: index, length }])
const sampled = async (graph: GraphFile, overrides: string[]) => (await host.engine.run(withOverrides(graph, overrides))).outputs.get('4')!.latent as Latent

function worstDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!))
  return worst
}

describe('Latent From Batch', () => {
  for (const [name, overrides] of [
    ['DDIM', []],
    ['TCD at eta 1 (fresh noise at every step)', ['4.scheduler=tcd', '4.eta=1']],
  ] as const) {
    it(`an item picked from an empty batch of 4 samples to that item of the batch, alone (${name})`, async () => {
      const batch = await sampled(base, ['3.batch=4', ...overrides])
      const item2 = await sampled(pick(base, 2), ['3.batch=4', ...overrides])
      expect(item2.dims).toEqual([1, 4, 8, 8])
      expect([item2.batchIndex, item2.batchSize]).toEqual([[2], 4])
      const per = 4 * 8 * 8
      // The UNet on a batch of 4 against a batch of 1: the same up to float rounding.
      expect(worstDifference(item2.data, batch.data.subarray(2 * per, 3 * per))).toBeLessThan(1e-4)
      // Item 0 alone is not item 2: the draws are the item's, not the first ones.
      const first = await sampled(pick(base, 0), ['3.batch=4', ...overrides])
      expect(worstDifference(first.data, batch.data.subarray(0, per))).toBeLessThan(1e-4)
      expect(worstDifference(first.data, item2.data)).toBeGreaterThan(0.1)
    })
  }

  it('a picked item keeps its place through Upscale Latent By, for a second pass', async () => {
    const graph = between(base, '3', [{ id: '20', type: 'LatentFromBatch', version: 1 }, { id: '21', type: 'LatentUpscaleBy', version: 1 }], [{ batch_index: 2, length: 1 }, { method: 'bilinear', scale_by: 2 }])
    const upscaled = (await host.engine.run(withOverrides(graph, ['3.batch=4']))).outputs.get('21')!.latent as Latent
    expect([upscaled.batchIndex, upscaled.batchSize]).toEqual([[2], 4])
  })

  it('cuts batch_index and length to the batch, and a picked item picked again keeps its place', async () => {
    const twice = between(base, '3', [{ id: '20', type: 'LatentFromBatch', version: 1 }, { id: '21', type: 'LatentFromBatch', version: 1 }], [{ batch_index: 1, length: 3 }, { batch_index: 1, length: 5 }])
    const result = await host.engine.run(withOverrides(twice, ['3.batch=4']))
    expect((result.outputs.get('20')!.latent as Latent).batchIndex).toEqual([1, 2, 3])
    expect((result.outputs.get('21')!.latent as Latent).batchIndex).toEqual([2, 3])
    const beyond = await host.engine.run(withOverrides(pick(base, 9, 4), ['3.batch=4']))
    expect((beyond.outputs.get('20')!.latent as Latent).batchIndex).toEqual([3])
  })
})

describe('Repeat Latent Batch', () => {
  it('repeats an encoded image: one img2img variation per copy', async () => {
    const img2img = shippedGraph('shapes-img2img.json')
    const graph = between(img2img, '12', [{ id: '20', type: 'RepeatLatentBatch', version: 1 }], [{ amount: 3 }])
    const result = await host.engine.run(withOverrides(graph, []))
    const repeated = result.outputs.get('20')!.latent as Latent
    expect(repeated.dims).toEqual([3, 4, 8, 8])
    expect(repeated.encoded).toBeDefined()
    const out = result.outputs.get('4')!.latent as Latent
    const per = 4 * 8 * 8
    expect(worstDifference(out.data.subarray(0, per), out.data.subarray(per, 2 * per))).toBeGreaterThan(0.05)
  })

  it('places the copies of picked items after them, as ComfyUI offsets batch_index', async () => {
    const graph = between(base, '3', [{ id: '20', type: 'LatentFromBatch', version: 1 }, { id: '21', type: 'RepeatLatentBatch', version: 1 }], [{ batch_index: 1, length: 2 }, { amount: 2 }])
    const result = await host.engine.run(withOverrides(graph, ['3.batch=4']))
    expect((result.outputs.get('21')!.latent as Latent).batchIndex).toEqual([1, 2, 3, 4])
  })
})

describe('ComfyUI', () => {
  it('imports and exports LatentFromBatch and RepeatLatentBatch', () => {
    const prompt = {
      '1': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 4 } },
      '2': { class_type: 'LatentFromBatch', inputs: { samples: ['1', 0], batch_index: 2, length: 1 } },
      '3': { class_type: 'RepeatLatentBatch', inputs: { samples: ['2', 0], amount: 3 } },
    }
    const { graph, report } = importComfyUI(JSON.stringify(prompt), 'batch.json')
    expect(report.placeholders).toEqual([])
    expect(graph.nodes.find((n) => n.id === '2')).toMatchObject({ type: 'LatentFromBatch', inputs: { samples: link('1', 'latent'), batch_index: 2, length: 1 } })
    expect(graph.nodes.find((n) => n.id === '3')).toMatchObject({ type: 'RepeatLatentBatch', inputs: { samples: link('2', 'latent'), amount: 3 } })
    const back = Object.values(JSON.parse(JSON.stringify(exportComfyPrompt(graph, { describe: (type) => registry.get(type) }).document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>)
    expect(back.find((n) => n.class_type === 'LatentFromBatch')!.inputs).toMatchObject({ batch_index: 2, length: 1 })
    expect(back.find((n) => n.class_type === 'RepeatLatentBatch')!.inputs).toMatchObject({ amount: 3 })
  })
})
