// "Every import is runnable or says why": an imported ComfyUI graph is checked against the real node declarations
// (the registry is a parameter: src/graph does not import nodes/), and each issue that stops a run becomes one line
// naming the node, the input, what blocks it and what the user can do. The lines go into the import report.
import type { ValidationIssue } from '../engine/errors.js'
import { isLink, type ExecGraph, type ExecNode } from '../engine/graph.js'
import { planRun } from '../engine/node-modes.js'
import type { NodeRegistry } from '../engine/registry.js'
import { upstreamIds } from '../engine/topology.js'
import { acceptedType, typesCompatible } from '../engine/types-compat.js'
import { comfySourceLabel, type ComfyImportResult, type RemovedComfyLink } from './comfyui.js'
import { toExecGraph } from './exec.js'
import type { GraphFile, GraphNode } from './schema.js'

const MAX_HOPS = 64

/** ComfyUI's socket type names where ours differ (our UNET is ComfyUI's MODEL). */
const COMFY_TYPE: Readonly<Record<string, string>> = { UNET: 'MODEL' }

/** The blocking lines for an imported graph; empty when it can run as imported. */
export function runnableReport(result: Pick<ComfyImportResult, 'graph' | 'removedLinks'>, registry: NodeRegistry): string[] {
  const graph = result.graph
  const exec = toExecGraph(graph)
  const { plan, targets, issues } = planRun(exec, registry)
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const ctx: Context = { graph, exec: plan.graph, byId, registry, removed: result.removedLinks }
  const lines: string[] = []
  // Placeholders are reported at the inputs that need them (validateRun names only the first node reaching each).
  lines.push(...placeholderLines(ctx, needed(plan.graph, targets)))
  for (const issue of issues) {
    if (issue.code === 'unknown-node-type' && issue.nodeId !== undefined && byId.get(issue.nodeId)?.placeholder) continue
    lines.push(issueLine(ctx, issue))
  }
  return [...new Set(lines)]
}

/** The import with its blocking lines kept in the graph's import report (created when the import had nothing to say). */
export function withRunnableReport(result: ComfyImportResult, registry: NodeRegistry, source?: string): { graph: GraphFile; blocking: string[] } {
  const blocking = runnableReport(result, registry)
  if (blocking.length === 0) return { graph: result.graph, blocking }
  const metadata = result.graph.metadata ?? {}
  const report = metadata.importReport ?? { source: comfySourceLabel(result.format, source), placeholders: [], dropped: [], folded: [], warnings: [] }
  return { graph: { ...result.graph, metadata: { ...metadata, importReport: { ...report, blocking } } }, blocking }
}

interface Context {
  readonly graph: GraphFile
  /** The graph a run executes: bypassed and muted nodes taken out. */
  readonly exec: ExecGraph
  readonly byId: ReadonlyMap<string, GraphNode>
  readonly registry: NodeRegistry
  readonly removed: readonly RemovedComfyLink[]
}

const label = (node: { readonly id: string; readonly type: string }): string => `node ${node.id} (${node.type})`

/** Every node the run's targets depend on, targets included. */
function needed(graph: ExecGraph, targets: readonly string[]): Set<string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const seen = new Set<string>()
  const stack = [...targets]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (seen.has(id)) continue
    seen.add(id)
    const node = byId.get(id)
    if (node) stack.push(...upstreamIds(node))
  }
  return seen
}

function placeholderLines(ctx: Context, neededIds: ReadonlySet<string>): string[] {
  const lines: string[] = []
  for (const node of ctx.exec.nodes) {
    if (!neededIds.has(node.id) || !ctx.registry.get(node.type)) continue
    for (const [input, binding] of Object.entries(node.inputs)) {
      if (!isLink(binding)) continue
      const source = ctx.byId.get(binding.from[0])
      if (!source?.placeholder) continue
      lines.push(`${label(node)} input "${input}": its source ${label(source)} has no equivalent here and is kept as a placeholder; ${skipAdvice(ctx, node, input, source, binding.from[1])}`)
    }
  }
  return lines
}

/** How to get past a placeholder: link to what it takes in of the type it gives (through other placeholders), or remove it. */
function skipAdvice(ctx: Context, node: ExecNode, input: string, placeholder: GraphNode, output: string): string {
  let current = placeholder
  let wanted = current.placeholder?.outputs.find((o) => o.name === output)?.type
  for (let hop = 0; hop < MAX_HOPS && wanted !== undefined; hop++) {
    const same = current.placeholder?.inputs.find((slot) => slot.type === wanted && isLink(current.inputs[slot.name]))
    const link = same ? current.inputs[same.name] : undefined
    if (!isLink(link)) break
    const upstream = ctx.byId.get(link.from[0])
    if (upstream && !upstream.placeholder) {
      // API prompts name no slot types ("*"): only an output our input accepts is offered.
      if (!fits(ctx, upstream, link.from[1], ourType(ctx, node, input))) break
      return `reconnect "${input}" to ${label(upstream)} output "${link.from[1]}" (what node ${placeholder.id} takes in) to skip it, or remove node ${placeholder.id}`
    }
    if (!upstream) break
    current = upstream
  }
  const type = ourType(ctx, node, input)
  const other = type ? candidate(ctx, node, type) : undefined
  return `nothing here makes what it gives; remove node ${placeholder.id}${other ? ` and connect "${input}" to ${other}` : type ? ` and connect "${input}" to a ${type} output` : ''}`
}

