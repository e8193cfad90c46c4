// Reading a graph file for the CLI: parse (hostile input refused), migrate node versions, apply --set overrides.
import { readFile } from 'node:fs/promises'
import type { ExecGraph, NodeRegistry } from '../engine/index.js'
import { applyOverrides, toExecGraph } from '../graph/exec.js'
import { migrateGraph, parseGraphFile } from '../graph/parse.js'
import type { GraphFile } from '../graph/schema.js'

export interface LoadedGraph {
  readonly file: GraphFile
  readonly exec: ExecGraph
  /** node id -> "title (#id)" for progress lines. */
  readonly titles: Map<string, string>
}

export async function loadGraph(path: string, registry: NodeRegistry, overrides: readonly string[] = []): Promise<LoadedGraph> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new Error(`${path}: cannot read graph file (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  const parsed = parseGraphFile(text, path)
  const migrated = migrateGraph(parsed, registry).graph
  const file = overrides.length > 0 ? applyOverrides(migrated, overrides, registry) : migrated
  const titles = new Map(file.nodes.map((n) => [n.id, `${n.title ?? registry.get(n.type)?.displayName ?? n.type} (#${n.id})`]))
  return { file, exec: toExecGraph(file), titles }
}
