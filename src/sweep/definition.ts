// The sweep definition: a graph, up to two axes (a node's widget input and its values) and a number of seeds.
// Versioned and self-contained (values are stored expanded, the graph whole), so a grid PNG or sweep.json reopens it.
import { z } from 'zod'
import type { AnyNodeDefinition, WidgetSpec } from '../engine/index.js'
import { checkWidgetValue } from '../engine/index.js'
import { GraphFileError } from '../graph/errors.js'
import { applyOverrides, findNode } from '../graph/exec.js'
import { readJson, refuseHostileKeys, validateGraphDocument, zodFailure } from '../graph/parse.js'
import { InputNameSchema, isGraphLink, type GraphFile, type GraphNode } from '../graph/schema.js'
import type { JsonValue } from '../graph/safe-json.js'
import { MAX_AXIS_VALUES, SweepSpecError } from './values.js'

export const SWEEP_FORMAT = 'hyper-sd-studio/sweep'
export const SWEEP_VERSION = 1
export const MAX_SEEDS = 64

export const AxisValueSchema = z.union([z.number(), z.string(), z.boolean()])
export type AxisValue = z.output<typeof AxisValueSchema>

export const SweepAxisSchema = z.strictObject({
  /** The node's id in `graph` (resolved from an id, title or type when the sweep was made). */
  node: z.string().min(1),
  input: InputNameSchema,
  values: z.array(AxisValueSchema).min(1).max(MAX_AXIS_VALUES),
})
export type SweepAxis = z.output<typeof SweepAxisSchema>

const SweepDocumentSchema = z.strictObject({
  format: z.literal(SWEEP_FORMAT),
  version: z.literal(SWEEP_VERSION),
  /** A graph file, checked by the graph library's own validation. */
  graph: z.unknown(),
  /** The first axis runs along the grid's columns, the second down its rows. */
  axes: z.array(SweepAxisSchema).max(2, 'a sweep has at most two axes'),
  /** Repeats per combination: the graph's seed, seed + 1, ... */
  seeds: z.number().int().min(1).max(MAX_SEEDS).default(1),
})

export interface SweepDefinition {
  readonly format: typeof SWEEP_FORMAT
  readonly version: typeof SWEEP_VERSION
  readonly graph: GraphFile
  readonly axes: readonly SweepAxis[]
  readonly seeds: number
}

/** What a sweep needs from the node registry. */
export interface SweepDeclarations {
  get(type: string): AnyNodeDefinition | undefined
}

/**
 * Parses sweep.json (or the grid PNG's chunk) text: hostile keys refused, the graph validated, then the axes and
 * seeds checked against the registry as when the sweep was made. Errors name the field, axis, node or input.
 */
export function parseSweepDefinition(text: string, registry: SweepDeclarations, source = 'sweep'): SweepDefinition {
  return validateSweepDocument(readJson(text, source), registry, source)
}

export function validateSweepDocument(doc: JsonValue, registry: SweepDeclarations, source = 'sweep'): SweepDefinition {
  refuseHostileKeys(doc, source)
  const parsed = SweepDocumentSchema.safeParse(doc)
  if (!parsed.success) throw zodFailure(parsed.error, source)
  const { graph } = validateGraphDocument(parsed.data.graph as JsonValue, `${source} (graph)`)
  try {
    return createSweepDefinition(graph, parsed.data.axes, parsed.data.seeds, registry)
  } catch (error) {
    if (error instanceof SweepSpecError) throw new SweepSpecError(`${source}: ${error.message}`)
    throw error
  }
}

/** Stable JSON of a definition (what sweep.json and the grid PNG carry). */
export function serializeSweepDefinition(definition: SweepDefinition): string {
  return `${JSON.stringify({ format: definition.format, version: definition.version, axes: definition.axes, seeds: definition.seeds, graph: definition.graph }, null, 2)}\n`
}

/** "Sampler.steps": the node's title (else its type) and the input, for labels, CSV headers and chart axes. */
export function axisLabel(graph: GraphFile, axis: Pick<SweepAxis, 'node' | 'input'>): string {
  const node = graph.nodes.find((n) => n.id === axis.node)
  return `${node?.title ?? node?.type ?? axis.node}.${axis.input}`
}

