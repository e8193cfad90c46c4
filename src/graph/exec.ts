// From a graph file to what the engine runs, and command-line overrides (`--set 3.seed=42`) applied to it.
import type { ExecGraph, ExecNode, InputBinding } from '../engine/graph.js'
import type { AnyNodeDefinition } from '../engine/spec.js'
import { isGraphLink } from './schema.js'
import type { GraphFile } from './schema.js'
import { GraphFileError } from './errors.js'

/** What overrides need from the engine's registry. */
export interface NodeDeclarations {
  get(type: string): AnyNodeDefinition | undefined
}

/** Drops layout and metadata; keeps id, type, title and named inputs (links stay `{from: [id, output]}`). */
export function toExecGraph(graph: GraphFile): ExecGraph {
  return {
    nodes: graph.nodes.map((node): ExecNode => {
      const inputs: Record<string, InputBinding> = Object.fromEntries(
        Object.entries(node.inputs).map(([name, value]) => [name, isGraphLink(value) ? { from: [value.from[0], value.from[1]] } : value]),
      )
      return {
        id: node.id,
        type: node.type,
        ...(node.title !== undefined ? { title: node.title } : {}),
        inputs,
        ...(node.mode !== undefined ? { mode: node.mode } : {}),
      }
    }),
  }
}

export class OverrideError extends GraphFileError {
  constructor(
    readonly override: string,
    detail: string,
  ) {
    super(detail, `--set ${override}`)
  }
}

export interface ParsedOverride {
  readonly text: string
  /** Node id, title or type as written. */
  readonly node: string
  readonly input: string
  readonly value: string
}

/** Splits `NODE.INPUT=VALUE`. NODE may contain dots (titles); the input name is after the last dot before '='. */
export function parseOverride(text: string): ParsedOverride {
  const eq = text.indexOf('=')
  if (eq < 0) throw new OverrideError(text, 'expected NODE.INPUT=VALUE (missing "=")')
  const target = text.slice(0, eq).trim()
  const dot = target.lastIndexOf('.')
  if (dot <= 0 || dot === target.length - 1) throw new OverrideError(text, 'expected NODE.INPUT=VALUE (missing "." between node and input)')
  return { text, node: target.slice(0, dot).trim(), input: target.slice(dot + 1).trim(), value: text.slice(eq + 1) }
}

interface OverridableNode {
  readonly id: string
  readonly type: string
  readonly title?: string
  readonly inputs: Readonly<Record<string, unknown>>
}

/**
 * Applies `NODE.INPUT=VALUE` overrides and returns a new graph (the argument is not changed). NODE is a node id,
 * else a unique title, else a unique node type. VALUE is coerced by the input's declared widget kind.
 */
export function applyOverrides<G extends { readonly nodes: readonly OverridableNode[] }>(
  graph: G,
  overrides: readonly string[],
  registry: NodeDeclarations,
): G {
  let nodes = [...graph.nodes]
  for (const text of overrides) {
    const parsed = parseOverride(text)
    const index = findNode(nodes, parsed)
    const node = nodes[index]!
    const value = coerceOverride(node, parsed, registry)
    nodes = nodes.map((n, i) => (i === index ? { ...n, inputs: { ...n.inputs, [parsed.input]: value } } : n))
  }
  return { ...graph, nodes }
}

/** Index of the node an override names: its id, else a unique title, else a unique type (the error says which matched several). */
export function findNode(nodes: readonly OverridableNode[], o: ParsedOverride): number {
  const byId = nodes.findIndex((n) => n.id === o.node)
  if (byId >= 0) return byId
  for (const key of ['title', 'type'] as const) {
    const matches = nodes.flatMap((n, i) => (n[key] === o.node ? [i] : []))
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) {
      const ids = matches.map((i) => nodes[i]!.id).join(', ')
      throw new OverrideError(o.text, `${key} "${o.node}" matches several nodes (${ids}); use a node id`)
    }
  }
  throw new OverrideError(o.text, `no node with id, title or type "${o.node}"`)
}

function coerceOverride(node: OverridableNode, o: ParsedOverride, registry: NodeDeclarations): number | string | boolean {
  const where = `node ${node.id} (${node.type})`
  const def = registry.get(node.type)
  if (!def) throw new OverrideError(o.text, `${where}: unknown node type, cannot tell what "${o.input}" takes`)
  const spec = Object.hasOwn(def.inputs, o.input) ? def.inputs[o.input] : undefined
  if (!spec) {
    const names = Object.keys(def.inputs).join(', ')
    throw new OverrideError(o.text, `${where} has no input "${o.input}" (inputs: ${names})`)
  }
  const raw = o.value.trim()
  switch (spec.kind) {
    case 'socket':
      throw new OverrideError(o.text, `${where}, input "${o.input}" takes a ${spec.type} link, not a value`)
    case 'int':
    case 'seed': {
      const n = raw === '' ? NaN : Number(raw)
      if (!Number.isSafeInteger(n)) throw new OverrideError(o.text, `${where}, input "${o.input}": expected an integer, got "${o.value}"`)
      return n
    }
    case 'float': {
      const n = raw === '' ? NaN : Number(raw)
      if (!Number.isFinite(n)) throw new OverrideError(o.text, `${where}, input "${o.input}": expected a number, got "${o.value}"`)
      return n
    }
    case 'boolean': {
      const lower = raw.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      throw new OverrideError(o.text, `${where}, input "${o.input}": expected true or false, got "${o.value}"`)
    }
    case 'combo':
      if (!spec.options.includes(o.value)) {
        throw new OverrideError(o.text, `${where}, input "${o.input}": "${o.value}" is not one of ${spec.options.join(', ')}`)
      }
      return o.value
    case 'string':
      return o.value
  }
}
