// Real SD exports are often fp16 (Optimum --fp16, Olive): float16 inputs and outputs. The same graph must run on
// such a folder unchanged. Here the tiny pipeline is rewritten to take and give float16 at every float input and
// output (Cast nodes at the edges), and the image must match the fp32 run up to fp16 rounding.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { decodeModel, encodeModel, makeAttribute, makeNode, producerOf, replaceInputEverywhere, requireGraph, addNodes } from '../../src/models/onnx/index.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const FLOAT = 1
const FLOAT16 = 10

function withFloat16IO(path: string, inputs: readonly string[], outputs: readonly string[]): void {
  const model = decodeModel(readFileSync(path))
  const graph = requireGraph(model)
  for (const name of inputs) {
    const info = graph.input.find((i) => i.name === name)!
    replaceInputEverywhere(graph, name, `${name}_f32`)
    addNodes(graph, [makeNode({ name: `/cast_in_${name}`, opType: 'Cast', input: [name], output: [`${name}_f32`], attribute: [makeAttribute('to', FLOAT)] })], graph.node[0])
    info.type!.tensorType!.elemType = FLOAT16
  }
  for (const name of outputs) {
    const producer = producerOf(graph, name)!
    producer.output = producer.output.map((o) => (o === name ? `${name}_f32` : o))
    replaceInputEverywhere(graph, name, `${name}_f32`)
    addNodes(graph, [makeNode({ name: `/cast_out_${name}`, opType: 'Cast', input: [`${name}_f32`], output: [name], attribute: [makeAttribute('to', FLOAT16)] })])
    graph.output.find((o) => o.name === name)!.type!.tensorType!.elemType = FLOAT16
  }
  writeFileSync(path, encodeModel(model))
}

const folder = join(mkdtempSync(join(tmpdir(), 'hypersd-fp16-')), 'tiny-sd15-fp16io')
cpSync(join(ROOT, 'public', 'models', 'tiny-sd15'), folder, { recursive: true })
withFloat16IO(join(folder, 'text_encoder', 'model.onnx'), [], ['last_hidden_state', 'pooler_output'])
withFloat16IO(join(folder, 'unet', 'model.onnx'), ['sample', 'encoder_hidden_states'], ['out_sample'])
withFloat16IO(join(folder, 'vae_decoder', 'model.onnx'), ['latent_sample'], ['sample'])

const fp16Host = createTestHost(new Map([['tiny-sd15', folder]]))
const fp32Host = createTestHost()
afterAll(async () => {
  await fp16Host.dispose()
  await fp32Host.dispose()
})

describe('fp16 model folders', () => {
  it('run unchanged, and the image matches the fp32 model up to fp16 rounding', async () => {
    const graph = withOverrides(shippedGraph('tiny-sd15-4step.json'), [])
    const [half, full] = await Promise.all([fp16Host.engine.run(graph), fp32Host.engine.run(graph)])
    const session = await fp16Host.sessions.getOrCreate(join(folder, 'unet', 'model.onnx'), async () => {
      throw new Error('the UNet session should already exist')
    })
    expect(session.inputs.find((i) => i.name === 'sample')?.dtype).toBe('float16')
    const a = (half.outputs.get('5')!.image as ImageBatch).images[0]!
    const b = (full.outputs.get('5')!.image as ImageBatch).images[0]!
    let sum = 0
    let max = 0
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!)
      sum += d
      max = Math.max(max, d)
    }
    expect(sum / a.length).toBeLessThan(1)
    expect(max).toBeLessThanOrEqual(8)
    expect(Array.from(a)).not.toEqual(Array.from(b)) // the fp16 path really ran
  })
})
