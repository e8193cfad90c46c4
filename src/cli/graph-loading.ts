// Reading a graph file for the CLI: parse (hostile input refused), migrate node versions, apply --set overrides.
import { readFile } from 'node:fs/promises'
import type { ExecGraph, NodeRegistry } from '../engine/index.js'
import { applyOverrides, toExecGraph } from '../graph/exec.js'
import { openGraphBytes } from '../graph/open.js'
import { migrateGraph } from '../graph/parse.js'
import type { GraphFile } from '../graph/schema.js'

export interface LoadedGraph {
  readonly file: GraphFile
  readonly exec: ExecGraph
  /** node id -> "title (#id)" for progress lines. */
  readonly titles: Map<string, string>
  /** What importing or migrating changed (ComfyUI nodes dropped, nodes upgraded, ...). */
  readonly warnings: readonly string[]
}

/**
 * Reads our JSON, a PNG with a graph embedded, or a ComfyUI workflow / API prompt (checked against `registry` when
 * given: what stops an import running comes back in `blocking`).
 */
export async function readGraphSource(path: string, registry?: NodeRegistry): Promise<ReturnType<typeof openGraphBytes>> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new Error(`${path}: cannot read graph file (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  return openGraphBytes(bytes, path, registry)
}

export async function loadGraph(path: string, registry: NodeRegistry, overrides: readonly string[] = []): Promise<LoadedGraph> {
  const opened = await readGraphSource(path, registry)
  const migration = migrateGraph(opened.graph, registry)
  const file = overrides.length > 0 ? applyOverrides(migration.graph, overrides, registry) : migration.graph
  const titles = new Map(file.nodes.map((n) => [n.id, `${n.title ?? registry.get(n.type)?.displayName ?? n.type} (#${n.id})`]))
  const migrated = migration.migrated.map((m) => `node ${m.id} (${m.type}) upgraded from version ${m.from} to ${m.to}`)
  return { file, exec: toExecGraph(file), titles, warnings: [...opened.warnings, ...(opened.blocking ?? []).map((line) => `cannot run: ${line}`), ...migration.warnings, ...migrated] }
}
