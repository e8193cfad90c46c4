// The sweep panel's form as data: one or two axes (node, widget input, values written as a list or a
// START:STOP:STEP range) and the seeds, checked live with the sweep library so errors name the axis, node and input.
import { createSweepDefinition, resolveAxis, type SweepDeclarations, type SweepDefinition } from '../sweep/definition.js'
import { parseVarySpec, sourceValues, SweepSpecError } from '../sweep/values.js'
import { formatList } from '../sweep/list-text.js'
import { isGraphLink, type GraphFile } from '../graph/schema.js'

export interface AxisDraft {
  readonly node: string
  readonly input: string
  /** "1,2,4,8" or "0.25:1.25:0.25"; values holding commas in double quotes (list-text.ts). */
  readonly values: string
}

export interface SweepDraft {
  readonly axes: readonly AxisDraft[]
  readonly seeds: number
}

export type DraftCheck = { readonly definition: SweepDefinition; readonly error?: undefined } | { readonly definition?: undefined; readonly error: string }

/** The inputs of a node a sweep can vary: declared widgets (not sockets) that no link feeds. */
export function sweepableInputs(graph: GraphFile, registry: SweepDeclarations, nodeId: string): string[] {
  const node = graph.nodes.find((n) => n.id === nodeId)
  const def = node ? registry.get(node.type) : undefined
  if (!node || !def) return []
  return Object.entries(def.inputs)
    .filter(([name, spec]) => spec.kind !== 'socket' && !isGraphLink(Object.hasOwn(node.inputs, name) ? node.inputs[name] : undefined))
    .map(([name]) => name)
}

/** Nodes with at least one sweepable input, as the node select lists them ("Title (#id)"). */
export function sweepableNodes(graph: GraphFile, registry: SweepDeclarations): { id: string; label: string }[] {
  return graph.nodes
    .filter((n) => sweepableInputs(graph, registry, n.id).length > 0)
    .map((n) => ({ id: n.id, label: `${n.title ?? registry.get(n.type)?.displayName ?? n.type} (#${n.id})` }))
}

async function axisValues(axisName: string, draft: AxisDraft): Promise<(string | number)[]> {
  const spec = parseVarySpec(`${draft.node}.${draft.input}=${draft.values}`)
  return sourceValues(spec, async () => {
    throw new SweepSpecError(`${axisName}: value files (@file) are for the CLI; list the values or write START:STOP:STEP`)
  })
}

/** The definition the form describes, or the first problem with it (naming the axis, node and input). */
export async function checkDraft(graph: GraphFile, registry: SweepDeclarations, draft: SweepDraft): Promise<DraftCheck> {
  try {
    const axes = []
    for (const [i, axisDraft] of draft.axes.entries()) {
      const axisName = `axis ${i + 1}`
      if (!axisDraft.node || !axisDraft.input) throw new SweepSpecError(`${axisName}: pick a node and one of its inputs`)
      const where = `${axisName} (node ${axisDraft.node}, input "${axisDraft.input}")`
      const values = await axisValues(where, axisDraft).catch((error: unknown) => {
        throw new SweepSpecError(error instanceof Error ? error.message.replace(/^--vary [^:]*=.*?: /, `${where}: `) : String(error))
      })
      axes.push(resolveAxis(graph, registry, axisName, axisDraft.node, axisDraft.input, values))
    }
    return { definition: createSweepDefinition(graph, axes, draft.seeds, registry) }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** The form for a definition read back (a grid PNG): values written as a list. */
export function draftOf(definition: SweepDefinition): SweepDraft {
  return { axes: definition.axes.map((a) => ({ node: a.node, input: a.input, values: formatList(a.values) })), seeds: definition.seeds }
}
