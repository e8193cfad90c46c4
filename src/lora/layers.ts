// The layers of an ONNX export that a LoRA can target, found as torch exports them: the node scope names the module
// (`/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul` -> `down_blocks.0...attn1.to_q`), the weight
// is the node's initializer input. Bias-free Linear layers become MatMul with the weight transposed to [in, out]
// and renamed `onnx::MatMul_*`; Linear with bias may also be Gemm; convolutions keep `<module>.weight`.
import { DataType } from '../models/onnx/types.js'
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../models/onnx/types.js'

export interface TargetLayer {
  /** diffusers module path, dotted: `down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q`. */
  readonly name: string
  readonly kind: 'linear' | 'conv'
  readonly node: OnnxNode
  readonly weight: OnnxTensor
  /** Weight shape in torch layout: linear [out, in], conv [out, in, kh, kw]. */
  readonly shape: readonly number[]
  /** True when the stored weight is [in, out] (MatMul, or Gemm without transB). */
  readonly transposed: boolean
  /** FLOAT or FLOAT16. */
  readonly dataType: number
}

/** Module path from a torch-export node name: scopes joined by dots, the op name dropped. */
export function scopeOf(nodeName: string | undefined): string | undefined {
  if (!nodeName?.startsWith('/')) return undefined
  const parts = nodeName.split('/').filter((p) => p.length > 0)
  if (parts.length < 2) return undefined
  return parts.slice(0, -1).join('.')
}

function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const attr = node.attribute.find((a) => a.name === name)
  return attr?.i !== undefined ? Number(attr.i) : fallback
}

function layerOf(node: OnnxNode, weight: OnnxTensor, viaTranspose: boolean): Omit<TargetLayer, 'name'> | undefined {
  const dims = weight.dims
  const dataType = weight.dataType ?? DataType.UNDEFINED
  if (dataType !== DataType.FLOAT && dataType !== DataType.FLOAT16) return undefined
  if (node.opType === 'MatMul' && dims.length === 2) {
    // MatMul(x, Transpose(W)) keeps W in torch layout [out, in].
    if (viaTranspose) return { kind: 'linear', node, weight, shape: [...dims], transposed: false, dataType }
    return { kind: 'linear', node, weight, shape: [dims[1]!, dims[0]!], transposed: true, dataType }
  }
  if (node.opType === 'Gemm' && dims.length === 2 && intAttribute(node, 'transA', 0) === 0) {
    const transB = intAttribute(node, 'transB', 0) === 1
    return { kind: 'linear', node, weight, shape: transB ? [...dims] : [dims[1]!, dims[0]!], transposed: !transB, dataType }
  }
  if (node.opType === 'Conv' && dims.length === 4 && intAttribute(node, 'group', 1) === 1) {
    return { kind: 'conv', node, weight, shape: [...dims], transposed: false, dataType }
  }
  return undefined
}

const stripSuffix = (name: string | undefined, suffix: string): string | undefined =>
  name?.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined

/** Every LoRA-targetable layer of a graph, keyed by its flattened module path (dots as underscores). */
export function findTargetLayers(graph: OnnxGraph): Map<string, TargetLayer> {
  const initializers = new Map(graph.initializer.map((t) => [t.name ?? '', t]))
  const producers = new Map<string, OnnxNode>()
  const consumers = new Map<string, OnnxNode[]>()
  for (const node of graph.node) {
    for (const out of node.output) producers.set(out, node)
    for (const input of node.input) {
      const list = consumers.get(input)
      if (list) list.push(node)
      else consumers.set(input, [node])
    }
  }
  /** The weight initializer, directly or through a 2-D Transpose (exports without constant folding). */
  const weightOf = (node: OnnxNode): { weight: OnnxTensor; viaTranspose: boolean } | undefined => {
    const name = node.input[1]
    if (name === undefined) return undefined
    const direct = initializers.get(name)
    if (direct) return { weight: direct, viaTranspose: false }
    const producer = producers.get(name)
    if (node.opType !== 'MatMul' || producer?.opType !== 'Transpose') return undefined
    const perm = producer.attribute.find((a) => a.name === 'perm')?.ints.map(Number)
    const weight = initializers.get(producer.input[0] ?? '')
    if (!weight || weight.dims.length !== 2 || (perm && (perm[0] !== 1 || perm[1] !== 0))) return undefined
    return { weight, viaTranspose: true }
  }
  /** Without node scopes: the torch name of the weight, or of the bias a MatMul's only consumer adds. */
  const nameFromInitializers = (node: OnnxNode, weight: OnnxTensor): string | undefined => {
    const own = stripSuffix(weight.name, '.weight')
    if (own) return own
    const users = consumers.get(node.output[0] ?? '') ?? []
    if (users.length !== 1 || users[0]!.opType !== 'Add') return undefined
    return users[0]!.input.map((i) => stripSuffix(initializers.get(i)?.name, '.bias')).find((n) => n !== undefined)
  }
  const layers = new Map<string, TargetLayer>()
  for (const node of graph.node) {
    const found = weightOf(node)
    if (!found) continue
    const layer = layerOf(node, found.weight, found.viaTranspose)
    if (!layer) continue
    const name = scopeOf(node.name) ?? nameFromInitializers(node, found.weight)
    if (!name) continue
    const key = name.replace(/\./g, '_')
    // A second weighted node in one scope is not a single torch module; keep the first, as torch exports it first.
    if (!layers.has(key)) layers.set(key, { name, ...layer })
  }
  return layers
}
