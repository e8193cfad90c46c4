// ComfyUI nodes with no equivalent here are kept as placeholder nodes rather than dropped: their type, slots
// (names and types), widget values, title and layout survive a save, and the links to and from them stay, so a run
// that needs one fails naming it, and one that does not runs around it.
import type { ComfyDocument, ComfyNode } from './comfyui-read.js'
import type { PlaceholderData, PlaceholderSlot } from './placeholder-schema.js'
import { InputNameSchema, type GraphLink, type GraphNode, type InputValue } from './schema.js'

/** Our input names are identifiers; a ComfyUI input named otherwise keeps its slot but not its link. */
export function isInputName(name: string): boolean {
  return InputNameSchema.safeParse(name).success
}

/** Output slots by index. Prompts name no outputs: the slots other nodes link to become `output_N`. */
export function placeholderOutputs(node: ComfyNode, doc: ComfyDocument): PlaceholderSlot[] {
  const count = Math.max(node.outputNames?.length ?? 0, linkedSlotCounts(doc).get(node.id) ?? 0)
  const seen = new Set<string>()
  const slots: PlaceholderSlot[] = []
  for (let slot = 0; slot < count; slot++) {
    let name = node.outputNames?.[slot] || `output_${slot}`
    // Links name outputs, so two outputs may not share a name.
    if (seen.has(name)) name = `${name}_${slot}`
    seen.add(name)
    slots.push({ name, type: node.outputTypes[slot] ?? '*' })
  }
  return slots
}

export function placeholderOutputName(node: ComfyNode, doc: ComfyDocument, slot: number): string | undefined {
  return placeholderOutputs(node, doc)[slot]?.name
}

/** The placeholder for `node`; `link` resolves one of its ComfyUI inputs to our link (or undefined, warned). */
export function placeholderNode(node: ComfyNode, doc: ComfyDocument, link: (input: string) => GraphLink | undefined, warn: (m: string) => void): GraphNode {
  const inputNames = [...new Set([...Object.keys(node.inputTypes), ...Object.keys(node.links)])]
  const inputs: Record<string, InputValue> = {}
  for (const name of Object.keys(node.links)) {
    if (!isInputName(name)) {
      warn(`input "${name}" is not a name this format can hold; its link is not kept`)
      continue
    }
    const resolved = link(name)
    if (resolved) inputs[name] = resolved
  }
  const placeholder: PlaceholderData = {
    origin: 'comfyui',
    inputs: inputNames.map((name) => ({ name, type: Object.hasOwn(node.inputTypes, name) ? node.inputTypes[name]! : '*' })),
    outputs: placeholderOutputs(node, doc),
    ...(node.rawWidgets !== undefined ? { widgets: node.rawWidgets } : {}),
  }
  return { id: node.id, type: node.type, version: 1, ...(node.title !== undefined ? { title: node.title } : {}), inputs, placeholder }
}

/** How many output slots of each node other nodes link to (highest slot + 1), counted once per document. */
const slotCountsByDocument = new WeakMap<ComfyDocument, Map<ComfyNode['id'], number>>()
function linkedSlotCounts(doc: ComfyDocument): Map<ComfyNode['id'], number> {
  let counts = slotCountsByDocument.get(doc)
  if (counts) return counts
  counts = new Map()
  for (const other of doc.nodes.values()) {
    for (const ref of Object.values(other.links)) counts.set(ref.node, Math.max(counts.get(ref.node) ?? 0, ref.slot + 1))
  }
  slotCountsByDocument.set(doc, counts)
  return counts
}
