// What a run checks before it starts: the graph's structure (validate.ts), that there is something to produce,
// and that every node the outputs need has a declaration. A node of an unknown type (a placeholder kept from a
// ComfyUI import, or a graph file from a newer build) only fails the run when an output depends on it.
import type { ValidationIssue } from './errors.js'
import type { ExecGraph, ExecNode } from './graph.js'
import type { NodeRegistry } from './registry.js'
import { upstreamIds } from './topology.js'
import { validateGraph } from './validate.js'

export const NO_OUTPUT_NODE_MESSAGE = 'the graph has no output node: add Save Image or Preview Image'

/** The nodes a run produces by default: every node whose declaration is an output (Save Image, Preview Image…). */
export function outputNodeIds(graph: ExecGraph, registry: NodeRegistry): string[] {
  return graph.nodes.filter((n) => registry.get(n.type)?.isOutput === true).map((n) => n.id)
}

/**
 * Issues that stop a run producing `targets` (default: every output node). An empty default target list is an
 * issue of its own, so a graph without outputs fails clearly instead of "finishing" having made nothing.
 */
export function validateRun(graph: ExecGraph, registry: NodeRegistry, targets?: readonly string[]): ValidationIssue[] {
  const goals = targets ?? outputNodeIds(graph, registry)
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const needers = dependents(byId, goals)
  const issues: ValidationIssue[] = []
  if (targets === undefined && goals.length === 0) issues.push({ code: 'no-output-node', message: NO_OUTPUT_NODE_MESSAGE })
  for (const issue of validateGraph(graph, registry)) {
    if (issue.code !== 'unknown-node-type' || issue.nodeId === undefined) {
      issues.push(issue)
      continue
    }
    const needer = needers.get(issue.nodeId)
    if (needer === undefined) continue // nothing the run produces depends on it: the rest runs
    const node = byId.get(needer)
    const by = needer === issue.nodeId ? 'it is a run target' : `node ${needer} (${node?.type ?? '?'}) needs its output`
    issues.push({ ...issue, message: `node ${issue.nodeId}: unknown node type "${issue.nodeType ?? '?'}" (kept as a placeholder; this build has no such node), and ${by}` })
  }
  return issues
}

/** For every node the goals depend on (goals included), the goal or downstream node that first reached it. */
function dependents(byId: ReadonlyMap<string, ExecNode>, goals: readonly string[]): Map<string, string> {
  const reachedFrom = new Map<string, string>()
  const stack: [string, string][] = goals.map((id) => [id, id])
  while (stack.length > 0) {
    const [id, from] = stack.pop()!
    if (reachedFrom.has(id)) continue
    reachedFrom.set(id, from)
    const node = byId.get(id)
    if (node) for (const up of upstreamIds(node)) if (!reachedFrom.has(up)) stack.push([up, id])
  }
  return reachedFrom
}
