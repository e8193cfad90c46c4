// ComfyUI import: UI workflows (0.4 and schema 1) and API prompts become a valid GraphFile, with a report of
// what was dropped (no equivalent), folded (reroutes, primitives, sampler helpers) or approximated.
import { CONVERTERS, VALUE_NODES } from './comfyui-nodes.js'
import { extraIdAllocator, extraNodeLayout, nodesFromConverted, redirectExtraOutputs } from './comfyui-assemble.js'
import type { ConvertContext, Converted } from './comfyui-convert.js'
import { placeholderNode, placeholderOutputName } from './comfyui-placeholder.js'
import { restoreExportedNodes } from './comfyui-import-hypersd.js'
import { MODEL_PASS_THROUGH, SAMPLING_HELPER_NODES } from './comfyui-sampling-nodes.js'
import { readComfyDocument } from './comfyui-read.js'
import { importReroutes } from './comfyui-reroutes.js'
import type { ComfyDocument, ComfyLinkRef, ComfyNode } from './comfyui-read.js'
import { GraphFileError } from './errors.js'
import { readJson, refuseHostileKeys, zodFailure } from './parse.js'
import { GRAPH_FORMAT, GRAPH_VERSION, GraphFileSchema } from './schema.js'
import type { GraphFile, GraphFileInput, GraphLink, GraphNode, NodeLayout } from './schema.js'
import type { JsonValue } from './safe-json.js'

export { WIDGET_ORDER } from './comfyui-read.js'
export { schedulerPreset } from './comfyui-nodes.js'

export interface ComfyImportReport {
  /** e.g. `node 7 (FooNode): no equivalent, kept as a placeholder` */
  readonly placeholders: readonly string[]
  /** Muted nodes, bypassed ones and helpers nothing used, e.g. `node 7 (FooNode): muted, dropped` */
  readonly dropped: readonly string[]
  /** Nodes absorbed into others: reroutes, primitive values, sampler/scheduler helpers of SamplerCustom. */
  readonly folded: readonly string[]
  /** Approximations and removed links. */
  readonly warnings: readonly string[]
}

/** A ComfyUI link the import had to remove (its source has no equivalent, or is missing), for the runnable check. */
export interface RemovedComfyLink {
  readonly nodeId: string
  /** The ComfyUI input name (ours is usually the same; see the node's converter). */
  readonly comfyInput: string
  /** The ComfyUI socket type, when the file names it (UI workflows). */
  readonly comfyType?: string
  /** e.g. `node 12 (FreeU_V2), which is muted` */
  readonly source: string
}

export interface ComfyImportResult {
  readonly graph: GraphFile
  readonly format: 'workflow' | 'prompt'
  readonly report: ComfyImportReport
  readonly removedLinks: readonly RemovedComfyLink[]
}

/** How the import report names what it came from, e.g. `ComfyUI workflow (upscale.json)`. */
export function comfySourceLabel(format: ComfyImportResult['format'], source?: string): string {
  return `ComfyUI ${format === 'workflow' ? 'workflow' : 'API prompt'}${source ? ` (${source})` : ''}`
}

/** Imports ComfyUI JSON text (workflow or API prompt). Hostile keys and malformed JSON give a GraphFileError. */
export function importComfyUI(text: string, source?: string): ComfyImportResult {
  return importComfyDocument(readJson(text, source), source)
}

const HELPER_NODES = SAMPLING_HELPER_NODES
const MAX_HOPS = 256

