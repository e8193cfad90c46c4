// Validation of an executable graph against node declarations. Every issue names node id, type and input.
import { describeLocation, type ValidationIssue } from './errors.js'
import { isLink, type ExecGraph, type ExecNode } from './graph.js'
import type { NodeRegistry } from './registry.js'
import { canTakeLink, isSocket, isWidget, type AnyNodeDefinition, type WidgetSpec } from './spec.js'
import { findCycle } from './topology.js'
import { acceptedType, typesCompatible } from './types-compat.js'
import { numberProblem, numberRule } from './value-rules.js'

/** Checks a literal widget value; returns a problem description or undefined. */
export function checkWidgetValue(spec: WidgetSpec, value: unknown): { code: ValidationIssue['code']; detail: string } | undefined {
  switch (spec.kind) {
    case 'int':
    case 'seed':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { code: 'wrong-value-type', detail: `expected a ${spec.kind === 'float' ? 'number' : 'whole number'}, got ${describeValue(value)}` }
      }
      if (spec.kind !== 'float' && !Number.isInteger(value)) {
        return { code: 'wrong-value-type', detail: `expected a whole number, got ${value}` }
      }
      const problem = numberProblem(numberRule(spec), value)
      return problem !== undefined ? { code: 'out-of-range', detail: problem } : undefined
    }
    case 'string':
      if (typeof value !== 'string') return { code: 'wrong-value-type', detail: `expected text, got ${describeValue(value)}` }
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        return { code: 'out-of-range', detail: `text is ${value.length} characters long; at most ${spec.maxLength} are accepted` }
      }
      return undefined
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { code: 'wrong-value-type', detail: `expected true or false, got ${describeValue(value)}` }
    case 'combo':
      if (typeof value !== 'string') return { code: 'wrong-value-type', detail: `expected one of ${spec.options.join(', ')}, got ${describeValue(value)}` }
      return spec.options.includes(value) ? undefined : { code: 'not-in-options', detail: `"${value}" is not one of ${spec.options.join(', ')}` }
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
  if (typeof value === 'object') return 'an object'
  return String(value)
}

function issue(code: ValidationIssue['code'], node: ExecNode, input: string | undefined, detail: string): ValidationIssue {
  const loc = { nodeId: node.id, nodeType: node.type, ...(input !== undefined ? { input } : {}) }
  return { code, ...loc, message: `${describeLocation(loc)}: ${detail}` }
}

function validateNode(node: ExecNode, def: AnyNodeDefinition, byId: Map<string, ExecNode>, registry: NodeRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  for (const name of Object.keys(node.inputs)) {
    if (!Object.hasOwn(def.inputs, name)) issues.push(issue('unknown-input', node, name, `${def.type} has no input "${name}"`))
  }
  for (const [name, spec] of Object.entries(def.inputs)) {
    const binding = Object.hasOwn(node.inputs, name) ? node.inputs[name] : undefined
    if (isLink(binding)) {
      const [fromId, output] = binding.from
      const source = byId.get(fromId)
      if (!source) {
        issues.push(issue('missing-link-node', node, name, `linked to node ${fromId}, which does not exist`))
        continue
      }
      const sourceDef = registry.get(source.type)
      if (!sourceDef) continue // reported on the source node itself
      const out = Object.hasOwn(sourceDef.outputs, output) ? sourceDef.outputs[output] : undefined
      if (!out) {
        issues.push(issue('missing-link-output', node, name, `linked to output "${output}" of node ${fromId} (${source.type}), which has no such output`))
        continue
      }
      if (isWidget(spec) && !canTakeLink(spec)) {
        issues.push(issue('type-mismatch', node, name, `takes a value, not a link (linked to node ${fromId} (${source.type}).${output})`))
        continue
      }
      const accepted = acceptedType(spec)
      if (!typesCompatible(out.type, accepted)) {
        issues.push(issue('type-mismatch', node, name, `takes ${accepted} but is linked to ${out.type} from node ${fromId} (${source.type}).${output}`))
      }
      continue
    }
    if (isSocket(spec)) {
      if (binding !== undefined && binding !== null) issues.push(issue('wrong-value-type', node, name, `expects a link from a ${spec.type} output, got a value`))
      else if (!spec.optional) issues.push(issue('missing-input', node, name, `required ${spec.type} input is not connected`))
      continue
    }
    if (binding === undefined || (binding === null && spec.optional)) continue // the declared default applies
    const problem = checkWidgetValue(spec, binding)
    if (problem) issues.push(issue(problem.code, node, name, problem.detail))
  }
  return issues
}

export function validateGraph(graph: ExecGraph, registry: NodeRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const byId = new Map<string, ExecNode>()
  for (const node of graph.nodes) {
    if (byId.has(node.id)) issues.push(issue('duplicate-node-id', node, undefined, `node id ${node.id} is used more than once`))
    byId.set(node.id, node)
  }
  for (const node of graph.nodes) {
    const def = registry.get(node.type)
    if (!def) {
      issues.push({ code: 'unknown-node-type', nodeId: node.id, nodeType: node.type, message: `node ${node.id}: unknown node type "${node.type}"` })
      continue
    }
    issues.push(...validateNode(node, def, byId, registry))
  }
  const cycle = findCycle(graph)
  if (cycle) {
    const names = cycle.map((id) => `${id} (${byId.get(id)?.type ?? '?'})`)
    issues.push({ code: 'cycle', nodeId: cycle[0], nodeType: byId.get(cycle[0]!)?.type, cycle, message: `cycle between nodes ${names.join(' -> ')}` })
  }
  return issues
}
