// live mode: each targeted layer gets a low-rank branch y += ((x @ down^T) * lora_scale_<i>) @ (alpha/rank * up)^T
// (convolutions: Conv(down) then 1x1 Conv(up)) added to its output. Nothing weight-sized is added, but every run pays
// rank x (in + out) multiply-adds per position per layer, which grows with the image.
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import { makeAttribute, makeNode } from '../models/onnx/factories.js'
import type { OnnxGraph, OnnxNode } from '../models/onnx/types.js'
import type { LiveLora, ScaleInputs } from './live.js'
import type { LoraPatch } from './match.js'
import { transpose } from './matrix.js'
import type { WeightStore } from './weights.js'

interface Branch {
  readonly patch: LoraPatch
  readonly file: SafetensorsSource
  readonly index: number
}

/**
 * Rewrites `graph` once: every layer patched by a live LoRA gets that LoRA's branch added to its output. `live` lists
 * each LoRA's index (the suffix of its `lora_scale_<i>` input), file and patches; `scales` holds their inputs.
 */
export async function addLiveBranches(graph: OnnxGraph, store: WeightStore, live: readonly LiveLora[], scales: ScaleInputs): Promise<void> {
  const byNode = new Map<OnnxNode, Branch[]>()
  for (const { index, file, patches } of live) {
    for (const patch of patches) {
      const list = byNode.get(patch.layer.node) ?? []
      list.push({ patch, file, index })
      byNode.set(patch.layer.node, list)
    }
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
      const terms = await branchNodes(graph, store, branch, scales.name(branch.index, branch.patch.layer.dataType))
      rewritten.push(...terms.nodes)
      const sum = k === branches.length - 1 ? y : `${terms.prefix}/sum`
      rewritten.push(makeNode({ opType: 'Add', name: `${terms.prefix}/Add`, input: [acc, terms.output], output: [sum] }))
      acc = sum
    }
  }
  graph.node = rewritten
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
    // The down conv sees the layer's input exactly as the layer does: same strides, padding and dilation. Defaults
    // are written out, since onnxruntime-web's WebGPU Conv refuses a node without explicit dilations.
    const own = layer.node.attribute.filter((a) => a.name !== 'group')
    const named = (name: string): boolean => own.some((a) => a.name === name)
    const attribute = [
      ...own,
      ...(named('dilations') ? [] : [makeAttribute('dilations', [1, 1])]),
      ...(named('strides') ? [] : [makeAttribute('strides', [1, 1])]),
      ...(named('pads') || named('auto_pad') ? [] : [makeAttribute('pads', [0, 0, 0, 0])]),
    ]
    first = makeNode({ opType: 'Conv', name: `${prefix}/down/Conv`, input: [x, downName], output: [`${prefix}/down`], attribute })
    const pointwise = [makeAttribute('dilations', [1, 1]), makeAttribute('kernel_shape', [1, 1]), makeAttribute('pads', [0, 0, 0, 0]), makeAttribute('strides', [1, 1])]
    last = makeNode({ opType: 'Conv', name: `${prefix}/up/Conv`, input: [`${prefix}/scaled`, upName], output: [`${prefix}/up`], attribute: pointwise })
  }
  // Scaling the rank-sized tensor is the cheapest place for the multiplier.
  const mul = makeNode({ opType: 'Mul', name: `${prefix}/Mul`, input: [`${prefix}/down`, scale], output: [`${prefix}/scaled`] })
  return { nodes: [first, mul, last], output: `${prefix}/up`, prefix }
}
