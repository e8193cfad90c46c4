// Reading and writing graph files: untrusted text in, a validated fresh GraphFile out, one-line errors that name
// the file and the JSON path at fault.
import type { z } from 'zod'
import { GRAPH_FORMAT, GRAPH_VERSION, GraphFileSchema } from './schema.js'
import type { GraphFile } from './schema.js'
import { HostileKeyError, JsonSyntaxError, assertNoHostileKeys, formatPath, parseJsonSafely } from './safe-json.js'
import type { JsonValue } from './safe-json.js'
import { stringifyJson } from './stringify.js'
import { GraphFileError } from './errors.js'

export { GraphFileError }
export { migrateGraph } from './migrate.js'
export type { MigrationRegistry, MigrationReport } from './migrate.js'

export interface ParseResult {
  readonly graph: GraphFile
  /** Problems that were repaired rather than refused (e.g. layout for a node that does not exist). */
  readonly warnings: readonly string[]
}

/** Parses a graph file; throws GraphFileError with a one-line message. */
export function parseGraphFile(text: string, source?: string): GraphFile {
  return parseGraphFileWithWarnings(text, source).graph
}

export function parseGraphFileWithWarnings(text: string, source?: string): ParseResult {
  return validateGraphDocument(readJson(text, source), source)
}

/** Parses JSON text with positions in syntax errors and hostile keys refused; errors become GraphFileError. */
export function readJson(text: string, source?: string): JsonValue {
  try {
    return parseJsonSafely(text)
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new GraphFileError(`malformed JSON: ${error.message}`, source)
    if (error instanceof HostileKeyError) throw new GraphFileError(`forbidden key "${error.key}"`, source, error.path)
    throw error
  }
}

/** Refuses `__proto__`, `constructor` and `prototype` keys anywhere in a value built outside readJson. */
export function refuseHostileKeys(value: unknown, source?: string): void {
  try {
    assertNoHostileKeys(value)
  } catch (error) {
    if (error instanceof HostileKeyError) throw new GraphFileError(`forbidden key "${error.key}"`, source, error.path)
    throw error
  }
}

/** Validates an already-parsed JSON document (e.g. received by postMessage) as a graph file. */
export function validateGraphDocument(doc: JsonValue, source?: string): ParseResult {
  refuseHostileKeys(doc, source)
  checkEnvelope(doc, source)
  const parsed = GraphFileSchema.safeParse(doc)
  if (!parsed.success) throw zodFailure(parsed.error, source)
  const graph = parsed.data

  const ids = new Set<string>()
  graph.nodes.forEach((node, i) => {
    if (ids.has(node.id)) throw new GraphFileError(`duplicate node id "${node.id}"`, source, `nodes[${i}].id`)
    ids.add(node.id)
  })

  const warnings: string[] = []
  const layoutNodes = graph.layout?.nodes
  if (graph.layout && layoutNodes) {
    const kept: NonNullable<typeof layoutNodes> = {}
    for (const [id, entry] of Object.entries(layoutNodes)) {
      if (ids.has(id)) kept[id] = entry
      else warnings.push(`layout.nodes.${id}: no node with id "${id}", layout entry dropped`)
    }
    return { graph: { ...graph, layout: { ...graph.layout, nodes: kept } }, warnings }
  }
  return { graph, warnings }
}

function checkEnvelope(doc: JsonValue, source?: string): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new GraphFileError('expected a JSON object at the top level', source)
  }
  const format = doc['format']
  if (format === undefined) {
    const looksComfy =
      (Object.hasOwn(doc, 'nodes') && Object.hasOwn(doc, 'links')) || Object.values(doc).some((v) => isObject(v) && Object.hasOwn(v, 'class_type'))
    throw new GraphFileError(
      looksComfy
        ? 'this is a ComfyUI workflow, not a Hyper-SD Studio graph; import it as a ComfyUI workflow'
        : `missing "format": "${GRAPH_FORMAT}"`,
      source,
    )
  }
  if (format !== GRAPH_FORMAT) {
    throw new GraphFileError(`unsupported format ${JSON.stringify(format)} (expected "${GRAPH_FORMAT}")`, source, 'format')
  }
  const version = doc['version']
  if (typeof version === 'number' && version > GRAPH_VERSION) {
    throw new GraphFileError(`graph file version ${version} is newer than this build reads (${GRAPH_VERSION})`, source, 'version')
  }
  if (version !== GRAPH_VERSION) {
    throw new GraphFileError(`unsupported version ${JSON.stringify(version ?? null)} (expected ${GRAPH_VERSION})`, source, 'version')
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Turns zod's first issue into a one-line error: `nodes[3].inputs.steps: expected number, got string`. */
export function zodFailure(error: z.ZodError, source?: string): GraphFileError {
  const issue = error.issues[0]!
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : ''
  const path = formatPath(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)))
  return new GraphFileError(describeIssue(issue) + more, source, path)
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${kindOf(issue.input)}`
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`
    default:
      return issue.message
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** Serialises with a stable key order, 2-space indent, short arrays and links on one line, and a trailing newline. */
export function serializeGraphFile(graph: GraphFile): string {
  const nodeIds = graph.nodes.map((n) => n.id)
  const nodeIdSet = new Set(nodeIds)
  const layoutNodes = graph.layout?.nodes
  const ordered = {
    format: graph.format,
    version: graph.version,
    ...(graph.metadata ? { metadata: orderKeys(graph.metadata, ['name', 'description', 'author', 'importReport']) } : {}),
    nodes: graph.nodes.map((node) => ({
      id: node.id,
      type: node.type,
      version: node.version,
      ...(node.title !== undefined ? { title: node.title } : {}),
      inputs: node.inputs,
      ...(node.mode !== undefined ? { mode: node.mode } : {}),
      ...(node.placeholder ? { placeholder: orderKeys(node.placeholder, ['origin', 'inputs', 'outputs', 'widgets']) } : {}),
    })),
    ...(graph.layout
      ? {
          layout: {
            ...(layoutNodes
              ? {
                  nodes: Object.fromEntries(
                    [...nodeIds.filter((id) => Object.hasOwn(layoutNodes, id)), ...Object.keys(layoutNodes).filter((id) => !nodeIdSet.has(id))].map(
                      (id) => [id, orderKeys(layoutNodes[id]!, ['pos', 'size', 'collapsed', 'pinned', 'color', 'bgcolor', 'controls'])],
                    ),
                  ),
                }
              : {}),
            ...(graph.layout.groups ? { groups: graph.layout.groups.map((g) => orderKeys(g, ['title', 'bounding', 'color', 'fontSize'])) } : {}),
            ...(graph.layout.reroutes ? { reroutes: graph.layout.reroutes.map((r) => orderKeys(r, ['id', 'pos', 'parent'])) } : {}),
            ...(graph.layout.viewport ? { viewport: orderKeys(graph.layout.viewport, ['offset', 'scale']) } : {}),
          },
        }
      : {}),
  }
  return stringifyJson(ordered) + '\n'
}

/** A copy with the listed keys first (in that order), then the rest in their existing order. */
function orderKeys<T extends object>(value: T, first: readonly string[]): T {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  entries.sort(([a], [b]) => rank(a, first) - rank(b, first))
  return Object.fromEntries(entries) as T
}

function rank(key: string, first: readonly string[]): number {
  const i = first.indexOf(key)
  return i === -1 ? first.length : i
}
