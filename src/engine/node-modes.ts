// Bypassed and muted nodes, as in ComfyUI. Before a run the graph is rewritten so that the executor never sees
// them: a link from a bypassed node's output is rerouted to what feeds its matching input (same slot first, then
// the first input of the same type, as ComfyUI's ExecutableNodeDTO.resolveOutput does), and a muted node is
// dropped with everything that only it needed. Links that cannot be rerouted are reported only when the run
// actually needs the node that holds them, naming the bypassed or muted node and its output.
import type { ValidationIssue } from './errors.js'
import { isLink, type ExecGraph, type ExecNode, type InputBinding } from './graph.js'
import type { NodeRegistry } from './registry.js'
import { isSocket } from './spec.js'
import { executionOrder } from './topology.js'
import { acceptedType } from './types-compat.js'
import { outputNodeIds, validateRun } from './validate-run.js'

export type NodeMode = 'bypass' | 'mute'

/** A link that leads into a bypassed node with nothing to pass on, or into a muted node. */
export interface CutLink {
  readonly nodeId: string
  readonly input: string
  /** The bypassed or muted node the link ends at, and the output it asked for. */
  readonly blockedBy: string
  readonly blockedType: string
  readonly blockedMode: NodeMode
  readonly output: string
}

export interface ModePlan {
  /** The graph without bypassed and muted nodes, links rerouted around bypassed ones, cut links removed. */
  readonly graph: ExecGraph
  readonly cut: readonly CutLink[]
  /** Output nodes left out because they are muted or bypassed. */
  readonly silencedOutputs: readonly string[]
}

export function isActive(node: ExecNode): boolean {
  return node.mode === undefined
}

/** Rewrites `graph` around its bypassed and muted nodes (a graph with none comes back unchanged). */
export function planModes(graph: ExecGraph, registry: NodeRegistry): ModePlan {
  if (graph.nodes.every(isActive)) return { graph, cut: [], silencedOutputs: [] }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const cut: CutLink[] = []
  const nodes: ExecNode[] = []
  for (const node of graph.nodes) {
    if (!isActive(node)) continue
    const inputs: Record<string, InputBinding> = {}
    for (const [name, binding] of Object.entries(node.inputs)) {
      if (!isLink(binding)) {
        inputs[name] = binding
        continue
      }
      const source = resolveSource(binding.from, byId, registry, new Set())
      if ('from' in source) inputs[name] = { from: source.from }
      else cut.push({ nodeId: node.id, input: name, ...source.blocked })
    }
    nodes.push({ ...node, inputs })
  }
  const silencedOutputs = graph.nodes.filter((n) => !isActive(n) && registry.get(n.type)?.isOutput === true).map((n) => n.id)
  return { graph: { nodes }, cut, silencedOutputs }
}

type Resolved = { from: readonly [string, string] } | { blocked: Omit<CutLink, 'nodeId' | 'input'> }

/** Follows a link through bypassed nodes to the node that really produces the value (a loop, not recursion: chains can be long). */
function resolveSource(start: readonly [string, string], byId: ReadonlyMap<string, ExecNode>, registry: NodeRegistry, seen: Set<string>): Resolved {
  let from = start
  for (;;) {
    const [id, output] = from
    const node = byId.get(id)
    if (!node || isActive(node)) return { from }
    const blocked = { blockedBy: id, blockedType: node.type, blockedMode: node.mode!, output }
    if (node.mode === 'mute' || seen.has(id)) return { blocked }
    seen.add(id)
    const input = passThroughInput(node, output, registry)
    const binding = input === undefined ? undefined : node.inputs[input]
    if (!isLink(binding)) return { blocked }
    from = binding.from
  }
}

/** The input a bypassed node hands to `output`: the one at the same slot if its type matches, else the first of that type. */
export function passThroughInput(node: ExecNode, output: string, registry: NodeRegistry): string | undefined {
  const def = registry.get(node.type)
  if (!def) return undefined
  const outputs = Object.keys(def.outputs)
  const type = Object.hasOwn(def.outputs, output) ? def.outputs[output]!.type : undefined
  if (type === undefined) return undefined
  // Slots are counted over linkable inputs: sockets, plus widgets that hold a link (as litegraph numbers them).
  const slots = Object.entries(def.inputs)
    .filter(([name, spec]) => isSocket(spec) || isLink(node.inputs[name]))
    .map(([name, spec]) => ({ name, type: acceptedType(spec) }))
  const same = slots[outputs.indexOf(output)]
  if (same?.type === type) return same.name
  return slots.find((s) => s.type === type)?.name
}

/** Run issues for cut links held by nodes the run needs, and for targets that are muted or bypassed. */
export function modeIssues(original: ExecGraph, plan: ModePlan, targets: readonly string[], registry: NodeRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const byId = new Map(original.nodes.map((n) => [n.id, n]))
  for (const id of targets) {
    const node = byId.get(id)
    if (node && !isActive(node)) issues.push({ code: 'inactive-node', nodeId: id, nodeType: node.type, message: `node ${id} (${node.type}) is ${verb(node.mode!)}: it does not run` })
  }
  const needed = new Set(executionOrder(plan.graph, targets))
  for (const link of plan.cut) {
    if (!needed.has(link.nodeId)) continue
    const node = byId.get(link.nodeId)!
    const spec = registry.get(node.type)?.inputs[link.input]
    if (spec && isSocket(spec) && spec.optional) continue
    const why =
      link.blockedMode === 'mute'
        ? 'which is muted'
        : `which is bypassed and has no connected input of the same type to pass on`
    issues.push({
      code: link.blockedMode === 'mute' ? 'muted-input' : 'bypassed-input',
      nodeId: link.nodeId,
      nodeType: node.type,
      input: link.input,
      message: `node ${link.nodeId} (${node.type}), input "${link.input}": takes output "${link.output}" of node ${link.blockedBy} (${link.blockedType}), ${why}`,
    })
  }
  return issues
}

export const ALL_OUTPUTS_SILENCED_MESSAGE = 'nothing to output: every output node is muted or bypassed'

function verb(mode: NodeMode): string {
  return mode === 'mute' ? 'muted' : 'bypassed'
}

export interface ModedRun {
  readonly plan: ModePlan
  /** The node ids the run produces. */
  readonly targets: readonly string[]
  readonly issues: readonly ValidationIssue[]
}

/**
 * What a run checks and produces once modes are applied: validateRun on the rewritten graph (a muted node's own
 * problems do not stop a run), minus the gaps that cut links leave, plus the mode issues of nodes the run needs.
 */
export function planRun(graph: ExecGraph, registry: NodeRegistry, requested?: readonly string[]): ModedRun {
  const plan = planModes(graph, registry)
  const targets = requested ?? outputNodeIds(plan.graph, registry)
  const cutInputs = new Set(plan.cut.map((c) => `${c.nodeId}\u0000${c.input}`))
  const issues: ValidationIssue[] = []
  for (const issue of validateRun(plan.graph, registry, requested)) {
    if (issue.code === 'missing-input' && cutInputs.has(`${issue.nodeId}\u0000${issue.input}`)) continue
    if (issue.code === 'no-output-node' && plan.silencedOutputs.length > 0) issues.push({ ...issue, message: ALL_OUTPUTS_SILENCED_MESSAGE })
    else issues.push(issue)
  }
  issues.push(...modeIssues(graph, plan, targets, registry))
  return { plan, targets, issues }
}
