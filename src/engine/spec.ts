// Node declarations: one declaration per node type, from which widgets, validation, CLI help and docs derive.
import type { NodeContext } from './context.js'

/**
 * Socket value types. Node families augment this interface so that `socket('LATENT')` carries
 * its TypeScript value type into `execute`:
 *   declare module '../src/engine/spec.js' { interface SocketTypes { LATENT: Latent } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SocketTypes {}

export type SocketTypeName = keyof SocketTypes & string

export interface SocketSpec<T extends string = string> {
  readonly kind: 'socket'
  readonly type: T
  readonly optional: boolean
  readonly description?: string
}

/** The input only matters while another (combo) input of the same node has one of these values. */
export interface ActiveWhen {
  readonly input: string
  readonly in: readonly string[]
}

interface WidgetBase<V> {
  readonly default: V
  readonly optional?: boolean
  readonly description?: string
  /** Editor hint: hidden from the canvas but still part of the node's values. */
  readonly advanced?: boolean
  /** Editors dim and disable the input while it is ignored (e.g. eta outside TCD). */
  readonly activeWhen?: ActiveWhen
  /**
   * Whether a link may feed this input instead of its widget (ComfyUI's "convert widget to input"), from an output
   * of the widget's value type (INT, FLOAT, STRING, BOOLEAN). Default true.
   */
  readonly linkable?: boolean
}

export interface IntSpec extends WidgetBase<number> {
  readonly kind: 'int'
  readonly min?: number
  readonly max?: number
  readonly step?: number
  /** Valid values are multiples of this (image sizes: 8); editors snap to it, validation refuses others. */
  readonly multipleOf?: number
}

export interface FloatSpec extends WidgetBase<number> {
  readonly kind: 'float'
  readonly min?: number
  readonly max?: number
  readonly step?: number
  /** Decimal places the editor shows. */
  readonly precision?: number
  /**
   * Values entered in the editor (typed, dragged, stepped) snap to `min + k * step`, as ComfyUI's `round` does, with
   * a note when a typed value moves. Only where the in-between values are not worth telling apart: `step` is
   * otherwise just the drag increment. Validation accepts off-step values (graph files keep exact values).
   */
  readonly snap?: boolean
}

export interface StringSpec extends WidgetBase<string> {
  readonly kind: 'string'
  readonly multiline?: boolean
  /** Hint for hosts: the string names a file or folder (model path, output dir). */
  readonly path?: 'file' | 'folder'
  /** Hint for editors: the string names a model of this kind, so a model list can be offered (values stay names). */
  readonly model?: 'pipeline' | 'lora' | 'unet-weights' | 'clip-vision' | 'aesthetic-head'
  /**
   * Hint for hosts and editors: the string names an input image. The CLI reads it as a file (under --input-dir);
   * the editor offers the uploaded images and an upload.
   */
  readonly upload?: 'image'
  /** Longest accepted value, in characters (UTF-16 code units); validation refuses longer text. */
  readonly maxLength?: number
}

export interface BooleanSpec extends WidgetBase<boolean> {
  readonly kind: 'boolean'
}

export interface ComboSpec<O extends string = string> extends WidgetBase<O> {
  readonly kind: 'combo'
  readonly options: readonly O[]
}

export type SeedControl = 'fixed' | 'increment' | 'decrement' | 'randomize'

export interface SeedSpec extends WidgetBase<number> {
  readonly kind: 'seed'
  readonly min: number
  readonly max: number
  /** What the editor does to the value after each queued run, as in ComfyUI. */
  readonly controlAfterRun: SeedControl
}

export type WidgetSpec = IntSpec | FloatSpec | StringSpec | BooleanSpec | ComboSpec | SeedSpec
export type InputSpec = SocketSpec | WidgetSpec
export type WidgetKind = WidgetSpec['kind']

export interface OutputSpec<T extends string = string> {
  readonly type: T
  readonly description?: string
  /** The node may leave this output empty (a pass-through whose input is unconnected). */
  readonly optional?: boolean
  /**
   * A measured duration in milliseconds, not a result: it differs from run to run, so sweeps keep it out of their
   * scores and grids (they record time per image themselves) and displays show it as a time.
   */
  readonly timing?: boolean
}

type SocketValue<T> = T extends keyof SocketTypes ? SocketTypes[T] : unknown

/** The TypeScript value an input spec delivers to `execute`. */
export type InputValue<S> = S extends SocketSpec<infer T>
  ? S['optional'] extends true
    ? SocketValue<T> | undefined
    : SocketValue<T>
  : S extends ComboSpec<infer O>
    ? O
    : S extends WidgetBase<infer V>
      ? V
      : never

export type InputValues<I extends Record<string, InputSpec>> = { [K in keyof I]: InputValue<I[K]> }
export type OutputValues<O extends Record<string, OutputSpec>> = {
  [K in keyof O]: O[K] extends OutputSpec<infer T> ? (O[K]['optional'] extends true ? SocketValue<T> | undefined : SocketValue<T>) : never
}

export interface NodeDefinition<
  I extends Record<string, InputSpec> = Record<string, InputSpec>,
  O extends Record<string, OutputSpec> = Record<string, OutputSpec>,
  S = unknown,
