// Conditioning Average, Concat and Zero Out as ComfyUI computes them, on two prompts' encodings from the bundled
// models; their ComfyUI import and export; and SDXL guidance with no negative exported as ConditioningZeroOut.
import { afterAll, describe, expect, it } from 'vitest'
import type { Conditioning } from '../../nodes/types.js'
import { exportComfyPrompt } from '../../src/graph/comfyui-export.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'
import { withoutLoRA } from '../helpers/shapes-reference.js'
import { createTestHost, registry, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(async () => host.dispose())

const link = (node: string, output: string) => ({ from: [node, output] as [string, string] })
const base = withoutLoRA(shippedGraph('shapes-4step.json'))
const LONG = Array(7).fill('a small red circle in the bottom left on a blue background').join(', ')

/** The shapes graph with a second prompt `21` and `node` (id 20) between the prompts and the sampler's positive. */
function combined(node: Omit<GraphNode, 'id'>, second = 'a blue square'): GraphFile {
  return {
    ...base,
    nodes: [
      ...base.nodes.map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: { ...n.inputs, positive: link('20', 'conditioning') } } : n)),
      { id: '21', type: 'CLIPTextEncode', version: 2, inputs: { clip: link('1', 'clip'), text: second, syntax: 'comfyui' } },
      { id: '20', ...node },
    ],
  }
}

async function outputs(graph: GraphFile): Promise<{ to: Conditioning; from: Conditioning; out: Conditioning }> {
  // Scene Score checks a caption of its own: the combined prompts are not one shapes caption.
  const result = await host.engine.run(withOverrides(graph, ['8.caption=a green triangle']))
  const get = (id: string) => result.outputs.get(id)!.conditioning as Conditioning
  return { to: get('2'), from: get('21'), out: get('20') }
}