function widgetSpec(node: GraphNode, input: string, registry: SweepDeclarations, where: string): WidgetSpec {
  const def = registry.get(node.type)
  if (!def) throw new SweepSpecError(`${where}: node ${node.id} has the unknown type "${node.type}"`)
  const spec = Object.hasOwn(def.inputs, input) ? def.inputs[input] : undefined
  if (!spec) throw new SweepSpecError(`${where}: node ${node.id} (${node.type}) has no input "${input}" (inputs: ${Object.keys(def.inputs).join(', ')})`)
  if (spec.kind === 'socket') throw new SweepSpecError(`${where}: input "${input}" of node ${node.id} (${node.type}) takes a ${spec.type} link, not a value`)
  return spec
}

/**
 * An axis from what a user wrote: NODE is an id, title or type (as `--set` accepts), each value is coerced by the
 * input's declared kind and checked against its range or options. Errors name the axis, the node and the input.
 */
export function resolveAxis(graph: GraphFile, registry: SweepDeclarations, axisName: string, node: string, input: string, values: readonly (string | number | boolean)[]): SweepAxis {
  const where = `${axisName} (${node}.${input})`
  let index: number
  try {
    index = findNode(graph.nodes, { text: `${node}.${input}`, node, input, value: '' })
  } catch (error) {
    throw new SweepSpecError(`${where}: ${error instanceof GraphFileError ? error.detail : String(error)}`)
  }
  const target = graph.nodes[index]!
  widgetSpec(target, input, registry, where)
  const coerced = values.map((value) => {
    try {
      const [only] = applyOverrides({ nodes: [target] }, [`${target.id}.${input}=${String(value)}`], registry).nodes
      return only!.inputs[input] as AxisValue
    } catch (error) {
      throw new SweepSpecError(`${where}: ${error instanceof GraphFileError ? error.detail : String(error)}`)
    }
  })
  const axis = { node: target.id, input, values: coerced }
  checkAxis(graph, registry, axis, axisName)
  return axis
}

/** Each value fits the input's declaration (range, whole number, combo option); the node exists and takes a value. */
export function checkAxis(graph: GraphFile, registry: SweepDeclarations, axis: SweepAxis, axisName: string): void {
  const where = `${axisName} (${axisLabel(graph, axis)})`
  const node = graph.nodes.find((n) => n.id === axis.node)
  if (!node) throw new SweepSpecError(`${where}: the graph has no node ${axis.node}`)
  const spec = widgetSpec(node, axis.input, registry, where)
  for (const value of axis.values) {
    const problem = checkWidgetValue(spec, value)
    if (problem) throw new SweepSpecError(`${where}: node ${node.id} (${node.type}), input "${axis.input}": value ${JSON.stringify(value)}: ${problem.detail}`)
  }
}

/** The widget inputs a seed repeat changes: every unlinked input declared as a seed. */
export function seedInputs(graph: GraphFile, registry: SweepDeclarations): { node: string; input: string; base: number }[] {
  return graph.nodes.flatMap((node) => {
    const def = registry.get(node.type)
    if (!def || node.mode !== undefined) return []
    return Object.entries(def.inputs).flatMap(([input, spec]) => {
      if (spec.kind !== 'seed') return []
      const bound = Object.hasOwn(node.inputs, input) ? node.inputs[input] : undefined
      if (isGraphLink(bound)) return []
      return [{ node: node.id, input, base: typeof bound === 'number' ? bound : spec.default }]
    })
  })
}

/** A definition whose axes and seeds all fit the graph; the same checks when reopened from a PNG or JSON. */
export function createSweepDefinition(graph: GraphFile, axes: readonly SweepAxis[], seeds: number, registry: SweepDeclarations): SweepDefinition {
  if (axes.length > 2) throw new SweepSpecError(`a sweep has at most two axes, got ${axes.length}`)
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS) throw new SweepSpecError(`--seeds: expected a whole number from 1 to ${MAX_SEEDS}, got ${seeds}`)
  axes.forEach((axis, i) => checkAxis(graph, registry, axis, `axis ${i + 1}`))
  if (axes.length === 2 && axes[0]!.node === axes[1]!.node && axes[0]!.input === axes[1]!.input) {
    throw new SweepSpecError(`both axes vary ${axisLabel(graph, axes[0]!)}`)
  }
  if (seeds > 1 && seedInputs(graph, registry).length === 0) throw new SweepSpecError(`--seeds ${seeds}: the graph has no seed input to repeat over`)
  return { format: SWEEP_FORMAT, version: SWEEP_VERSION, graph, axes: axes.map((a) => ({ ...a, values: [...a.values] })), seeds }
}
