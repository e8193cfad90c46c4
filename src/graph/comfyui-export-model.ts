// The exporter's neutral form of a ComfyUI graph: nodes with named widgets in ComfyUI's order and inputs that
// point either at another exported slot or at one of our links (resolved once every node is exported), written
// out as a UI workflow or an API prompt by comfyui-export.ts.
import type { AnyNodeDefinition } from '../engine/spec.js'
import type { GraphLink, GraphNode, NodeLayout } from './schema.js'
import type { JsonValue } from './safe-json.js'

export interface SlotRef {
  readonly node: number
  readonly slot: number
}

export interface OutInput {
  readonly name: string
  readonly type: string
  /** An exported slot (a helper's output) or one of our links, mapped through the exported outputs. */
  readonly source?: SlotRef | GraphLink
}

export interface OutNode {
  readonly id: number
  readonly type: string
  readonly title?: string
  /** ComfyUI's mode: 0 always, 2 never (muted), 4 bypass. */
  readonly mode: number
  readonly inputs: OutInput[]
  readonly outputs: { readonly name: string; readonly type: string }[]
  /** Widget values by name, in ComfyUI's widget order (control_after_generate after a seed). */
  readonly widgets: [string, JsonValue][]
  layout?: NodeLayout
  /** Widget values written as they are (a placeholder's, as its source saved them), instead of `widgets`. */
  rawWidgets?: JsonValue
  readonly properties: Record<string, JsonValue>
}

/** `properties.hypersd` of a node that stands for one of ours: enough to rebuild it exactly on import. */
export interface HypersdProperties {
  readonly type: string
  readonly version: number
  /** Our non-link input values. */
  readonly inputs: Record<string, JsonValue>
  /** Our linked inputs: the ComfyUI input carrying each, or our link itself where ComfyUI has no socket for it. */
  readonly links: Record<string, string | { from: [string, string] }>
  /** Our output name for each ComfyUI output slot. */
  readonly outputs: string[]
  /** The widget values as exported; an edit in ComfyUI makes the import translate the node instead. */
  readonly widgets: JsonValue
  /** Seed widget behaviour (our layout's controls). */
  readonly controls?: Record<string, string>
}

/** `properties.hypersd` of a node the export added for one of ours (a scheduler, an empty negative prompt). */
export interface HypersdHelperProperties {
  readonly helperFor: string
  readonly widgets: JsonValue
}

export function isSlotRef(source: SlotRef | GraphLink): source is SlotRef {
  return Object.hasOwn(source, 'node')
}

/** What one of our nodes became: its nodes, in order (the first stands for it), and where its outputs went. */
export class ExportedNode {
  readonly nodes: OutNode[] = []
  /** The node standing for ours (it carries our id, title and layout). */
  primary: OutNode | undefined
  readonly outputs = new Map<string, SlotRef>()
  /** Our input name -> the ComfyUI input of the first node that carries its link. */
  readonly linkInputs = new Map<string, string | { from: [string, string] }>()

  constructor(readonly ourId: string) {}
}

/** What a translator of one of our nodes reads it through and adds ComfyUI nodes with. */
export interface ExportContext {
  readonly node: GraphNode
  readonly layout: NodeLayout | undefined
  warn(message: string): void
  /** Our link on input `ours` as an input source (empty when unconnected), recorded as carried by `comfyInput`. */
  link(ours: string, comfyInput?: string): { source?: GraphLink }
  recordLink(ours: string, comfyInput: string): void
  /** The node standing for ours (our id, title, layout and mode); call once. */
  primary(type: string, inputs: OutInput[], widgets: [string, JsonValue][], outputs: OutNode['outputs']): OutNode
  /** A node the export adds for ours (a scheduler, an empty negative prompt). */
  helper(type: string, inputs: OutInput[], widgets: [string, JsonValue][], outputs: OutNode['outputs']): OutNode
  /** Our output `name` is the primary node's output `slot`. */
  output(name: string, slot: number): void
  ourNode(id: string): GraphNode | undefined
  /** Our output names other nodes link to. */
  readonly usedOutputs: ReadonlySet<string>
  readonly describe: ((type: string) => AnyNodeDefinition | undefined) | undefined
  readonly exported: ExportedNode
}

/** Writes one of our nodes as ComfyUI nodes into the export. */
export type Translator = (ctx: ExportContext) => void

/** A text input's value, or `fallback`. */
export function text(ctx: ExportContext, name: string, fallback = ''): string {
  const value = ctx.node.inputs[name]
  return typeof value === 'string' ? value : fallback
}

/** A number input's value, or `fallback`. */
export function number(ctx: ExportContext, name: string, fallback: number): number {
  const value = ctx.node.inputs[name]
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}
