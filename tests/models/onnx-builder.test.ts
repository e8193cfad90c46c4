import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { GraphBuilder } from '../../src/models/onnx/builder.js'
import { DataType, decodeModel, encodeModel, findInitializer, findNodes, requireGraph } from '../../src/models/onnx/index.js'

const noInit = () => {
  throw new Error('every parameter is given explicitly in these tests')
}
const model = (b: GraphBuilder) => b.model({ opset: 17, irVersion: 8, producerName: 'test', producerVersion: '0' })

async function run(b: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model(b)))
  const out = await session.run(feeds)
  return out[session.outputNames[0]!]!.data as Float32Array
}

describe('GraphBuilder', () => {
  it('exports nn.Linear on 3-D input as MatMul with the transposed weight plus Add(bias)', async () => {
    const b = new GraphBuilder('g', noInit, { firstWeightId: 42 })
    const x = b.input('x', DataType.FLOAT, [1, 2, 3])
    const weight = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) // torch [out=4, in=3]
    const bias = Float32Array.from([0.5, -1, 2, 0])
    const y = b.scope('block', () => b.linear('proj', x, 3, 4, { weight, biasValues: bias }))
    b.output(y, 'y', DataType.FLOAT, [1, 2, 4])
    const graph = requireGraph(decodeModel(encodeModel(model(b))))
    expect(findInitializer(graph, 'onnx::MatMul_42')?.dims).toEqual([3, 4])
    expect(findInitializer(graph, 'block.proj.bias')?.dims).toEqual([4])
    expect(findNodes(graph, { name: '/block/proj/MatMul' })[0]?.input).toEqual(['x', 'onnx::MatMul_42'])
    expect(findNodes(graph, { name: '/block/proj/Add' })[0]?.input[0]).toBe('block.proj.bias')

    const input = Float32Array.from([1, 0, -1, 2, 3, 4])
    const out = await run(b, { x: new ort.Tensor('float32', input, [1, 2, 3]) })
    const expected: number[] = []
    for (let r = 0; r < 2; r++) for (let o = 0; o < 4; o++) {
      let sum = bias[o]!
      for (let i = 0; i < 3; i++) sum += input[r * 3 + i]! * weight[o * 3 + i]!
      expected.push(sum)
    }
    expect(Array.from(out)).toEqual(expected)
  })

  it('exports nn.Linear on 2-D input as Gemm(transB=1) with torch-named weight and bias', async () => {
    const b = new GraphBuilder('g', noInit)
    const x = b.input('x', DataType.FLOAT, [1, 2])
    const y = b.gemm('linear_1', x, 2, 2, { weight: Float32Array.from([1, 2, 3, 4]), biasValues: Float32Array.from([10, 20]) })
    b.output(y, 'y', DataType.FLOAT, [1, 2])
    expect(findNodes(b.graph, { opType: 'Gemm' })[0]?.input).toEqual(['x', 'linear_1.weight', 'linear_1.bias'])
    expect(Array.from(await run(b, { x: new ort.Tensor('float32', Float32Array.from([1, -1]), [1, 2]) }))).toEqual([9, 19])
  })

  it('GroupNorm and LayerNorm match the reference formulas', async () => {
    const b = new GraphBuilder('g', noInit)
    const x = b.input('x', DataType.FLOAT, [1, 4, 1, 2])
    const weight = Float32Array.from([1, 2, 0.5, -1])
    const bias = Float32Array.from([0, 1, -1, 0.25])
    const y = b.groupNorm('norm', x, 4, 2, 1e-5, { weight, bias })
    b.output(y, 'y', DataType.FLOAT, [1, 4, 1, 2])
    const input = Float32Array.from([1, 2, 3, 5, -1, -1, 0, 4])
    const out = await run(b, { x: new ort.Tensor('float32', input, [1, 4, 1, 2]) })
    for (let g = 0; g < 2; g++) {
      const values = input.slice(g * 4, g * 4 + 4)
      const mean = values.reduce((a, v) => a + v, 0) / 4
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / 4
      for (let k = 0; k < 4; k++) {
        const c = g * 2 + Math.floor(k / 2)
        const expected = ((values[k]! - mean) / Math.sqrt(variance + 1e-5)) * weight[c]! + bias[c]!
        expect(out[g * 4 + k]).toBeCloseTo(expected, 5)
      }
    }
    expect(findInitializer(b.graph, 'onnx::Mul_1000')?.dims).toEqual([4, 1, 1])
    expect(findInitializer(b.graph, 'onnx::Add_1001')?.dims).toEqual([4, 1, 1])

    const l = new GraphBuilder('g', noInit)
    const lx = l.input('x', DataType.FLOAT, [1, 1, 3])
    l.output(l.layerNorm('ln', lx, 3, 1e-5, { weight: Float32Array.from([1, 1, 2]), bias: Float32Array.from([0, 0, 1]) }), 'y', DataType.FLOAT, [1, 1, 3])
    const ln = await run(l, { x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [1, 1, 3]) })
    const s = Math.sqrt(2 / 3 + 1e-5)
    expect(Array.from(ln).map((v) => +v.toFixed(4))).toEqual([-1 / s, 0, (2 * 1) / s + 1].map((v) => +v.toFixed(4)))
  })

  it('names nodes by scope with _1, _2 suffixes and outputs <node>_output_0', () => {
    const b = new GraphBuilder('g', noInit)
    const x = b.input('x', DataType.FLOAT, [1])
    const a = b.scope('down_blocks.0', () => b.scope('resnets.0', () => b.op('Add', [x, x])))
    const c = b.scope('down_blocks.0', () => b.scope('resnets.0', () => b.op('Add', [a, x])))
    b.output(c, 'out', DataType.FLOAT, [1])
    expect(b.graph.node.map((n) => n.name)).toEqual(['/down_blocks.0/resnets.0/Add', '/down_blocks.0/resnets.0/Add_1'])
    expect(b.graph.node[0]?.output).toEqual(['/down_blocks.0/resnets.0/Add_output_0'])
    expect(b.graph.node[1]?.output).toEqual(['out'])
    expect(() => b.floatInitializer('w', [2], new Float32Array(3))).toThrow(/3 values for dims \[2\]/)
  })
})
