// The two ways a matched LoRA reaches a model:
// - merge: W += multiplier * alpha/rank * up @ down, written into the weight (respecting [in, out] MatMul storage);
// - live: each targeted layer gets a low-rank branch y += ((x @ down^T) * lora_scale_<i>) @ (alpha/rank * up)^T
//   (convolutions: Conv(down) then 1x1 Conv(up)), with the multiplier a scalar graph input, so changing it is a
//   new input value instead of a new session.
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import { makeAttribute, makeNode, makeValueInfo } from '../models/onnx/factories.js'
import { DataType } from '../models/onnx/types.js'
import type { OnnxGraph, OnnxNode } from '../models/onnx/types.js'
import type { TargetLayer } from './layers.js'
import type { LoraPatch } from './match.js'
import type { WeightStore } from './weights.js'

/**
 * Gives each layer whose weight initializer is also read by other nodes (tied weights) its own copy, so a merge
 * changes only that layer. The copy shares the stored bytes until it is written. Returns old -> new layer.
 */
export function untieSharedWeights(graph: OnnxGraph, layers: Iterable<TargetLayer>): Map<TargetLayer, TargetLayer> {
  const uses = new Map<string, number>()
  for (const node of graph.node) for (const input of node.input) uses.set(input, (uses.get(input) ?? 0) + 1)
  const untied = new Map<TargetLayer, TargetLayer>()
  for (const layer of new Set(layers)) {
    const name = layer.weight.name ?? ''
    if ((uses.get(name) ?? 0) < 2 || layer.node.input[1] !== name) continue
    const copy = { ...layer.weight, name: `${name}/lora_untied/${layer.name}` }
    graph.initializer.push(copy)
    layer.node.input[1] = copy.name
    uses.set(name, uses.get(name)! - 1)
    untied.set(layer, { ...layer, weight: copy })
  }
  return untied
}

/** Adds multiplier * alphaScale * up @ down to each patched layer's weight. */
export async function mergePatches(
  store: WeightStore,
  file: SafetensorsSource,
  patches: readonly LoraPatch[],
  multiplier: number,
): Promise<void> {
  for (const patch of patches) {
    const { layer } = patch
    const down = (await file.readFloats(patch.down)).data
    const up = (await file.readFloats(patch.up)).data
    const weight = store.readCopy(layer.weight)
    const out = layer.shape[0]!
    const cols = weight.length / out // in * kh * kw
    const rank = patch.rank
    const scale = multiplier * patch.alphaScale
    // Row-wise axpy over contiguous memory in both layouts (stored [out, cols], or [cols, out] for MatMul).
    const [rows, width, left, right] = layer.transposed
      ? [cols, out, transpose(down, rank, cols), transpose(up, out, rank)] // W^T += down^T @ up^T
      : [out, cols, up, down] // W += up @ down
    for (let i = 0; i < rows; i++) {
      const target = weight.subarray(i * width, (i + 1) * width)
      for (let r = 0; r < rank; r++) {
        const coef = scale * left[i * rank + r]!
        if (coef === 0) continue
        const source = right.subarray(r * width, (r + 1) * width)
        for (let j = 0; j < width; j++) target[j]! += coef * source[j]!
      }
    }
    store.write(layer.weight, weight)
  }
}

export const loraScaleInput = (index: number): string => `lora_scale_${index}`

export interface LiveLora {
  /** Suffix of the LoRA's `lora_scale_<i>` input. */
  readonly index: number
  readonly file: SafetensorsSource
  readonly patches: readonly LoraPatch[]
}

interface Branch {
  readonly patch: LoraPatch
  readonly file: SafetensorsSource
  readonly index: number
}

/** The graph input for one live LoRA's multiplier: a float32 scalar. */
function addScaleInput(graph: OnnxGraph, index: number): void {
  graph.input.push(makeValueInfo(loraScaleInput(index), DataType.FLOAT, []))
}

/**
 * Rewrites `graph` once: every layer patched by a live LoRA gets that LoRA's branch added to its output. `live` lists
 * each LoRA's index (the suffix of its `lora_scale_<i>` input), file and patches. Returns the inputs created.
 */
