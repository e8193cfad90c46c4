// merge: W += multiplier * alpha/rank * up @ down, written into the weight (respecting [in, out] MatMul storage).
// The session is rebuilt for every new multiplier; the result runs exactly as fast as the base model.
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import type { OnnxGraph } from '../models/onnx/types.js'
import type { TargetLayer } from './layers.js'
import type { LoraPatch } from './match.js'
import { addLowRankProduct, transpose } from './matrix.js'
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
    store.update(layer.weight, (weight) => {
      const out = layer.shape[0]!
      const cols = weight.length / out // in * kh * kw
      const rank = patch.rank
      const scale = multiplier * patch.alphaScale
      // Rows over contiguous memory in both layouts (stored [out, cols], or [cols, out] for MatMul).
      if (layer.transposed) addLowRankProduct(weight, cols, out, rank, transpose(down, rank, cols), transpose(up, out, rank), scale) // W^T += down^T @ up^T
      else addLowRankProduct(weight, out, cols, rank, up, down, scale) // W += up @ down
    })
  }
}
