// A small graph shaped like a torch export of SD modules (scoped node names, transposed `onnx::MatMul_*` weights,
// Linear+bias as MatMul+Add, 3x3 and 1x1 convs), fp32 inline or fp16 in external data, plus LoRA files for it.
import { encodeModel } from '../../src/models/onnx/codec.js'
import { externalizeInitializers } from '../../src/models/onnx/external-data.js'
import { makeAttribute, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo } from '../../src/models/onnx/factories.js'
import { float32ArrayToFloat16 } from '../../src/models/onnx/float16.js'
import { DataType } from '../../src/models/onnx/types.js'
import type { ModelSource } from '../../src/runtime/types.js'
import { encodeSafetensors, float32Bytes } from '../../src/models/safetensors/writer.js'
import type { TensorToWrite } from '../../src/models/safetensors/writer.js'
import { mulberry32 } from '../../scripts/models/prng.js'

/** Uniform values in [-0.5, 0.5), seeded. */
export function rng(seed: number): () => number {
  const uniform = mulberry32(seed)
  return () => uniform() - 0.5
}

export const random = (n: number, next: () => number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => next() * scale)

/** Torch-layout shapes of the synthetic model's layers, by diffusers path. */
export const SYNTHETIC_LAYERS: Record<string, number[]> = {
  'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q': [6, 8],
  'down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2': [8, 6],
  'down_blocks.0.resnets.0.conv1': [4, 3, 3, 3],
  'down_blocks.0.attentions.0.proj_in': [2, 4, 1, 1],
}

/** `adjust` rewrites a layer's torch-layout weight before it is stored (the tests' independent merge). */
export function syntheticModel(
  dtype: 'fp32' | 'fp16',
  adjust: (layer: string, torchWeight: Float32Array) => Float32Array = (_, w) => w,
  seed = 1,
): { source: ModelSource; torchWeights: Map<string, Float32Array> } {
  const next = rng(seed)
  const g = makeGraph('synthetic')
  const dt = dtype === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT
  const torchWeights = new Map<string, Float32Array>()
  const add = (name: string, dims: number[], values: Float32Array) => {
    const data = dtype === 'fp16' ? float32ArrayToFloat16(values) : values
    g.initializer.push(makeTensor({ name, dims, dataType: dt, rawData: new Uint8Array(data.buffer) }))
  }
  // Linear weights are stored transposed ([in, out]); torchWeights keeps them as torch holds them ([out, in]).
  const linear = (layer: string, weightName: string, out: number, inp: number) => {
    const w = adjust(layer, random(out * inp, next, 0.5))
    torchWeights.set(layer, w)
    const t = new Float32Array(w.length)
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + i]!
    add(weightName, [inp, out], t)
  }
  const conv = (layer: string, dims: number[]) => {
    const w = adjust(layer, random(dims.reduce((a, b) => a * b), next, 0.5))
    torchWeights.set(layer, w)
    add(`${layer}.weight`, dims, w)
  }
  g.input.push(makeValueInfo('tokens', dt, [1, 4, 8]), makeValueInfo('image', dt, [1, 3, 5, 5]))
  g.output.push(makeValueInfo('out_tokens', dt, [1, 4, 8]), makeValueInfo('out_image', dt, [1, 2, 5, 5]))
  linear('down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q', 'onnx::MatMul_101', 6, 8)
  linear('down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2', 'onnx::MatMul_102', 8, 6)
  add('down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.bias', [8], random(8, next))
  conv('down_blocks.0.resnets.0.conv1', [4, 3, 3, 3])
  conv('down_blocks.0.attentions.0.proj_in', [2, 4, 1, 1])
  const scope = '/down_blocks.0/attentions.0/transformer_blocks.0'
  g.node.push(
    makeNode({ opType: 'MatMul', name: `${scope}/attn1/to_q/MatMul`, input: ['tokens', 'onnx::MatMul_101'], output: ['q'] }),
    makeNode({ opType: 'MatMul', name: `${scope}/ff/net.2/MatMul`, input: ['q', 'onnx::MatMul_102'], output: ['ff'] }),
    makeNode({ opType: 'Add', name: `${scope}/ff/net.2/Add`, input: ['down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.bias', 'ff'], output: ['out_tokens'] }),
    makeNode({
      opType: 'Conv',
      name: '/down_blocks.0/resnets.0/conv1/Conv',
      input: ['image', 'down_blocks.0.resnets.0.conv1.weight'],
      output: ['c1'],
      attribute: [makeAttribute('kernel_shape', [3, 3]), makeAttribute('pads', [1, 1, 1, 1])],
    }),
    makeNode({ opType: 'Conv', name: '/down_blocks.0/attentions.0/proj_in/Conv', input: ['c1', 'down_blocks.0.attentions.0.proj_in.weight'], output: ['out_image'] }),
  )
  const model = makeModel(g, { irVersion: 8, opset: 17 })
  if (dtype === 'fp32') return { source: { key: 'synthetic-fp32', bytes: encodeModel(model) }, torchWeights }
  const data = externalizeInitializers(model, { location: 'model.onnx_data' })
  return { source: { key: 'synthetic-fp16', bytes: encodeModel(model), externalData: [{ path: 'model.onnx_data', data }] }, torchWeights }
}

export interface LoraSpec {
  readonly rank: number
  readonly alpha?: number
  readonly seed: number
  /** Torch-layout weight shapes by diffusers path. */
  readonly layers: Record<string, number[]>
  readonly format: 'kohya' | 'peft'
  readonly prefix?: string
}

/** A LoRA file plus its factors by layer (down [rank, in*kh*kw], up [out, rank]) for independent checks. */
export function makeLora(spec: LoraSpec): { bytes: Uint8Array; factors: Map<string, { down: Float32Array; up: Float32Array; scale: number }> } {
  const next = rng(spec.seed)
  const tensors: TensorToWrite[] = []
  const factors = new Map<string, { down: Float32Array; up: Float32Array; scale: number }>()
  for (const [layer, shape] of Object.entries(spec.layers)) {
    const [out, inp, kh = 1, kw = 1] = shape as [number, number, number?, number?]
    const conv = shape.length === 4
    const down = random(spec.rank * inp * kh * kw, next, 0.5)
    const up = random(out * spec.rank, next, 1.5)
    const downShape = conv ? [spec.rank, inp, kh, kw] : [spec.rank, inp]
    const upShape = conv ? [out, spec.rank, 1, 1] : [out, spec.rank]
    factors.set(layer, { down, up, scale: (spec.alpha ?? spec.rank) / spec.rank })
    if (spec.format === 'kohya') {
      const stem = `${spec.prefix ?? 'lora_unet_'}${layer.replace(/\./g, '_')}`
      tensors.push({ name: `${stem}.lora_down.weight`, dtype: 'F32', shape: downShape, data: float32Bytes(down) })
      tensors.push({ name: `${stem}.lora_up.weight`, dtype: 'F32', shape: upShape, data: float32Bytes(up) })
      if (spec.alpha !== undefined) tensors.push({ name: `${stem}.alpha`, dtype: 'F32', shape: [], data: float32Bytes(Float32Array.of(spec.alpha)) })
    } else {
      const stem = `${spec.prefix ?? 'unet.'}${layer}`
      tensors.push({ name: `${stem}.lora_A.weight`, dtype: 'F32', shape: downShape, data: float32Bytes(down) })
      tensors.push({ name: `${stem}.lora_B.weight`, dtype: 'F32', shape: upShape, data: float32Bytes(up) })
    }
  }
  return { bytes: encodeSafetensors(tensors), factors }
}
