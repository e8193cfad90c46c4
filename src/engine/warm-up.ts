// Which nodes a warm-up touches: it loads what a graph will need (models, sessions, a prompt's encoding) while the
// user is still looking at the graph, so that the first run finds them ready. Only declared nodes take part (see
// WarmUp in spec.ts), and only from what is known before a run: literals and the results of nodes the warm-up runs.
import { isLink, type ExecGraph, type ExecNode } from './graph.js'
import type { NodeRegistry } from './registry.js'
import { isSocket, type AnyNodeDefinition } from './spec.js'

export interface WarmUpPlan {
  /** Nodes to execute, as a run would (their results are cached), in execution order. */
  readonly execute: readonly string[]
  /** Nodes whose warm-up hook loads what they will need, in execution order. */
  readonly load: readonly string[]
}

/** Does every one of `names` have a value before the run: a literal, or a link from a node the warm-up executes? */
function knownBeforeRun(node: ExecNode, names: readonly string[], executed: ReadonlySet<string>): boolean {
  return names.every((name) => {
    const binding = Object.hasOwn(node.inputs, name) ? node.inputs[name] : undefined
    return !isLink(binding) || executed.has(binding.from[0])
  })
}

/**
 * The warm-up of `order` (a run's execution order over `graph`, the graph with bypass and mute planned out): nodes
 * declared 'execute' whose every input is known before the run, then the hooks whose named inputs are.
 */
export function planWarmUp(graph: ExecGraph, order: readonly string[], registry: NodeRegistry): WarmUpPlan {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  const executed = new Set<string>()
  const load: string[] = []
  for (const id of order) {
    const node = byId.get(id)
    const warmUp = node && registry.get(node.type)?.warmUp
    if (!node || !warmUp) continue
    if (warmUp === 'execute') {
      // An always-run node's result is never reused, so running it early would only be repeated.
      if (!registry.get(node.type)?.alwaysRun && knownBeforeRun(node, Object.keys(node.inputs), executed)) executed.add(id)
    } else if (knownBeforeRun(node, warmUp.inputs, executed)) {
      load.push(id)
    }
  }
  return { execute: order.filter((id) => executed.has(id)), load }
}

/** The values of a hook's named inputs: literals (or their defaults), and links read from the warm-up's outputs. */
export function hookInputs(
  node: ExecNode,
  def: AnyNodeDefinition,
  names: readonly string[],
  outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): Record<string, unknown> {
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  for (const name of names) {
    const binding = Object.hasOwn(node.inputs, name) ? node.inputs[name] : undefined
    const spec = Object.hasOwn(def.inputs, name) ? def.inputs[name] : undefined
    values[name] = isLink(binding) ? outputs.get(binding.from[0])?.[binding.from[1]] : (binding ?? (spec && !isSocket(spec) ? spec.default : undefined))
  }
  return values
}
