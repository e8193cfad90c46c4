// Export to ComfyUI: our graph as a UI workflow (schema 0.4, what ComfyUI's Save writes) or an API prompt. Nodes
// with a counterpart are translated (comfyui-export-nodes.ts); every node also carries properties.hypersd (in a
// prompt: _meta.hypersd) so that our import rebuilds it exactly while the ComfyUI side is unchanged. Warnings say
// where ComfyUI would run something different.
import { EXPORTERS, keepAsIs } from './comfyui-export-nodes.js'
import { exportReroutes } from './comfyui-export-reroutes.js'
import { ExportedNode, isSlotRef, type ExportContext, type HypersdHelperProperties, type HypersdProperties, type OutInput, type OutNode, type SlotRef } from './comfyui-export-model.js'
import type { AnyNodeDefinition } from '../engine/spec.js'
import { isGraphLink, type GraphFile, type GraphLink, type GraphNode } from './schema.js'
import type { JsonValue } from './safe-json.js'

export interface ComfyExportOptions {
  /** Our node declarations, for the slot types of nodes written under our own type name. */
  readonly describe?: (type: string) => AnyNodeDefinition | undefined
  /** Write properties.hypersd (default true); without it only the translation travels. */
  readonly properties?: boolean
}

export interface ComfyExport<T> {
  readonly document: T
  /** Where ComfyUI runs something other than our graph, one line per node and difference. */
  readonly warnings: readonly string[]
}

export type ComfyWorkflowJson = Record<string, JsonValue>
export type ComfyPromptJson = Record<string, { class_type: string; inputs: Record<string, JsonValue>; _meta: Record<string, JsonValue> }>

const VIRTUAL_TYPES = new Set(['Note', 'MarkdownNote'])
const HELPER_GAP = 40

interface Built {
  readonly nodes: OutNode[]
  /** Resolved input sources: node id -> input name -> slot. */
  readonly sources: Map<number, Map<string, SlotRef>>
  readonly hypersd: Map<number, Omit<HypersdProperties, 'widgets'> | Omit<HypersdHelperProperties, 'widgets'>>
  readonly warnings: string[]
  /** Our node id -> the id of the ComfyUI node standing for it. */
  readonly ids: ReadonlyMap<string, number>
  /** Our node id -> our input -> the ComfyUI input of that node its link goes to. */
  readonly comfyInputs: ReadonlyMap<string, ReadonlyMap<string, string>>
}

/** Our graph as a ComfyUI UI workflow (version 0.4). */
export function exportComfyWorkflow(graph: GraphFile, options: ComfyExportOptions = {}): ComfyExport<ComfyWorkflowJson> {
  const built = build(graph, options)
  let lastLink = 0
  const links: JsonValue[] = []
  const outputLinks = new Map<string, number[]>()
  const inputLinks = new Map<string, number>()
  const byId = new Map(built.nodes.map((n) => [n.id, n]))
  for (const node of built.nodes) {
    node.inputs.forEach((input, slot) => {
      const source = built.sources.get(node.id)?.get(input.name)
      if (!source) return
      const id = ++lastLink
      links.push([id, source.node, source.slot, node.id, slot, byId.get(source.node)?.outputs[source.slot]?.type ?? input.type])
      inputLinks.set(`${node.id}:${input.name}`, id)
      const key = `${source.node}:${source.slot}`
      outputLinks.set(key, [...(outputLinks.get(key) ?? []), id])
    })
  }
  const nodes = built.nodes.map((node, order): JsonValue => {
    const widgets = node.rawWidgets ?? widgetValues(node)
    const hypersd = built.hypersd.get(node.id)
    const layout = node.layout
    return {
      id: node.id,
      type: node.type,
      ...(node.title !== undefined ? { title: node.title } : {}),
      pos: layout?.pos ? [...layout.pos] : [0, 0],
      size: layout?.size ? [...layout.size] : [315, 100],
      flags: layout?.collapsed ? { collapsed: true } : {},
      order,
      mode: node.mode,
      inputs: node.inputs.map((input) => ({ name: input.name, type: input.type, link: inputLinks.get(`${node.id}:${input.name}`) ?? null })),
      outputs: node.outputs.map((output, slot) => ({ name: output.name, type: output.type, links: outputLinks.get(`${node.id}:${slot}`) ?? [], slot_index: slot })),
      properties: { 'Node name for S&R': node.type, ...node.properties, ...(hypersd ? { hypersd: { ...hypersd, widgets } as JsonValue } : {}) },
      widgets_values: widgets,
      ...(layout?.color ? { color: layout.color } : {}),
      ...(layout?.bgcolor ? { bgcolor: layout.bgcolor } : {}),
    }
  })
  const viewport = graph.layout?.viewport
  const routed = exportReroutes(graph, {
    linkInto: (ours, input) => {
      const node = built.ids.get(ours)
      const comfyInput = built.comfyInputs.get(ours)?.get(input)
      const link = node === undefined || comfyInput === undefined ? undefined : inputLinks.get(`${node}:${comfyInput}`)
      return link === undefined ? undefined : { link, source: built.sources.get(node!)!.get(comfyInput!)!.node }
    },
    comfyId: (ours) => built.ids.get(ours),
  })
  const document: ComfyWorkflowJson = {
    last_node_id: Math.max(0, ...built.nodes.map((n) => n.id)),
    last_link_id: lastLink,
    nodes,
    links,
    groups: (graph.layout?.groups ?? []).map((g) => ({
      title: g.title,
      bounding: [...g.bounding],
      ...(g.color ? { color: g.color } : {}),
      ...(g.fontSize !== undefined ? { font_size: g.fontSize } : {}),
      flags: {},
    })),
    config: {},
    extra: { ds: { scale: viewport?.scale ?? 1, offset: viewport ? [...viewport.offset] : [0, 0] }, ...routed },
    version: 0.4,
  }
  return { document, warnings: built.warnings }
}

