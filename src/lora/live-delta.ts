// live-delta mode: each patched weight W is fed to its layer as W + lora_scale_<i> * delta, where delta is the
// LoRA's alpha/rank * up @ down in the weight's stored layout and dtype, formed here once when the model is built.
// A run then pays one Mul and one Add over the weight, the same at any image size, where a branch beside the layer
// would pay for every pixel.
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import { makeNode } from '../models/onnx/factories.js'
import type { OnnxGraph, OnnxNode } from '../models/onnx/types.js'
import type { TargetLayer } from './layers.js'
import type { LiveLora, ScaleInputs } from './live.js'
import type { LoraPatch } from './match.js'
import { addLowRankProduct, transpose } from './matrix.js'
import type { WeightStore } from './weights.js'

interface Term {
  readonly patch: LoraPatch
  readonly file: SafetensorsSource
  readonly index: number
}

/** The node input that reads `layer`'s weight: the layer's own, or that of the Transpose feeding it. */
function weightSlot(graph: OnnxGraph, layer: TargetLayer): { node: OnnxNode; slot: number } {
  const weight = layer.weight.name
  if (layer.node.input[1] === weight) return { node: layer.node, slot: 1 }
  const transpose = graph.node.find((n) => n.opType === 'Transpose' && n.output[0] === layer.node.input[1] && n.input[0] === weight)
  if (!transpose) throw new Error(`LoRA layer "${layer.name}": cannot find the node that reads weight "${weight ?? '?'}"`)
  return { node: transpose, slot: 0 }
}

/**
 * Rewrites `graph` once: every weight patched by a live-delta LoRA becomes W + sum_i lora_scale_i * delta_i, computed
 * just before the node that reads it, so onnxruntime can free each recomputed weight after its one use. `scales`
 * holds the inputs.
 */
export async function addLiveDeltas(graph: OnnxGraph, store: WeightStore, live: readonly LiveLora[], scales: ScaleInputs): Promise<void> {
  const byLayer = new Map<TargetLayer, Term[]>()
  for (const { index, file, patches } of live) {
    for (const patch of patches) byLayer.set(patch.layer, [...(byLayer.get(patch.layer) ?? []), { patch, file, index }])
  }
  const before = new Map<OnnxNode, OnnxNode[]>()
  for (const [layer, terms] of byLayer) {
    const { node, slot } = weightSlot(graph, layer)
    const nodes = before.get(node) ?? []
    let weight = node.input[slot]!
    for (const term of terms) {
      const added = await deltaNodes(graph, store, term, weight, scales.name(term.index, layer.dataType))
      nodes.push(...added.nodes)
      weight = added.output
    }
    node.input[slot] = weight
    before.set(node, nodes)
  }
  graph.node = graph.node.flatMap((n) => [...(before.get(n) ?? []), n])
}

async function deltaNodes(
  graph: OnnxGraph,
  store: WeightStore,
  { patch, file, index }: Term,
  weight: string,
  scale: string,
): Promise<{ nodes: OnnxNode[]; output: string }> {
  const { layer, rank } = patch
  const prefix = `/lora/${index}/${layer.name}`
  const down = (await file.readFloats(patch.down)).data
  const up = (await file.readFloats(patch.up)).data.map((v) => v * patch.alphaScale)
  const out = layer.shape[0]!
  const cols = down.length / rank // in * kh * kw
  // The product in the weight's stored layout: [out, cols] = up @ down, or [cols, out] = down^T @ up^T for MatMul.
  const [left, right, rows, width] = layer.transposed
    ? [transpose(down, rank, cols), transpose(up, out, rank), cols, out]
    : [up, down, out, cols]
  // Formed in float32 (double-precision sums) and rounded once to the weight's dtype: what folding the factors'
  // product and casting it would give, without the fold, which onnxruntime skips for small unoptimised models.
  const product = new Float32Array(rows * width)
  addLowRankProduct(product, rows, width, rank, left, right, 1)
  const deltaName = `lora.${index}.${layer.name}.delta`
  graph.initializer.push(store.create(deltaName, [...layer.weight.dims], layer.dataType, product))
  const output = `${prefix}/weight`
  return {
    nodes: [
      makeNode({ opType: 'Mul', name: `${prefix}/Mul`, input: [deltaName, scale], output: [`${prefix}/scaled`] }),
      makeNode({ opType: 'Add', name: `${prefix}/Add`, input: [weight, `${prefix}/scaled`], output: [output] }),
    ],
    output,
  }
}
