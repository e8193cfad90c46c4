// Node version migrations (as chaiNNer does it): each saved node carries the version of its declaration; when the
// declaration has moved on, its `migrate` hook upgrades the saved inputs.
import { InputValueSchema } from './schema.js'
import type { GraphFile, GraphNode, InputValue } from './schema.js'
import { GraphFileError } from './errors.js'
import { newerNodeWarning } from './node-versions.js'
import { assertNoHostileKeys } from './safe-json.js'

/** What migration needs from a node declaration; the engine's registry satisfies it. */
export interface MigrationRegistry {
  get(type: string):
    | { readonly version: number; readonly migrate?: (inputs: Record<string, unknown>, fromVersion: number) => Record<string, unknown> }
    | undefined
}

export interface MigrationReport {
  readonly graph: GraphFile
  readonly migrated: readonly { readonly id: string; readonly type: string; readonly from: number; readonly to: number }[]
  /** Nodes saved by a newer build than this one, or unknown types; left as they are. */
  readonly warnings: readonly string[]
}

export function migrateGraph(graph: GraphFile, registry: MigrationRegistry): MigrationReport {
  const migrated: { id: string; type: string; from: number; to: number }[] = []
  const warnings: string[] = []
  const nodes = graph.nodes.map((node): GraphNode => {
    const def = registry.get(node.type)
    if (!def) return node
    if (node.version > def.version) {
      // Kept as it is (see node-versions.ts): the same policy on every load path.
      warnings.push(newerNodeWarning({ id: node.id, type: node.type, saved: node.version, declared: def.version }))
      return node
    }
    if (node.version === def.version) return node
    const inputs = def.migrate ? checkMigratedInputs(node, def.migrate({ ...node.inputs }, node.version)) : node.inputs
    migrated.push({ id: node.id, type: node.type, from: node.version, to: def.version })
    return { ...node, version: def.version, inputs }
  })
  return { graph: migrated.length > 0 ? { ...graph, nodes } : graph, migrated, warnings }
}

function checkMigratedInputs(node: GraphNode, inputs: Record<string, unknown>): Record<string, InputValue> {
  const where = `node ${node.id} (${node.type}) migration from version ${node.version}`
  try {
    assertNoHostileKeys(inputs)
  } catch (error) {
    throw new GraphFileError(`${where} produced a forbidden key`, undefined, (error as Error).message)
  }
  const out: Record<string, InputValue> = {}
  for (const [name, value] of Object.entries(inputs)) {
    const parsed = InputValueSchema.safeParse(value)
    if (!parsed.success) throw new GraphFileError(`${where} produced an invalid value for input "${name}"`)
    out[name] = parsed.data
  }
  return out
}