function fits(ctx: Context, source: GraphNode, output: string, accepted: string | undefined): boolean {
  const outputs = ctx.registry.get(source.type)?.outputs
  const spec = outputs && Object.hasOwn(outputs, output) ? outputs[output] : undefined
  return spec !== undefined && accepted !== undefined && typesCompatible(spec.type, accepted)
}

function ourType(ctx: Context, node: ExecNode, input: string): string | undefined {
  const spec = ctx.registry.get(node.type)?.inputs[input]
  return spec ? acceptedType(spec) : undefined
}

/** An output of `type` that `node` could take instead (not downstream of it): an unused one first, else the last. */
function candidate(ctx: Context, node: ExecNode, type: string): string | undefined {
  const downstream = downstreamOf(ctx.exec, node.id)
  const used = new Set<string>()
  for (const n of ctx.exec.nodes) for (const b of Object.values(n.inputs)) if (isLink(b)) used.add(`${b.from[0]}\u0000${b.from[1]}`)
  const found: { id: string; type: string; output: string; unused: boolean }[] = []
  for (const n of ctx.exec.nodes) {
    if (downstream.has(n.id)) continue
    const def = ctx.registry.get(n.type)
    if (!def) continue
    for (const [output, spec] of Object.entries(def.outputs)) {
      if (typesCompatible(spec.type, type)) found.push({ id: n.id, type: n.type, output, unused: !used.has(`${n.id}\u0000${output}`) })
    }
  }
  const best = found.filter((f) => f.unused).pop() ?? found.pop()
  return best ? `${label(best)} output "${best.output}"` : undefined
}

function downstreamOf(graph: ExecGraph, id: string): Set<string> {
  const result = new Set([id])
  let grew = true
  while (grew) {
    grew = false
    for (const node of graph.nodes) {
      if (result.has(node.id)) continue
      if (upstreamIds(node).some((up) => result.has(up))) {
        result.add(node.id)
        grew = true
      }
    }
  }
  return result
}

function issueLine(ctx: Context, issue: ValidationIssue): string {
  const node = issue.nodeId !== undefined ? ctx.exec.nodes.find((n) => n.id === issue.nodeId) : undefined
  const where = node && issue.input !== undefined ? `${label(node)} input "${issue.input}"` : undefined
  switch (issue.code) {
    case 'missing-input':
      return node && issue.input !== undefined ? missingInputLine(ctx, node, issue.input) : issue.message
    case 'type-mismatch': {
      const type = node && issue.input !== undefined ? ourType(ctx, node, issue.input) : undefined
      return `${issue.message}; connect it to ${type ? `a ${type} output` : 'an output of the type it takes'}`
    }
    case 'wrong-value-type':
    case 'out-of-range':
    case 'not-in-options':
      return where ? `${issue.message}; set a valid value in the node (CLI: --set ${issue.nodeId}.${issue.input}=VALUE)` : issue.message
    case 'muted-input':
    case 'bypassed-input':
      return `${issue.message}; switch that node back on (${issue.code === 'muted-input' ? 'Ctrl+M' : 'Ctrl+B'}) or connect the input to another output`
    case 'no-output-node':
      return `${issue.message} (fed by a VAE Decode)`
    case 'unknown-input':
      return `${issue.message}; delete that input from the graph file`
    default:
      return issue.message
  }
}

function missingInputLine(ctx: Context, node: ExecNode, input: string): string {
  const type = ourType(ctx, node, input)
  const removed = removedLinkFor(ctx.removed, node.id, input, type)
  const other = type ? candidate(ctx, node, type) : undefined
  const why = removed ? `in ComfyUI it came from ${removed.source}` : 'it is not connected in the workflow either'
  const fix = other ? `connect it to ${other}` : type ? `connect it to a ${type} output` : 'connect it'
  return `${label(node)} input "${input}": not connected (${why}); ${fix}`
}

/** The removed ComfyUI link that fed our input: same name, else same type, else the node's only one. */
function removedLinkFor(removed: readonly RemovedComfyLink[], nodeId: string, input: string, type: string | undefined): RemovedComfyLink | undefined {
  const mine = removed.filter((r) => r.nodeId === nodeId)
  const comfyType = type === undefined ? undefined : Object.hasOwn(COMFY_TYPE, type) ? COMFY_TYPE[type] : type
  return mine.find((r) => r.comfyInput === input) ?? mine.find((r) => comfyType !== undefined && r.comfyType === comfyType) ?? (mine.length === 1 ? mine[0] : undefined)
}

