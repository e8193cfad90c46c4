// A UNet with an fp16 export's float16 edges (sample and encoder_hidden_states in, out_sample out), made from a
// float32 one by Casts at its edges: what the device loop and the shader-f16 fallback see of a real `--fp16` export.
import { readFileSync, writeFileSync } from 'node:fs'
import { addNodes, decodeModel, encodeModel, makeAttribute, makeNode, replaceInputEverywhere, requireGraph } from '../../src/models/onnx/index.js'

const FLOAT = 1
const FLOAT16 = 10

/** Rewrites the UNet at `path` in place. */
export function withFloat16Io(path: string): void {
  const model = decodeModel(readFileSync(path))
  const graph = requireGraph(model)
  for (const name of ['sample', 'encoder_hidden_states']) {
    replaceInputEverywhere(graph, name, `${name}_f32`)
    addNodes(graph, [makeNode({ name: `/cast_in_${name}`, opType: 'Cast', input: [name], output: [`${name}_f32`], attribute: [makeAttribute('to', FLOAT)] })], graph.node[0])
    graph.input.find((i) => i.name === name)!.type!.tensorType!.elemType = FLOAT16
  }
  const producer = graph.node.find((n) => n.output.includes('out_sample'))!
  producer.output = producer.output.map((o) => (o === 'out_sample' ? 'out_sample_f32' : o))
  graph.node.push(makeNode({ name: '/cast_out_sample', opType: 'Cast', input: ['out_sample_f32'], output: ['out_sample'], attribute: [makeAttribute('to', FLOAT16)] }))
  graph.output.find((o) => o.name === 'out_sample')!.type!.tensorType!.elemType = FLOAT16
  writeFileSync(path, encodeModel(model))
}
