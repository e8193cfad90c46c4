// Where a diffusers state-dict key (`down_blocks.0.resnets.0.conv1.weight`) lives in a torch-exported ONNX UNet:
// a LoRA-targetable layer's weight (MatMul weights are stored transposed under `onnx::MatMul_*` names), the
// initializer of exactly that name, or, for parameters the export renamed (GroupNorm's weight and bias become the
// `onnx::Mul_*` / `onnx::Add_*` constants of the Mul and Add in the norm's scope), the one such constant of that scope.
import { DataType } from '../models/onnx/types.js'
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../models/onnx/types.js'
import { elementCount } from '../models/onnx/tensor-data.js'
import { scopeOf, type TargetLayer } from './layers.js'

export interface WeightPlace {
  readonly tensor: OnnxTensor
  /** The nodes the key belongs to; other readers of a tied initializer keep its old values. Empty: every reader. */
  readonly users: readonly OnnxNode[]
  /** Stored [in, out] while the file holds torch's [out, in]. */
  readonly transposed: boolean
  /** The shape the file's tensor must have (torch layout). */
  readonly shape: readonly number[]
  /** Layers need exactly `shape`; other initializers the same elements, size-1 axes aside ([C] into [C, 1, 1]). */
  readonly exact: boolean
}

const isFloat = (t: OnnxTensor) => t.dataType === DataType.FLOAT || t.dataType === DataType.FLOAT16

/** Splits `a.b.weight` into the module path `a.b` and the parameter `weight`. */
export function splitKey(key: string): { module: string; param: string } {
  const dot = key.lastIndexOf('.')
  return dot < 0 ? { module: '', param: key } : { module: key.slice(0, dot), param: key.slice(dot + 1) }
}

/** The dims that are not 1: [C] and [C, 1, 1] hold the same values in the same order. */
export const squeezed = (dims: readonly number[]): number[] => dims.filter((d) => d !== 1)

export class WeightPlaces {
  private readonly initializers: Map<string, OnnxTensor>
  private readonly readers = new Map<string, OnnxNode[]>()
  private readonly scopes = new Map<string, OnnxNode[]>()

  constructor(
    graph: OnnxGraph,
    private readonly layers: ReadonlyMap<string, TargetLayer>,
  ) {
    this.initializers = new Map(graph.initializer.map((t) => [t.name ?? '', t]))
    for (const node of graph.node) {
      for (const input of new Set(node.input)) push(this.readers, input, node)
      const scope = scopeOf(node.name)
      if (scope !== undefined) push(this.scopes, scope, node)
    }
  }

  /** The place for `key`, whose file tensor has `count` elements; undefined when the model has none. */
  find(key: string, count: number): WeightPlace | undefined {
    const { module, param } = splitKey(key)
    const layer = param === 'weight' ? this.layers.get(module.replace(/\./g, '_')) : undefined
    // Layers are keyed by the flattened path, which `a.b_c` and `a_b.c` share: the dotted name must agree too.
    if (layer?.name === module) return { tensor: layer.weight, users: [layer.node], transposed: layer.transposed, shape: layer.shape, exact: true }
    const named = this.initializers.get(key)
    if (named && isFloat(named)) {
      const inScope = (this.readers.get(key) ?? []).filter((n) => scopeOf(n.name) === module)
      return { tensor: named, users: inScope, transposed: false, shape: named.dims, exact: false }
    }
    return this.renamedInScope(module, param, count)
  }

  /**
   * A parameter the export renamed, found by its module's nodes: GroupNorm's (and a decomposed LayerNorm's) weight is
   * the constant of the scope's Mul, its bias that of the Add; a bias tied to another module's is the one float
   * initializer of the right size the scope's nodes read.
   */
  private renamedInScope(module: string, param: string, count: number): WeightPlace | undefined {
    const opType = param === 'weight' ? 'Mul' : param === 'bias' ? 'Add' : undefined
    if (!opType) return undefined
    const nodes = this.scopes.get(module) ?? []
    let found = this.constantsOf(nodes.filter((n) => n.opType === opType), count)
    // Only a bias is looked for among all the scope's inputs (Conv and Gemm read it themselves): a weight of that size
    // there could be a MatMul's, stored transposed.
    if (found.size === 0 && param === 'bias') found = this.constantsOf(nodes, count)
    if (found.size !== 1) return undefined
    const [tensor, users] = [...found][0]!
    return { tensor, users, transposed: false, shape: tensor.dims, exact: false }
  }

  /** The float initializers of `count` elements that `nodes` read, with the nodes reading each. */
  private constantsOf(nodes: readonly OnnxNode[], count: number): Map<OnnxTensor, OnnxNode[]> {
    const found = new Map<OnnxTensor, OnnxNode[]>()
    for (const node of nodes) {
      for (const input of new Set(node.input)) {
        const tensor = this.initializers.get(input)
        if (tensor && isFloat(tensor) && elementCount(tensor.dims) === count) push(found, tensor, node)
      }
    }
    return found
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