/**
 * Our graph as an API prompt (what ComfyUI's /prompt takes): notes are left out, as ComfyUI's frontend does; muted
 * nodes too, and links through a bypassed node go to its input of the same type.
 */
export function exportComfyPrompt(graph: GraphFile, options: ComfyExportOptions = {}): ComfyExport<ComfyPromptJson> {
  const built = build(graph, options)
  const warnings = [...built.warnings]
  const byId = new Map(built.nodes.map((n) => [n.id, n]))
  const left = (node: OutNode): boolean => VIRTUAL_TYPES.has(node.type) || node.mode === 2 || node.mode === 4
  for (const node of built.nodes) {
    if (node.mode === 2) warnings.push(`node ${node.id} (${node.type}): muted, left out of the API prompt`)
  }
  /** Follows a source through bypassed nodes (their same-slot input of the type, else the first of that type). */
  const through = (source: SlotRef): SlotRef | undefined => {
    let current: SlotRef | undefined = source
    for (let hops = 0; current && hops < 256; hops++) {
      const node = byId.get(current.node)
      if (!node || node.mode === 2) return undefined
      if (node.mode !== 4) return current
      const wanted: string | undefined = node.outputs[current.slot]?.type
      const sources = built.sources.get(node.id)
      const same: OutInput | undefined = node.inputs[current.slot]
      const input: OutInput | undefined = same && same.type === wanted && sources?.has(same.name) ? same : node.inputs.find((i) => i.type === wanted && sources?.has(i.name))
      current = input ? sources?.get(input.name) : undefined
    }
    return undefined
  }
  const document: ComfyPromptJson = {}
  for (const node of built.nodes) {
    if (left(node)) continue
    const inputs: Record<string, JsonValue> = {}
    const widgets = node.rawWidgets !== undefined && isRecord(node.rawWidgets) ? node.rawWidgets : apiWidgets(node)
    if (node.rawWidgets !== undefined && !isRecord(node.rawWidgets)) warnings.push(`node ${node.id} (${node.type}): its positional widget values cannot be named in an API prompt; left out`)
    Object.assign(inputs, widgets)
    for (const input of node.inputs) {
      const source = built.sources.get(node.id)?.get(input.name)
      if (!source) continue
      const resolved = through(source)
      if (resolved) inputs[input.name] = [String(resolved.node), resolved.slot]
      else warnings.push(`node ${node.id} (${node.type}) input "${input.name}": its source is muted; left unconnected`)
    }
    const hypersd = built.hypersd.get(node.id)
    document[String(node.id)] = {
      class_type: node.type,
      inputs,
      _meta: { title: node.title ?? node.type, ...(hypersd ? { hypersd: { ...hypersd, widgets } as JsonValue } : {}) },
    }
  }
  return { document, warnings }
}

function isRecord(value: JsonValue): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function widgetValues(node: OutNode): JsonValue[] {
  return node.widgets.map(([, value]) => value)
}

/** An API prompt names its widgets; the seed's control_after_generate is the frontend's, not an input. */
function apiWidgets(node: OutNode): Record<string, JsonValue> {
  return Object.fromEntries(node.widgets.filter(([name]) => name !== 'control_after_generate'))
}

/** ComfyUI ids are integers: ours are kept where they are, others numbered after the largest. */
function assignIds(graph: GraphFile): { ids: Map<string, number>; next: () => number } {
  const ids = new Map<string, number>()
  for (const node of graph.nodes) {
    if (/^[1-9]\d{0,8}$/.test(node.id)) ids.set(node.id, Number(node.id))
  }
  let last = Math.max(0, ...ids.values())
  const next = (): number => ++last
  for (const node of graph.nodes) if (!ids.has(node.id)) ids.set(node.id, next())
  return { ids, next }
}

