// Shared pieces of the ComfyUI node converters: the context a converter reads its node through, and helpers that
// read widgets as typed values (warning on a wrong type) and rename inputs one to one.
import type { ComfyDocument, ComfyNode } from './comfyui-read.js'
import type { GraphLink, InputValue, SeedControl } from './schema.js'

export interface ConvertContext {
  readonly node: ComfyNode
  /** The whole workflow, for converters that depend on other nodes (e.g. a UNet loader over the checkpoint's pipeline). */
  readonly document: ComfyDocument
  /**
   * The id of this node's extra node `suffix` (see Converted.extraNodes): a number after the workflow's highest id,
   * so the editor keeps ComfyUI's numbering and report lines name the nodes it shows.
   */
  extraNodeId(suffix: string): string
  /** Our link for a ComfyUI socket input; undefined when unconnected or its origin has no equivalent (warned). */
  link(comfyInput: string): GraphLink | undefined
  /** A widget value: the node's own, or the value of a primitive node linked to that widget. */
  widget(name: string): unknown
  /** The primitive node feeding a widget, if one does (its value replaces the widget's saved value). */
  valueSource(name: string): ComfyNode | undefined
  /** The node feeding a ComfyUI input (through reroutes); it is reported as folded into this node. */
  fold(comfyInput: string): ComfyNode | undefined
  /** The node and output slot feeding a ComfyUI input (through reroutes and bypasses), without folding it. */
  origin(comfyInput: string): { readonly node: ComfyNode; readonly slot: number } | undefined
  /** The context of another node (e.g. the guider a SamplerCustomAdvanced reads its model and prompts through). */
  contextOf(other: ComfyNode): ConvertContext
  warn(message: string): void
}

export interface Converted {
  readonly type: string
  /** The node version the inputs are written for (1 when left out). */
  readonly version?: number
  readonly inputs: Record<string, InputValue>
  readonly controls?: Record<string, SeedControl>
  /** Further nodes this ComfyUI node becomes, each with the id `ctx.extraNodeId(suffix)`. */
  readonly extraNodes?: readonly ExtraNode[]
  /**
   * Our output name -> the suffix of the extra node that produces it instead of the main node (under the same
   * output name): links to that output of this node are redirected there.
   */
  readonly outputFrom?: Readonly<Record<string, string>>
}

/** One of several nodes a ComfyUI node becomes (e.g. a checkpoint with a replaced UNet: pipeline + UNet Weights). */
export interface ExtraNode {
  readonly suffix: string
  readonly type: string
  readonly title?: string
  readonly inputs: Record<string, InputValue>
}

export interface Converter {
  /** Our output name for each ComfyUI output slot. */
  readonly outputs: readonly string[]
  convert(ctx: ConvertContext): Converted
}

export type Inputs = Record<string, InputValue>

export function setLink(inputs: Inputs, ctx: ConvertContext, comfyName: string, ourName: string): void {
  const link = ctx.link(comfyName)
  if (link) inputs[ourName] = link
}

export function num(ctx: ConvertContext, name: string): number | undefined {
  const value = ctx.widget(name)
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isFinite(value)) return value
  ctx.warn(`widget "${name}" is ${JSON.stringify(value)}, expected a number; left at the default`)
  return undefined
}

export function str(ctx: ConvertContext, name: string): string | undefined {
  const value = ctx.widget(name)
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  ctx.warn(`widget "${name}" is ${JSON.stringify(value)}, expected text; left at the default`)
  return undefined
}

export function bool(ctx: ConvertContext, name: string): boolean | undefined {
  const value = ctx.widget(name)
  if (value === undefined) return undefined
  if (typeof value === 'boolean') return value
  ctx.warn(`widget "${name}" is ${JSON.stringify(value)}, expected true or false; left at the default`)
  return undefined
}

export function setIfDefined(inputs: Inputs, name: string, value: InputValue | undefined): void {
  if (value !== undefined) inputs[name] = value
}

export type WidgetKind = 'number' | 'text' | 'boolean'

/**
 * A converter that renames inputs one to one: `links` maps ComfyUI socket names to ours, `widgets` maps ComfyUI
 * widget names to [our name, the value kind expected].
 */
export function mapped(
  type: string,
  outputs: readonly string[],
  links: Readonly<Record<string, string>>,
  widgets: Readonly<Record<string, readonly [string, WidgetKind]>>,
): Converter {
  return {
    outputs,
    convert(ctx) {
      const inputs: Inputs = {}
      for (const [comfy, ours] of Object.entries(links)) setLink(inputs, ctx, comfy, ours)
      for (const [comfy, [ours, kind]] of Object.entries(widgets)) setIfDefined(inputs, ours, kind === 'number' ? num(ctx, comfy) : kind === 'boolean' ? bool(ctx, comfy) : str(ctx, comfy))
      return { type, inputs }
    },
  }
}

