// `hypersd validate <graph.json>`: prints every problem, one per line.
import { NodeRegistry, planRun } from '../../engine/index.js'
import { nodeDefinitions } from '../../../nodes/index.js'
import { many, rejectUnknown, UsageError, type ParsedArgs } from '../args.js'
import { loadGraph } from '../graph-loading.js'
import { computeLoadRepairs } from '../../graph/load-repairs.js'

export async function validateCommand(args: ParsedArgs): Promise<number> {
  rejectUnknown(args, ['set', 'verbose'])
  const [graphPath, ...extra] = args.positionals
  if (!graphPath || extra.length > 0) throw new UsageError('usage: hypersd validate <graph.json>')
  const registry = new NodeRegistry(nodeDefinitions)
  const graph = await loadGraph(graphPath, registry, many(args, 'set'))
  for (const warning of graph.warnings) process.stdout.write(`${graphPath}: warning: ${warning}\n`)
  // What the editor would repair on opening this file, in the editor's words (src/graph/load-repairs.ts).
  for (const repair of computeLoadRepairs(graph.file, registry).repairs) process.stdout.write(`${graphPath}: repair on load: ${repair}\n`)
  // Bypassed and muted nodes are planned around, as a run would.
  const { issues } = planRun(graph.exec, registry)
  for (const issue of issues) process.stdout.write(`${graphPath}: ${issue.message}\n`)
  if (issues.length === 0) process.stdout.write(`${graphPath}: valid (${graph.exec.nodes.length} nodes)\n`)
  return issues.length === 0 ? 0 : 1
}