export function importComfyDocument(json: JsonValue, source?: string): ComfyImportResult {
  refuseHostileKeys(json, source)
  const doc = readComfyDocument(json, source)
  const folded = new Set<string>()
  const warnings: string[] = []
  const converted = new Map<string, GraphNode>()
  const controls = new Map<string, NodeLayout['controls']>()
  const results = new Map<string, Converted>()
  const extraNodes = new Map<string, GraphNode[]>()
  const removedLinks: RemovedComfyLink[] = []
  const extraIdOf = extraIdAllocator(doc)
  // Nodes of ours that our export wrote and ComfyUI left as they were come back exactly; their helpers go silently.
  const restored = restoreExportedNodes(doc)
  for (const [id, { node, controls: control }] of restored.nodes) {
    converted.set(id, node)
    if (control) controls.set(id, control)
  }

  const label = (node: ComfyNode): string => `node ${node.id} (${node.type})`
  // Muted (mode 2) and bypassed (mode 4) nodes with an equivalent keep their mode, so the graph runs as in ComfyUI.
  const isConverted = (node: ComfyNode): boolean => Object.hasOwn(CONVERTERS, node.type)
  /** Active nodes with no equivalent, other than the plumbing folded into others, are kept as placeholders. */
  const isPlaceholder = (node: ComfyNode): boolean =>
    node.mode !== 2 && node.mode !== 4 && !Object.hasOwn(CONVERTERS, node.type) && node.type !== 'Reroute' && !VALUE_NODES.has(node.type) && !HELPER_NODES.has(node.type)

  /**
   * Follows reroutes, bypassed nodes and model-sampling nodes (whose MODEL output is their model input, their effect
   * going into the sampler's translation) back to the node that really produces a value.
   */
  const resolve = (ref: ComfyLinkRef): { node: ComfyNode; slot: number } | undefined => {
    let current = ref
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const node = doc.nodes.get(current.node)
      if (!node) return undefined
      let next: ComfyLinkRef | undefined
      if (node.type === 'Reroute') {
        next = Object.values(node.links)[0]
      } else if (node.mode === 4 && !isConverted(node)) {
        // As the engine's bypass (passThroughInput) and ComfyUI: the input at the same slot if its type matches,
        // else the first linked input of that type.
        const wanted = node.outputTypes[current.slot]
        const sameSlot = Object.keys(node.inputTypes)[current.slot]
        const name =
          sameSlot !== undefined && node.inputTypes[sameSlot] === wanted && node.links[sameSlot]
            ? sameSlot
            : Object.keys(node.links).find((n) => node.inputTypes[n] === wanted)
        next = name === undefined ? undefined : node.links[name]
      } else if (MODEL_PASS_THROUGH.has(node.type) && current.slot === 0 && node.mode !== 2) {
        next = Object.hasOwn(node.links, 'model') ? node.links['model'] : undefined
        folded.add(node.id)
      } else {
        return { node, slot: current.slot }
      }
      if (!next) return undefined
      current = next
    }
    return undefined
  }

  const contextFor = (node: ComfyNode): ConvertContext => {
    const warn = (message: string): void => {
      warnings.push(`${label(node)}: ${message}`)
    }
    const valueSource = (name: string): ComfyNode | undefined => {
      const ref = Object.hasOwn(node.links, name) ? node.links[name] : undefined
      const origin = ref ? resolve(ref) : undefined
      return origin && VALUE_NODES.has(origin.node.type) && origin.node.widgets['value'] !== undefined ? origin.node : undefined
    }
    const removed = (comfyInput: string, source: string): void => {
      const comfyType = Object.hasOwn(node.inputTypes, comfyInput) ? node.inputTypes[comfyInput] : undefined
      removedLinks.push({ nodeId: node.id, comfyInput, ...(comfyType !== undefined ? { comfyType } : {}), source })
    }
    return {
      node,
      document: doc,
      extraNodeId: (suffix) => extraIdOf(node.id, suffix),
      warn,
      link(comfyInput): GraphLink | undefined {
        const ref = Object.hasOwn(node.links, comfyInput) ? node.links[comfyInput] : undefined
        if (!ref) return undefined
        const origin = resolve(ref)
        if (!origin) {
          warn(`input "${comfyInput}": source node ${ref.node} is missing or passes nothing through; link removed`)
          removed(comfyInput, `node ${ref.node}, which is missing or passes nothing through`)
          return undefined
        }
        const output = isConverted(origin.node)
          ? CONVERTERS[origin.node.type]!.outputs[origin.slot]
          : isPlaceholder(origin.node)
            ? placeholderOutputName(origin.node, doc, origin.slot)
            : undefined
        if (output === undefined) {
          warn(`input "${comfyInput}": linked from dropped ${label(origin.node)}; link removed`)
          const why = origin.node.mode === 2 ? 'is muted' : origin.node.mode === 4 ? 'is bypassed with nothing to pass on' : 'has no equivalent here'
          removed(comfyInput, `${label(origin.node)}, which ${why} and was dropped`)
          return undefined
        }
        return { from: [origin.node.id, output] }
      },
      valueSource,
      widget(name) {
        const source = valueSource(name)
        if (source) {
          folded.add(source.id)
          return source.widgets['value']
        }
        const ref = Object.hasOwn(node.links, name) ? node.links[name] : undefined
        const origin = ref ? resolve(ref) : undefined
        if (ref) warn(`widget "${name}" is fed by ${origin ? label(origin.node) : `node ${ref.node}`}, which has no equivalent; its saved value is used`)
        return Object.hasOwn(node.widgets, name) ? node.widgets[name] : undefined
      },
      fold(comfyInput) {
        const ref = Object.hasOwn(node.links, comfyInput) ? node.links[comfyInput] : undefined
        const origin = ref ? resolve(ref) : undefined
        if (origin) folded.add(origin.node.id)
        return origin?.node
      },
      origin(comfyInput) {
        const ref = Object.hasOwn(node.links, comfyInput) ? node.links[comfyInput] : undefined
        return ref ? resolve(ref) : undefined
      },
      contextOf: (other) => contextFor(other),
    }
  }

  for (const node of doc.nodes.values()) {
    if (!isConverted(node) || restored.handles(node.id)) continue
    const result = CONVERTERS[node.type]!.convert(contextFor(node))
    // A node may become several of ours (main node first); `converted` holds the main one.
    const [main, ...extras] = nodesFromConverted(node, result, comfyMode(node.mode), extraIdOf)
    converted.set(node.id, main!)
    results.set(node.id, result)
    extraNodes.set(node.id, extras)
    if (result.controls) controls.set(node.id, result.controls)
  }

  const placeholders: string[] = []
  for (const node of doc.nodes.values()) {
    if (!isPlaceholder(node) || restored.handles(node.id)) continue
    const ctx = contextFor(node)
    converted.set(node.id, placeholderNode(node, doc, (input) => ctx.link(input), ctx.warn))
    placeholders.push(`${label(node)}: no equivalent, kept as a placeholder (a run that needs it fails)`)
  }

  const dropped: string[] = []
  const foldedReport: string[] = []
  for (const node of doc.nodes.values()) {
    if (converted.has(node.id) || restored.handles(node.id)) continue
    if (node.mode === 2) dropped.push(`${label(node)}: muted, no equivalent, dropped`)
    else if (node.mode === 4) dropped.push(`${label(node)}: bypassed, no equivalent, dropped (its links pass through)`)
    else if (node.type === 'Reroute') foldedReport.push(`${label(node)}: folded into the links through it${node.layout ? ', kept as a reroute point on them' : ''}`)
    else if (folded.has(node.id) && VALUE_NODES.has(node.type)) foldedReport.push(`${label(node)}: value folded into the inputs it feeds`)
    else if (folded.has(node.id) && MODEL_PASS_THROUGH.has(node.type)) {
      foldedReport.push(`${label(node)}: MODEL passes through it; its model sampling goes into the sampler's schedule`)
    } else if (folded.has(node.id) && HELPER_NODES.has(node.type)) foldedReport.push(`${label(node)}: folded into the sampler it feeds`)
    else dropped.push(`${label(node)}: no equivalent, dropped`)
  }

  const report: ComfyImportReport = { placeholders, dropped, folded: foldedReport, warnings }
  // Nodes in the file's order, whether converted or kept as placeholders; a node's extra nodes follow it.
  const extraLayouts = new Map<string, NodeLayout>()
  const nodes = redirectExtraOutputs(
    [...doc.nodes.keys()].flatMap((id) => {
      const node = converted.get(id)
      const extras = extraNodes.get(id) ?? []
      const layout = doc.nodes.get(id)?.layout
      if (layout) extras.forEach((extra, index) => extraLayouts.set(extra.id, extraNodeLayout(layout, index)))
      return node ? [node, ...extras] : []
    }),
    results,
    extraIdOf,
  )
  // An extra node stands for part of its ComfyUI node: links from it were drawn from that node.
  const comfyIdOf = new Map([...extraNodes].flatMap(([id, extras]) => extras.map((extra) => [extra.id, id] as const)))
  return { graph: buildGraph(doc, nodes, controls, report, { layouts: extraLayouts, comfyIdOf }, source), format: doc.format, report, removedLinks }
}

