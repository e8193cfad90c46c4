// Turns a float32 graph into the all-float16 graph an fp16 export is (Optimum --fp16): float inputs and outputs,
// Constant tensors and Cast targets become float16. Resize's scales stay float32, as the operator requires. The
// streamed initializers are already float16 (StreamingStore('float16')); inline float ones are converted here.

import { float32ArrayToFloat16 } from '../../../src/models/onnx/float16.js'
import { tensorToFloat32 } from '../../../src/models/onnx/tensor-data.js'
import { DataType, type OnnxModel, type OnnxTensor, type OnnxValueInfo } from '../../../src/models/onnx/types.js'

function toFloat16Tensor(tensor: OnnxTensor): void {
  if (tensor.dataType !== DataType.FLOAT || (tensor.externalData?.length ?? 0) > 0) return
  const bits = float32ArrayToFloat16(tensorToFloat32(tensor))
  tensor.rawData = new Uint8Array(bits.buffer)
  tensor.floatData = []
  tensor.dataType = DataType.FLOAT16
}

function toFloat16Info(info: OnnxValueInfo): void {
  const tensorType = info.type?.tensorType
  if (tensorType?.elemType === DataType.FLOAT) tensorType.elemType = DataType.FLOAT16
}

export function convertGraphToFloat16(model: OnnxModel): void {
  const graph = model.graph!
  const resizeScales = new Set(graph.node.filter((n) => n.opType === 'Resize').map((n) => n.input[2]).filter((s): s is string => !!s))
  for (const info of [...graph.input, ...graph.output, ...graph.valueInfo]) toFloat16Info(info)
  for (const tensor of graph.initializer) if (!resizeScales.has(tensor.name ?? '')) toFloat16Tensor(tensor)
  for (const node of graph.node) {
    if (node.opType === 'Constant' && !node.output.some((o) => resizeScales.has(o))) {
      for (const attr of node.attribute) if (attr.t) toFloat16Tensor(attr.t)
    }
    if (node.opType === 'Cast') {
      for (const attr of node.attribute) if (attr.name === 'to' && Number(attr.i) === DataType.FLOAT) attr.i = BigInt(DataType.FLOAT16)
    }
  }
}
