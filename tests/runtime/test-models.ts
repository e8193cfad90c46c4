// Small ONNX models built in the tests with the project's ONNX codec, to exercise the runtime layer for real.
import {
  DataType,
  encodeModel,
  externalizeInitializers,
  makeAttribute,
  makeGraph,
  makeModel,
  makeNode,
  makeTensor,
  makeValueInfo,
  setTensorData,
  float32ArrayToFloat16,
} from '../../src/models/onnx/index.js'

/** y = x * scale + bias, with x float32 [batch, 4] and initializers scale/bias float32 [4]. */
export function buildAffineModel(options: { externalDataFile?: string } = {}): { model: Uint8Array; externalData?: Uint8Array } {
  const graph = makeGraph('affine')
  const scale = makeTensor({ name: 'scale', dims: [4], dataType: DataType.FLOAT })
  setTensorData(scale, Float32Array.from([1, 2, 3, 4]))
  const bias = makeTensor({ name: 'bias', dims: [4], dataType: DataType.FLOAT })
  setTensorData(bias, Float32Array.from([0.5, -0.5, 10, -10]))
  graph.initializer.push(scale, bias)
  graph.input.push(makeValueInfo('x', DataType.FLOAT, ['batch', 4]))
  graph.output.push(makeValueInfo('y', DataType.FLOAT, ['batch', 4]))
  graph.node.push(
    makeNode({ opType: 'Mul', input: ['x', 'scale'], output: ['scaled'], name: '/Mul' }),
    makeNode({ opType: 'Add', input: ['scaled', 'bias'], output: ['y'], name: '/Add' }),
  )
  const model = makeModel(graph, { irVersion: 8, opset: 17, producerName: 'hypersd-tests' })
  if (!options.externalDataFile) return { model: encodeModel(model) }
  const externalData = externalizeInitializers(model, { location: options.externalDataFile })
  return { model: encodeModel(model), externalData }
}

/**
 * Mixed dtypes like a real fp16 UNet / text encoder export:
 * sample float16 [1,4], timestep int64 [1], input_ids int32 [1,3] ->
 * out_sample float16 = sample * 2 + float16(timestep); ids_out int64 = int64(input_ids) + 1.
 */
export function buildMixedDtypeModel(): Uint8Array {
  const graph = makeGraph('mixed')
  const two = makeTensor({ name: 'two', dims: [], dataType: DataType.FLOAT16 })
  setTensorData(two, Uint16Array.from([0x4000]))
  const one = makeTensor({ name: 'one', dims: [], dataType: DataType.INT64 })
  setTensorData(one, BigInt64Array.from([1n]))
  graph.initializer.push(two, one)
  graph.input.push(
    makeValueInfo('sample', DataType.FLOAT16, [1, 4]),
    makeValueInfo('timestep', DataType.INT64, [1]),
    makeValueInfo('input_ids', DataType.INT32, [1, 3]),
  )
  graph.output.push(makeValueInfo('out_sample', DataType.FLOAT16, [1, 4]), makeValueInfo('ids_out', DataType.INT64, [1, 3]))
  graph.node.push(
    makeNode({ opType: 'Mul', input: ['sample', 'two'], output: ['doubled'] }),
    makeNode({ opType: 'Cast', input: ['timestep'], output: ['t16'], attribute: [makeAttribute('to', DataType.FLOAT16)] }),
    makeNode({ opType: 'Add', input: ['doubled', 't16'], output: ['out_sample'] }),
    makeNode({ opType: 'Cast', input: ['input_ids'], output: ['ids64'], attribute: [makeAttribute('to', DataType.INT64)] }),
    makeNode({ opType: 'Add', input: ['ids64', 'one'], output: ['ids_out'] }),
  )
  return encodeModel(makeModel(graph, { irVersion: 8, opset: 17, producerName: 'hypersd-tests' }))
}

/** y = x @ w + b, all float16 (an `--fp16` export's dtypes): w[i][j] = ((4i + j) % 5) / 4, b = [1, 2, 3, 4]. */
export function buildFloat16Model(): Uint8Array {
  const g = makeGraph('float16')
  const half = (values: number[]) => new Uint8Array(float32ArrayToFloat16(Float32Array.from(values)).buffer)
  g.input.push(makeValueInfo('x', DataType.FLOAT16, [1, 4]))
  g.initializer.push(makeTensor({ name: 'w', dims: [4, 4], dataType: DataType.FLOAT16, rawData: half(Array.from({ length: 16 }, (_, i) => (i % 5) / 4)) }))
  g.initializer.push(makeTensor({ name: 'b', dims: [4], dataType: DataType.FLOAT16, rawData: half([1, 2, 3, 4]) }))
  g.node.push(makeNode({ opType: 'MatMul', input: ['x', 'w'], output: ['m'] }))
  g.node.push(makeNode({ opType: 'Add', input: ['m', 'b'], output: ['y'] }))
  g.output.push(makeValueInfo('y', DataType.FLOAT16, [1, 4]))
  return encodeModel(makeModel(g, { irVersion: 8, opset: 13, producerName: 'hyper-sd-studio-tests' }))
}