describe('conditioning nodes', () => {
  it('Average: to x strength + from x (1 - strength) in float32, from cut or zero-padded to the length of to', async () => {
    const average = (second: string) => combined({ type: 'ConditioningAverage', version: 1, inputs: { conditioning_to: link('2', 'conditioning'), conditioning_from: link('21', 'conditioning'), conditioning_to_strength: 0.3 } }, second)
    const f = Math.fround
    const { to, from, out } = await outputs(average('a blue square'))
    expect(out.dims).toEqual([1, 77, 64])
    const expected = Float32Array.from(to.hiddenStates, (v, i) => f(f(v * f(0.3)) + f(from.hiddenStates[i]! * f(1 - 0.3))))
    expect(Array.from(out.hiddenStates)).toEqual(Array.from(expected))
    expect(out.prompt).toBe(to.prompt)
    // A longer from (two windows) is cut to the 77 tokens of to.
    const long = await outputs(average(LONG))
    expect(long.from.dims[1]).toBe(154)
    expect(long.out.dims).toEqual([1, 77, 64])
    // A shorter from is padded with zeros: swap them, and the second window is to x strength alone.
    const swapped = await outputs(
      combined({ type: 'ConditioningAverage', version: 1, inputs: { conditioning_to: link('21', 'conditioning'), conditioning_from: link('2', 'conditioning'), conditioning_to_strength: 0.3 } }, LONG),
    )
    expect(swapped.out.dims).toEqual([1, 154, 64])
    const at = 100 * 64 + 5
    // (outputs() names nodes 2 and 21 to and from: here node 21, the long prompt, is conditioning_to.)
    expect(swapped.from.dims[1]).toBe(154)
    expect(swapped.out.hiddenStates[at]).toBe(f(swapped.from.hiddenStates[at]! * f(0.3)))
  })

  it('Concat: the tokens of to, then those of from; the sampler takes the longer conditioning', async () => {
    const { to, from, out } = await outputs(combined({ type: 'ConditioningConcat', version: 1, inputs: { conditioning_to: link('2', 'conditioning'), conditioning_from: link('21', 'conditioning') } }))
    expect(out.dims).toEqual([1, 154, 64])
    expect(Array.from(out.hiddenStates.subarray(0, 77 * 64))).toEqual(Array.from(to.hiddenStates))
    expect(Array.from(out.hiddenStates.subarray(77 * 64))).toEqual(Array.from(from.hiddenStates))
  })

  it('Zero Out: zeros in the same shape, pooled too (SDXL)', async () => {
    const sdxl = shippedGraph('tiny-sdxl-4step.json')
    const graph: GraphFile = {
      ...sdxl,
      nodes: [...sdxl.nodes.map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: { ...n.inputs, positive: link('20', 'conditioning') } } : n)), { id: '20', type: 'ConditioningZeroOut', version: 1, inputs: { conditioning: link('2', 'conditioning') } }],
    }
    const result = await host.engine.run(withOverrides(graph, ['3.width=64', '3.height=64']))
    const zeros = result.outputs.get('20')!.conditioning as Conditioning
    const prompt = result.outputs.get('2')!.conditioning as Conditioning
    expect(zeros.dims).toEqual(prompt.dims)
    expect(zeros.hiddenStates.every((v) => v === 0)).toBe(true)
    expect(zeros.pooled!.length).toBe(prompt.pooled!.length)
    expect(zeros.pooled!.every((v) => v === 0)).toBe(true)
  })

  it('names conditioning_from when the two come from different text encoders', async () => {
    const graph = combined({ type: 'ConditioningConcat', version: 1, inputs: { conditioning_to: link('2', 'conditioning'), conditioning_from: link('31', 'conditioning') } })
    const sdxl: GraphFile = {
      ...graph,
      nodes: [...graph.nodes, { id: '30', type: 'LoadPipeline', version: 1, inputs: { model: 'tiny-sdxl' } }, { id: '31', type: 'CLIPTextEncode', version: 2, inputs: { clip: link('30', 'clip'), text: 'x', syntax: 'comfyui' } }],
    }
    await expect(host.engine.run(withOverrides(sdxl, []))).rejects.toThrow(/node 20 \(ConditioningConcat\), input "conditioning_from": has 40 features per token and conditioning_to 64/)
  })

  it('imports and exports ComfyUI\'s ConditioningAverage, ConditioningConcat and ConditioningZeroOut', () => {
    const prompt = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'hyper-shapes.safetensors' } },
      '2': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a red circle' } },
      '3': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'a blue square' } },
      '4': { class_type: 'ConditioningAverage', inputs: { conditioning_to: ['2', 0], conditioning_from: ['3', 0], conditioning_to_strength: 0.25 } },
      '5': { class_type: 'ConditioningConcat', inputs: { conditioning_to: ['4', 0], conditioning_from: ['3', 0] } },
      '6': { class_type: 'ConditioningZeroOut', inputs: { conditioning: ['5', 0] } },
    }
    const { graph, report } = importComfyUI(JSON.stringify(prompt), 'cond.json')
    expect(report.placeholders).toEqual([])
    const node = (id: string) => graph.nodes.find((n) => n.id === id)!
    expect(node('4')).toMatchObject({ type: 'ConditioningAverage', inputs: { conditioning_to: link('2', 'conditioning'), conditioning_from: link('3', 'conditioning'), conditioning_to_strength: 0.25 } })
    expect(node('5')).toMatchObject({ type: 'ConditioningConcat', inputs: { conditioning_to: link('4', 'conditioning') } })
    expect(node('6')).toMatchObject({ type: 'ConditioningZeroOut', inputs: { conditioning: link('5', 'conditioning') } })
    const back = JSON.parse(JSON.stringify(exportComfyPrompt(graph, { describe: (type) => registry.get(type) }).document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    expect(Object.values(back).map((n) => n.class_type)).toEqual(expect.arrayContaining(['ConditioningAverage', 'ConditioningConcat', 'ConditioningZeroOut']))
    expect(Object.values(back).find((n) => n.class_type === 'ConditioningAverage')!.inputs['conditioning_to_strength']).toBe(0.25)
  })

  it("exports SDXL guidance with no negative as ComfyUI's ConditioningZeroOut of the positive (diffusers' force_zeros_for_empty_prompt)", () => {
    const sdxl = shippedGraph('hyper-sdxl-8step-cfg.json')
    const noNegative: GraphFile = { ...sdxl, nodes: sdxl.nodes.filter((n) => n.title !== 'Negative prompt').map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([k]) => k !== 'negative')) } : n)) }
    const { document, warnings } = exportComfyPrompt(noNegative, { describe: (type) => registry.get(type) })
    const nodes = JSON.parse(JSON.stringify(document)) as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const [zeroId, zero] = Object.entries(nodes).find(([, n]) => n.class_type === 'ConditioningZeroOut')!
    const sampler = Object.values(nodes).find((n) => n.inputs['negative'] !== undefined)!
    expect(sampler.inputs['negative']).toEqual([zeroId, 0])
    expect(zero.inputs['conditioning']).toEqual(sampler.inputs['positive'])
    expect(warnings.join('\n')).not.toMatch(/negative is not connected/)
  })
})