export async function addLiveBranches(
  graph: OnnxGraph,
  store: WeightStore,
  live: readonly LiveLora[],
): Promise<string[]> {
  const byNode = new Map<OnnxNode, Branch[]>()
  for (const { index, file, patches } of live) {
    for (const patch of patches) {
      const list = byNode.get(patch.layer.node) ?? []
      list.push({ patch, file, index })
      byNode.set(patch.layer.node, list)
    }
  }
  const inputs = live.filter((l) => l.patches.length > 0).map((l) => l.index)
  for (const index of inputs) addScaleInput(graph, index)

  // Scale inputs cast once per dtype used by the branches (fp16 models compute branches in fp16).
  const castNodes: OnnxNode[] = []
  const scaleName = (index: number, dataType: number): string => {
    const base = loraScaleInput(index)
    if (dataType === DataType.FLOAT) return base
    const cast = `${base}/fp16`
    if (!castNodes.some((n) => n.output[0] === cast)) {
      castNodes.push(makeNode({ opType: 'Cast', name: `/lora/${base}/Cast`, input: [base], output: [cast], attribute: [makeAttribute('to', DataType.FLOAT16)] }))
    }
    return cast
  }

  // A branch joins after the layer's bias Add, so the base MatMul+Add keeps the fusions ORT applies to it.
  const joinAt = new Map<OnnxNode, Branch[]>()
  for (const [node, branches] of byNode) joinAt.set(biasAddOf(graph, node) ?? node, branches)

  const rewritten: OnnxNode[] = []
  for (const node of graph.node) {
    rewritten.push(node)
    const branches = joinAt.get(node)
    if (!branches) continue
    const y = node.output[0]!
    const baseOut = `${y}/lora_base`
    node.output[0] = baseOut
    let acc = baseOut
    for (const [k, branch] of branches.entries()) {
      const terms = await branchNodes(graph, store, branch, scaleName(branch.index, branch.patch.layer.dataType))
      rewritten.push(...terms.nodes)
      const sum = k === branches.length - 1 ? y : `${terms.prefix}/sum`
      rewritten.push(makeNode({ opType: 'Add', name: `${terms.prefix}/Add`, input: [acc, terms.output], output: [sum] }))
      acc = sum
    }
  }
  graph.node = [...castNodes, ...rewritten]
  return inputs.map(loraScaleInput)
}

/** The Add that adds a bias initializer to a MatMul's output, when it is that output's only consumer. */
function biasAddOf(graph: OnnxGraph, node: OnnxNode): OnnxNode | undefined {
  if (node.opType !== 'MatMul') return undefined
  const out = node.output[0]!
  const consumers = graph.node.filter((n) => n.input.includes(out))
  const add = consumers[0]
  if (consumers.length !== 1 || add!.opType !== 'Add' || graph.output.some((o) => o.name === out)) return undefined
  const other = add!.input[0] === out ? add!.input[1] : add!.input[0]
  return graph.initializer.some((t) => t.name === other) ? add : undefined
}

async function branchNodes(
  graph: OnnxGraph,
  store: WeightStore,
  { patch, file, index }: Branch,
  scale: string,
): Promise<{ nodes: OnnxNode[]; output: string; prefix: string }> {
  const { layer, rank } = patch
  const prefix = `/lora/${index}/${layer.name}`
  const down = (await file.readFloats(patch.down)).data
  const up = (await file.readFloats(patch.up)).data.map((v) => v * patch.alphaScale)
  const out = layer.shape[0]!
  const x = layer.node.input[0]!
  const dt = layer.dataType
  const downName = `lora.${index}.${layer.name}.down`
  const upName = `lora.${index}.${layer.name}.up`
  let first: OnnxNode
  let last: OnnxNode
  if (layer.kind === 'linear') {
    const cols = down.length / rank
    graph.initializer.push(store.create(downName, [cols, rank], dt, transpose(down, rank, cols)))
    graph.initializer.push(store.create(upName, [rank, out], dt, transpose(up, out, rank)))
    first = makeNode({ opType: 'MatMul', name: `${prefix}/down/MatMul`, input: [x, downName], output: [`${prefix}/down`] })
    last = makeNode({ opType: 'MatMul', name: `${prefix}/up/MatMul`, input: [`${prefix}/scaled`, upName], output: [`${prefix}/up`] })
  } else {
    const [, inp, kh, kw] = layer.shape as [number, number, number, number]
    graph.initializer.push(store.create(downName, [rank, inp, kh, kw], dt, down))
    graph.initializer.push(store.create(upName, [out, rank, 1, 1], dt, up))
    // The down conv sees the layer's input exactly as the layer does: same strides, padding and dilation.
    const attribute = layer.node.attribute.filter((a) => a.name !== 'group' && a.name !== 'kernel_shape')
    first = makeNode({ opType: 'Conv', name: `${prefix}/down/Conv`, input: [x, downName], output: [`${prefix}/down`], attribute })
    last = makeNode({ opType: 'Conv', name: `${prefix}/up/Conv`, input: [`${prefix}/scaled`, upName], output: [`${prefix}/up`] })
  }
  // Scaling the rank-sized tensor is the cheapest place for the multiplier.
  const mul = makeNode({ opType: 'Mul', name: `${prefix}/Mul`, input: [`${prefix}/down`, scale], output: [`${prefix}/scaled`] })
  return { nodes: [first, mul, last], output: `${prefix}/up`, prefix }
}

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!
  return out
}
