// "Add UNet + LoRA node" for a newly added LoRA: the node goes where the UNet chain ends (after the last UNET
// producer, before the nodes it feeds), so the LoRA applies at once; without one obvious chain end it is only placed.
import { LiteGraph, type LGraph, type LGraphNode } from '@comfyorg/litegraph'
import { isSpecNode } from './node-types.js'

const LORA_NODE = 'UNetLoRA'
const UNET = 'UNET'

export interface UnetChainEnd {
  readonly node: LGraphNode
  readonly slot: number
  /** The inputs it feeds (samplers...), relinked to the new node. */
  readonly targets: readonly { readonly node: LGraphNode; readonly slot: number }[]
}

/** The one UNET output that feeds nodes other than LoRA nodes (or, with no such links, the one UNET output), if any. */
export function unetChainEnd(graph: LGraph): UnetChainEnd | undefined {
  const ends = new Map<string, { node: LGraphNode; slot: number; targets: { node: LGraphNode; slot: number }[] }>()
  for (const link of graph.links.values()) {
    if (String(link.type) !== UNET) continue
    const origin = graph.getNodeById(link.origin_id)
    const target = graph.getNodeById(link.target_id)
    if (!origin || !target || target.type === LORA_NODE) continue
    const key = `${origin.id}:${link.origin_slot}`
    const end = ends.get(key) ?? { node: origin, slot: link.origin_slot, targets: [] }
    end.targets.push({ node: target, slot: link.target_slot })
    ends.set(key, end)
  }
  if (ends.size === 1) return [...ends.values()][0]
  if (ends.size > 1) return undefined
  const outputs = graph._nodes.flatMap((node) => node.outputs.flatMap((o, slot) => (String(o.type) === UNET && !o.links?.length ? [{ node, slot, targets: [] }] : [])))
  return outputs.length === 1 ? outputs[0] : undefined
}

/** Adds a UNet + LoRA node with `lora` set, spliced after the UNet chain's end when there is one, else at `fallback`. */
export function insertLoraNode(graph: LGraph, lora: string, fallback: readonly [number, number]): LGraphNode | null {
  const node = LiteGraph.createNode(LORA_NODE)
  if (!node) return null
  if (isSpecNode(node)) node.setInputValue('lora', lora)
  const end = unetChainEnd(graph)
  if (!end) {
    node.pos = [fallback[0], fallback[1]]
    graph.add(node)
    return node
  }
  node.pos = [end.node.pos[0] + 30, end.node.pos[1] + end.node.size[1] + 70]
  graph.add(node)
  const input = node.inputs.findIndex((i) => String(i.type) === UNET)
  const output = node.outputs.findIndex((o) => String(o.type) === UNET)
  end.node.connect(end.slot, node, input)
  for (const target of end.targets) node.connect(output, target.node, target.slot)
  return node
}
