// Which run errors an edit makes stale. An error belongs to a node (its outline, its issues) or to the whole graph
// (no output node, a cycle): a node's error goes when that node is removed or its type, inputs, links or widget
// values change; a graph error goes with any change to what the engine would run.
import type { NodeRunState } from '../editor/node-overlay.js'
import type { ExecGraph } from '../engine/graph.js'
import type { RunIssue } from '../worker/protocol.js'

export interface RunErrors {
  readonly issues: readonly RunIssue[]
  readonly nodeStates: Readonly<Record<string, NodeRunState>>
  readonly message: string | null
}

/** Ids of the nodes of `before` that are gone from `after`, or whose type or inputs differ there. */
export function touchedNodeIds(before: ExecGraph, after: ExecGraph): Set<string> {
  const now = new Map(after.nodes.map((n) => [n.id, n]))
  const touched = new Set<string>()
  for (const node of before.nodes) {
    const current = now.get(node.id)
    if (!current || current.type !== node.type || JSON.stringify(current.inputs) !== JSON.stringify(node.inputs)) touched.add(node.id)
  }
  return touched
}

/** The errors left once an edit from `runGraph` (the failed run's graph) to `current` is taken into account. */
export function errorsAfterEdit(runGraph: ExecGraph, current: ExecGraph, errors: RunErrors): RunErrors {
  const touched = touchedNodeIds(runGraph, current)
  const graphChanged = touched.size > 0 || runGraph.nodes.length !== current.nodes.length
  if (!graphChanged) return errors
  const issues = errors.issues.filter((issue) => (issue.nodeId === undefined ? false : !touched.has(issue.nodeId)))
  const nodeStates: Record<string, NodeRunState> = {}
  for (const [id, state] of Object.entries(errors.nodeStates)) if (!(state === 'error' && touched.has(id))) nodeStates[id] = state
  const anyError = issues.length > 0 || Object.values(nodeStates).includes('error')
  // A failure with no issue list (one message) is about the graph as a whole.
  return { issues, nodeStates, message: anyError && errors.issues.length > 0 ? errors.message : null }
}
