// Tied initializers: exporters store equal constants once, read by several nodes. Before a write meant for some of
// those readers, they get their own copy (sharing the stored bytes until written), so the other readers keep the
// old values. untieSharedWeights (merge.ts) does the same for LoRA layers, one node each.
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../models/onnx/types.js'

export class TiedInitializers {
  /** Node input slots reading each name. */
  private readonly slots = new Map<string, number>()

  constructor(private readonly graph: OnnxGraph) {
    for (const node of graph.node) for (const input of node.input) this.slots.set(input, (this.slots.get(input) ?? 0) + 1)
  }

  /**
   * The tensor to write for `users`: `tensor` itself when no other node reads it (or `users` is empty, meaning every
   * reader), else a copy named `<name>/<tag>` that `users` now read instead.
   */
  ownedBy(tensor: OnnxTensor, users: readonly OnnxNode[], tag: string): OnnxTensor {
    const name = tensor.name ?? ''
    const own = users.reduce((n, node) => n + node.input.filter((i) => i === name).length, 0)
    const all = this.slots.get(name) ?? 0
    if (own === 0 || own >= all) return tensor
    const copy: OnnxTensor = { ...tensor, name: `${name}/${tag}` }
    this.graph.initializer.push(copy)
    for (const node of users) node.input = node.input.map((i) => (i === name ? copy.name! : i))
    this.slots.set(name, all - own)
    this.slots.set(copy.name!, own)
    return copy
  }
}
