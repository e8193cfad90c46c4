// What output nodes computed besides images (a reward score, a per-attribute report), as text: the CLI prints
// it after a run and the editor draws it on the node, from the same list.
import type { RunResult } from './engine.js'
import type { ExecNode } from './graph.js'
import type { NodeRegistry } from './registry.js'

const SCALAR_TYPES = new Set(['FLOAT', 'INT', 'STRING', 'BOOLEAN'])

export interface ShownOutput {
  readonly name: string
  /** The value as text; a STRING output may span several lines. */
  readonly value: string
}

/** Scalar outputs of the output nodes that produced them, by node id, in graph and declaration order. */
export function outputNodeValues(outputs: RunResult['outputs'], nodes: readonly ExecNode[], registry: NodeRegistry): Map<string, ShownOutput[]> {
  const shown = new Map<string, ShownOutput[]>()
  for (const node of nodes) {
    const def = registry.get(node.type)
    const values = outputs.get(node.id)
    if (!def?.isOutput || !values) continue
    const list = Object.entries(def.outputs)
      .filter(([name, out]) => SCALAR_TYPES.has(out.type) && values[name] !== undefined)
      .map(([name, out]) => ({ name, value: out.timing ? formatMs(Number(values[name])) : String(values[name]) }))
    if (list.length > 0) shown.set(node.id, list)
  }
  return shown
}

/** A duration for people: "840 ms", "2.31 s". */
function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}
