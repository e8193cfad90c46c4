// CLIP Text Encode's two syntaxes on the bundled models, against bare onnxruntime: comfyui (emphasis weights
// blended with the empty prompt's encoding, long prompts in 77-token windows) and diffusers (one window, cut).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import type { Conditioning } from '../../nodes/types.js'
import { exportComfyPrompt } from '../../src/graph/comfyui-export.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { migrateGraph } from '../../src/graph/migrate.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { clipTokenizerFromFiles, promptWindows, tokenizeForModel } from '../../src/text/index.js'
import { SHAPES, withoutLoRA } from '../helpers/shapes-reference.js'
import { createTestHost, registry, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(async () => host.dispose())

const graph = withoutLoRA(shippedGraph('shapes-4step.json'))
const tokenizer = clipTokenizerFromFiles(readFileSync(join(SHAPES, 'tokenizer', 'vocab.json'), 'utf8'), readFileSync(join(SHAPES, 'tokenizer', 'merges.txt'), 'utf8'))
const LONG = Array(5).fill('a large green triangle in the top right on a yellow background with a small red circle in the bottom left').join(', ')

async function conditioning(prompt: string, syntax: 'comfyui' | 'diffusers', g: GraphFile = graph): Promise<{ cond: Conditioning; warnings: string[] }> {
  const warnings: string[] = []
  // Scene Score gets a caption of its own: the long prompts here are not shapes captions.
  const result = await host.engine.run(withOverrides(g, [`2.text=${prompt}`, `2.syntax=${syntax}`, '8.caption=a green triangle']), {
    onEvent: (event) => {
      if (event.type === 'node-warning') warnings.push(event.message)
    },
  })
  return { cond: result.outputs.get('2')!.conditioning as Conditioning, warnings }
}

let encoder: ort.InferenceSession | undefined
async function encode(rows: readonly Int32Array[]): Promise<Float32Array> {
  encoder ??= await ort.InferenceSession.create(join(SHAPES, 'text_encoder', 'model.onnx'))
  const ids = new Int32Array(rows.length * 77)
  rows.forEach((row, i) => ids.set(row, i * 77))
  return (await encoder.run({ input_ids: new ort.Tensor('int32', ids, [rows.length, 77]) })).last_hidden_state!.data as Float32Array
}

describe('CLIP Text Encode: prompt syntax', () => {
  it('encodes a plain prompt of up to 75 tokens the same either way, bit for bit', async () => {
    const prompt = 'a large green triangle in the top right on a yellow background'
    const comfy = (await conditioning(prompt, 'comfyui')).cond
    const diffusers = (await conditioning(prompt, 'diffusers')).cond
    expect(comfy.dims).toEqual([1, 77, 64])
    expect(Array.from(comfy.hiddenStates)).toEqual(Array.from(diffusers.hiddenStates))
  })

  it("weighs emphasised tokens as ComfyUI does: (z - empty) * w + empty, from the empty prompt's encoding", async () => {
    const prompt = 'a large (green:1.4) triangle in the ((top right)) on a yellow background'
    const { cond } = await conditioning(prompt, 'comfyui')
    const windows = promptWindows(tokenizer, prompt, { padId: 49407 })
    const z = await encode(windows.ids)
    const empty = await encode([tokenizeForModel(tokenizer, '', { padId: 49407 }).ids])
    const f = Math.fround
    const expected = Float32Array.from(z, (v, i) => {
      const w = windows.weights[0]![Math.floor(i / 64)]!
      return w === 1 ? v : f(f(f(v - empty[i]!) * f(w)) + empty[i]!)
    })
    expect(cond.dims).toEqual([1, 77, 64])
    let worst = 0
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(cond.hiddenStates[i]! - expected[i]!))
    // The node runs the windows and the empty prompt as one batch; the reference, one at a time.
    expect(worst).toBeLessThan(1e-5)
    // Weighted tokens moved, the rest did not.
    const green = windows.weights[0]!.indexOf(1.4)
    expect(cond.hiddenStates[green * 64]).not.toBe(z[green * 64])
    expect(cond.hiddenStates[0]).toBe(z[0])
  })

  it('encodes a prompt over 75 tokens in windows (comfyui) or cuts it with a warning (diffusers)', async () => {
    const comfy = await conditioning(LONG, 'comfyui')
    const windows = promptWindows(tokenizer, LONG, { padId: 49407 })
    expect(windows.ids.length).toBe(2)
    expect(comfy.cond.dims).toEqual([1, 154, 64])
    expect(comfy.warnings).toEqual([])
    const second = await encode([windows.ids[1]!])
    let worst = 0
    for (let i = 0; i < second.length; i++) worst = Math.max(worst, Math.abs(comfy.cond.hiddenStates[77 * 64 + i]! - second[i]!))
    expect(worst).toBeLessThan(1e-5)
    const diffusers = await conditioning(LONG, 'diffusers')
    expect(diffusers.cond.dims).toEqual([1, 77, 64])
    expect(diffusers.warnings.join('\n')).toMatch(/beyond 75 were dropped \(syntax comfyui encodes them in further windows\)/)
  })

  it('samples a long prompt with a one-window negative (CFG): the negative is repeated to the same length, which attention does not see', async () => {
    const teacher = withoutLoRA(shippedGraph('shapes-teacher.json'))
    const result = await host.engine.run(withOverrides(teacher, [`2.text=${LONG}`, '4.steps=2', '8.caption=a green triangle']))
    expect((result.outputs.get('2')!.conditioning as Conditioning).dims[1]).toBe(154)
    expect((result.outputs.get('10')!.conditioning as Conditioning).dims[1]).toBe(77)
    // Why repeating is sound: the UNet's output for a conditioning and for it repeated twice agree.
    const unet = await ort.InferenceSession.create(join(SHAPES, 'unet', 'model.onnx'))
    const cond = (await conditioning('a red circle', 'comfyui')).cond
    const sample = new ort.Tensor('float32', Float32Array.from({ length: 4 * 8 * 8 }, (_, i) => Math.sin(i)), [1, 4, 8, 8])
    const run = async (states: Float32Array, tokens: number) =>
      (await unet.run({ sample, timestep: new ort.Tensor('int64', BigInt64Array.of(499n), [1]), encoder_hidden_states: new ort.Tensor('float32', states, [1, tokens, 64]) })).out_sample!.data as Float32Array
    const once = await run(cond.hiddenStates, 77)
    const twice = await run(Float32Array.from([...cond.hiddenStates, ...cond.hiddenStates]), 154)
    let worst = 0
    for (let i = 0; i < once.length; i++) worst = Math.max(worst, Math.abs(once[i]! - twice[i]!))
    expect(worst).toBeLessThan(1e-4)
  })

  it("SDXL: both encoders' windows side by side, the pooled embedding of the first window, and the UNet takes them", async () => {
    const sdxl = shippedGraph('tiny-sdxl-4step.json')
    const weighted = `(${LONG}:1.2)`
    const result = await host.engine.run(withOverrides(sdxl, [`2.text=${weighted}`, '3.width=64', '3.height=64']))
    const cond = result.outputs.get('2')!.conditioning as Conditioning
    expect(cond.dims).toEqual([1, 154, 40])
    const single = (await host.engine.run(withOverrides(sdxl, [`2.text=${weighted}`, '2.syntax=diffusers', '3.width=64', '3.height=64']))).outputs.get('2')!.conditioning as Conditioning
    expect(cond.pooled!.length).toBe(single.pooled!.length)
    expect(result.outputs.get('5')).toBeDefined()
  })

  it('names the text input when an emphasis weight is not a number', async () => {
    await expect(conditioning('a (red:nan) circle', 'comfyui')).rejects.toThrow(/input "text": an emphasis weight is NaN/)
  })

  it('keeps graphs saved before the syntax input on diffusers; a ComfyUI import reads its syntax', () => {
    const old: GraphFile = { ...graph, nodes: graph.nodes.map((n) => (n.type === 'CLIPTextEncode' ? { ...n, version: 1, inputs: { clip: n.inputs['clip']!, text: 'a (red) circle' } } : n)) }
    const { graph: migrated, migrated: report } = migrateGraph(old, registry)
    expect(report).toEqual([{ id: '2', type: 'CLIPTextEncode', from: 1, to: 2 }])
    expect(migrated.nodes.find((n) => n.id === '2')!.inputs['syntax']).toBe('diffusers')
    const workflow = JSON.parse(readFileSync(join(ROOT, 'tests', 'graph', 'fixtures', 'comfyui', 'hyper-sd-lcm.prompt.json'), 'utf8')) as object
    const { graph: imported } = importComfyUI(JSON.stringify(workflow), 'prompt.json')
    const encoders = imported.nodes.filter((n) => n.type === 'CLIPTextEncode')
    expect(encoders.length).toBeGreaterThan(0)
    for (const n of encoders) expect([n.version, n.inputs['syntax']]).toEqual([2, 'comfyui'])
    expect(migrateGraph(imported, registry).migrated.filter((m) => m.type === 'CLIPTextEncode')).toEqual([])
    // Exported to ComfyUI, a diffusers-syntax prompt with brackets would be read as weights there: said so.
    expect(exportComfyPrompt(migrated, { describe: (type) => registry.get(type) }).warnings.filter((w) => w.includes('emphasis'))).toHaveLength(1)
    const asComfy: GraphFile = { ...migrated, nodes: migrated.nodes.map((n) => (n.id === '2' ? { ...n, inputs: { ...n.inputs, syntax: 'comfyui' } } : n)) }
    expect(exportComfyPrompt(asComfy, { describe: (type) => registry.get(type) }).warnings.filter((w) => w.includes('emphasis'))).toEqual([])
  })
})