function build(graph: GraphFile, options: ComfyExportOptions): Built {
  const { ids, next } = assignIds(graph)
  const ourNodes = new Map(graph.nodes.map((n) => [n.id, n]))
  const used = new Map<string, Set<string>>()
  for (const node of graph.nodes) {
    for (const value of Object.values(node.inputs)) {
      if (!isGraphLink(value)) continue
      const [from, output] = value.from
      used.set(from, (used.get(from) ?? new Set()).add(output))
    }
  }
  const warnings: string[] = []
  const exported = new Map<string, ExportedNode>()
  const all: OutNode[] = []
  const pending = new Map<number, Map<string, SlotRef | GraphLink>>()
  const helperOf = new Map<number, string>()

  for (const node of graph.nodes) {
    const result = new ExportedNode(node.id)
    exported.set(node.id, result)
    const layout = graph.layout?.nodes?.[node.id]
    const mode = node.mode === 'bypass' ? 4 : node.mode === 'mute' ? 2 : 0
    const make = (id: number, type: string, inputs: OutNode['inputs'], widgets: OutNode['widgets'], outputs: OutNode['outputs'], title?: string): OutNode => {
      const out: OutNode = { id, type, ...(title !== undefined ? { title } : {}), mode, inputs, outputs: [...outputs], widgets, properties: {} }
      result.nodes.push(out)
      return out
    }
    const ctx: ExportContext = {
      node,
      layout,
      warn: (message) => warnings.push(`node ${node.id} (${node.type}): ${message}`),
      link(ours, comfyInput = ours) {
        const value = node.inputs[ours]
        if (!isGraphLink(value)) return {}
        result.linkInputs.set(ours, comfyInput)
        return { source: value }
      },
      recordLink: (ours, comfyInput) => void result.linkInputs.set(ours, comfyInput),
      primary(type, inputs, widgets, outputs) {
        const out = make(ids.get(node.id)!, type, inputs, widgets, outputs, node.title)
        if (layout) out.layout = { ...layout }
        result.primary = out
        return out
      },
      helper(type, inputs, widgets, outputs) {
        const out = make(next(), type, inputs, widgets, outputs)
        helperOf.set(out.id, node.id)
        const base = layout?.pos ?? [0, 0]
        const below = result.nodes.filter((n) => n !== out && n !== result.primary).length
        out.layout = { pos: [base[0], base[1] + (layout?.size?.[1] ?? 300) + HELPER_GAP + below * 130], size: [315, 100] }
        return out
      },
      output: (name, slot) => void result.outputs.set(name, { node: ids.get(node.id)!, slot }),
      ourNode: (id) => ourNodes.get(id),
      usedOutputs: used.get(node.id) ?? new Set(),
      describe: options.describe,
      exported: result,
    }
    const translate = !node.placeholder && Object.hasOwn(EXPORTERS, node.type) ? EXPORTERS[node.type]! : keepAsIs
    translate(ctx)
    // The node standing for ours first, then its helpers.
    for (const out of [...result.nodes].sort((a, b) => Number(b === result.primary) - Number(a === result.primary))) {
      all.push(out)
      pending.set(out.id, new Map(out.inputs.flatMap((input) => (input.source ? [[input.name, input.source] as const] : []))))
    }
  }

  const sources = new Map<number, Map<string, SlotRef>>()
  for (const [id, inputs] of pending) {
    const resolved = new Map<string, SlotRef>()
    for (const [name, source] of inputs) {
      if (isSlotRef(source)) {
        resolved.set(name, source)
        continue
      }
      const [from, output] = source.from
      const slot = exported.get(from)?.outputs.get(output)
      if (slot) resolved.set(name, slot)
      else warnings.push(`node ${id}: input "${name}" links to ${from}.${output}, which has no ComfyUI output; left unconnected`)
    }
    sources.set(id, resolved)
  }

  const hypersd: Built['hypersd'] = new Map()
  if (options.properties !== false) {
    for (const node of graph.nodes) {
      const result = exported.get(node.id)!
      const primary = result.primary
      if (!primary || node.placeholder) continue
      hypersd.set(primary.id, propertiesOf(node, result, ids, graph.layout?.nodes?.[node.id]?.controls))
    }
    for (const [id, ours] of helperOf) hypersd.set(id, { helperFor: ours })
  }
  const comfyInputs = new Map([...exported].map(([id, result]) => [id, new Map([...result.linkInputs].flatMap(([ours, carrier]) => (typeof carrier === 'string' ? [[ours, carrier] as const] : [])))]))
  return { nodes: all, sources, hypersd, warnings, ids, comfyInputs }
}

function propertiesOf(
  node: GraphNode,
  result: ExportedNode,
  ids: ReadonlyMap<string, number>,
  controls: Record<string, string> | undefined,
): Omit<HypersdProperties, 'widgets'> {
  const outputs: string[] = []
  for (const [name, slot] of result.outputs) outputs[slot.slot] = name
  // A link ComfyUI has no socket for names its source by the id that node has in the export.
  const links = [...result.linkInputs].map(([ours, carrier]) =>
    typeof carrier === 'string' ? [ours, carrier] : [ours, { from: [String(ids.get(carrier.from[0]) ?? carrier.from[0]), carrier.from[1]] }],
  )
  return {
    type: node.type,
    version: node.version,
    inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, v]) => !isGraphLink(v))) as Record<string, JsonValue>,
    links: Object.fromEntries(links),
    outputs: Array.from(outputs, (name) => name ?? ''),
    ...(controls && Object.keys(controls).length > 0 ? { controls } : {}),
  }
}