> {
  /** Stable identifier stored in graph files. */
  readonly type: string
  /** Bumped when inputs change meaning; `migrate` upgrades older saved inputs. */
  readonly version: number
  readonly displayName: string
  readonly category: string
  readonly description: string
  readonly inputs: I
  readonly outputs: O
  /** Output nodes (save, preview) are the roots that planning starts from. */
  readonly isOutput?: boolean
  /** Nodes with side effects that must run every time (never served from cache). */
  readonly alwaysRun?: boolean
  /** Nodes that never execute (notes). */
  readonly virtual?: boolean
  readonly migrate?: (inputs: Record<string, unknown>, fromVersion: number) => Record<string, unknown>
  /** What a warm-up (Engine.warmUp) may do with this node before the user runs the graph; nothing when absent. */
  readonly warmUp?: WarmUp<I, S>
  execute(inputs: InputValues<I>, ctx: NodeContext<S>): Promise<OutputValues<O>> | OutputValues<O>
}

/**
 * A node's part in a warm-up, which loads what a graph will need while the user is still looking at it:
 * - 'execute': the node runs as in a run, its result cached for the run to reuse (loaders, a prompt's encoding);
 * - a hook: the node loads what `execute` will need (e.g. its model session) from some inputs alone, without
 *   computing anything, when those inputs are literals or come from nodes the warm-up executed.
 */
export type WarmUp<I extends Record<string, InputSpec> = Record<string, InputSpec>, S = unknown> = 'execute' | WarmUpHook<I, S>

export interface WarmUpHook<I extends Record<string, InputSpec> = Record<string, InputSpec>, S = unknown> {
  readonly inputs: readonly (keyof I & string)[]
  load(inputs: Pick<InputValues<I>, keyof I & string>, ctx: NodeContext<S>): Promise<void>
}

/** A node definition with its generics erased, as registries and the executor hold it. */
export interface AnyNodeDefinition {
  readonly type: string
  readonly version: number
  readonly displayName: string
  readonly category: string
  readonly description: string
  readonly inputs: Readonly<Record<string, InputSpec>>
  readonly outputs: Readonly<Record<string, OutputSpec>>
  readonly isOutput?: boolean
  readonly alwaysRun?: boolean
  readonly virtual?: boolean
  readonly migrate?: (inputs: Record<string, unknown>, fromVersion: number) => Record<string, unknown>
  readonly warmUp?: 'execute' | { readonly inputs: readonly string[]; load(inputs: Record<string, unknown>, ctx: NodeContext<unknown>): Promise<void> }
  execute(inputs: Record<string, unknown>, ctx: NodeContext<unknown>): Promise<Record<string, unknown>> | Record<string, unknown>
}

export function defineNode<
  const I extends Record<string, InputSpec>,
  const O extends Record<string, OutputSpec>,
  S = unknown,
>(definition: NodeDefinition<I, O, S>): NodeDefinition<I, O, S> & AnyNodeDefinition {
  return definition as NodeDefinition<I, O, S> & AnyNodeDefinition
}

// Spec builders. They keep declarations short and give literal types to `socket` and `combo`.

export function socket<const T extends string>(
  type: T,
  opts: { optional?: false; description?: string } = {},
): SocketSpec<T> & { optional: false } {
  return { kind: 'socket', type, optional: false, ...(opts.description ? { description: opts.description } : {}) }
}

export function optionalSocket<const T extends string>(
  type: T,
  opts: { description?: string } = {},
): SocketSpec<T> & { optional: true } {
  return { kind: 'socket', type, optional: true, ...(opts.description ? { description: opts.description } : {}) }
}

export function int(opts: Omit<IntSpec, 'kind'>): IntSpec {
  return { kind: 'int', ...opts }
}

export function float(opts: Omit<FloatSpec, 'kind'>): FloatSpec {
  return { kind: 'float', ...opts }
}

export function string(opts: Omit<StringSpec, 'kind'>): StringSpec {
  return { kind: 'string', ...opts }
}

export function boolean(opts: Omit<BooleanSpec, 'kind'>): BooleanSpec {
  return { kind: 'boolean', ...opts }
}

export function combo<const O extends string>(options: readonly O[], opts: Omit<ComboSpec<O>, 'kind' | 'options'>): ComboSpec<O> {
  return { kind: 'combo', options, ...opts }
}

export const SEED_MAX = 2 ** 53 - 1

export function seed(opts: Partial<Omit<SeedSpec, 'kind'>> = {}): SeedSpec {
  return { kind: 'seed', default: 0, min: 0, max: SEED_MAX, controlAfterRun: 'fixed', ...opts }
}

export function output<const T extends string>(type: T, description?: string): OutputSpec<T> {
  return description ? { type, description } : { type }
}

/** A FLOAT output holding a measured duration in milliseconds (see OutputSpec.timing). */
export function timingOutput(description: string): OutputSpec<'FLOAT'> & { timing: true } {
  return { type: 'FLOAT', description, timing: true }
}

/** An output the node may leave empty; a required input linked to it then fails with a message naming both. */
export function optionalOutput<const T extends string>(type: T, description: string): OutputSpec<T> & { optional: true } {
  return { type, description, optional: true }
}

export function isSocket(spec: InputSpec): spec is SocketSpec {
  return spec.kind === 'socket'
}

export function isWidget(spec: InputSpec): spec is WidgetSpec {
  return spec.kind !== 'socket'
}

/** A widget input that may be fed by a link instead (see WidgetBase.linkable). */
export function canTakeLink(spec: InputSpec): spec is WidgetSpec {
  return isWidget(spec) && spec.linkable !== false
}

/** The primitive type a widget's value has, used to let a link feed a widget input (e.g. a shared seed). */
export function widgetValueType(spec: WidgetSpec): 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' {
  switch (spec.kind) {
    case 'int':
    case 'seed':
      return 'INT'
    case 'float':
      return 'FLOAT'
    case 'boolean':
      return 'BOOLEAN'
    case 'string':
    case 'combo':
      return 'STRING'
  }
}