/** ComfyUI's LGraphEventMode to ours: 2 (never) is mute, 4 is bypass; the rest run. */
export function comfyMode(mode: number): GraphNode['mode'] {
  return mode === 2 ? 'mute' : mode === 4 ? 'bypass' : undefined
}

function buildGraph(
  doc: ComfyDocument,
  nodes: GraphNode[],
  controls: Map<string, NodeLayout['controls']>,
  report: ComfyImportReport,
  extras: { readonly layouts: ReadonlyMap<string, NodeLayout>; readonly comfyIdOf: ReadonlyMap<string, string> },
  source?: string,
): GraphFile {
  const layoutNodes: Record<string, NodeLayout> = {}
  for (const node of nodes) {
    // Extra nodes (new ids) have no ComfyUI node of their own: they sit below their main node.
    const layout = doc.nodes.get(node.id)?.layout ?? extras.layouts.get(node.id)
    const control = controls.get(node.id)
    if (layout) layoutNodes[node.id] = control ? { ...layout, controls: control } : layout
    // A prompt's node has no position: the editor places it (an entry at [0, 0] made the rest go below it).
    else if (control) layoutNodes[node.id] = { controls: control }
  }
  const routed = importReroutes(doc, nodes, (id) => extras.comfyIdOf.get(id) ?? id)
  // Workflow nodes all have a layout; a prompt has no reroutes.
  for (const [id, last] of routed.byNode) if (layoutNodes[id]) layoutNodes[id] = { ...layoutNodes[id], reroutes: last }
  const reroutes = routed.reroutes
  const sourceLabel = comfySourceLabel(doc.format, source)
  const hasLayout = Object.keys(layoutNodes).length > 0 || doc.groups.length > 0 || doc.viewport !== undefined
  const candidate: GraphFileInput = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes,
    ...(hasLayout
      ? { layout: { nodes: layoutNodes, groups: [...doc.groups], ...(reroutes.length > 0 ? { reroutes } : {}), ...(doc.viewport ? { viewport: doc.viewport } : {}) } }
      : {}),
    metadata: {
      description: `Imported from a ${sourceLabel}`,
      // Kept with the graph (and shown by the editor) until dismissed; a clean import has nothing to say.
      ...(reportIsEmpty(report) ? {} : {
            importReport: {
              source: sourceLabel,
              placeholders: [...report.placeholders],
              dropped: [...report.dropped],
              folded: [...report.folded],
              warnings: [...report.warnings],
            },
          }),
    },
  }
  const parsed = GraphFileSchema.safeParse(candidate)
  if (!parsed.success) {
    const failure = zodFailure(parsed.error, source)
    throw new GraphFileError(`ComfyUI import produced an invalid graph: ${failure.path ?? ''}: ${failure.detail}`, source)
  }
  return parsed.data
}

function reportIsEmpty(report: ComfyImportReport): boolean {
  return report.placeholders.length + report.dropped.length + report.folded.length + report.warnings.length === 0
}
