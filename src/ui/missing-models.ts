// Which of a node's model inputs name a model the catalog lacks: drawn on the node, and offered in the inspector.
import type { SpecNode } from '../editor/node-types.js'

export interface MissingModel {
  readonly input: string
  readonly name: string
}

/** The model inputs of `node` whose value `isMissing` says the catalog lacks. */
export function missingModelsOf(node: SpecNode, isMissing: (name: string) => boolean): MissingModel[] {
  const values = node.widgetValues()
  return Object.entries(node.definition.inputs).flatMap(([input, spec]) => {
    const value = values[input]
    return spec.kind === 'string' && spec.model && typeof value === 'string' && isMissing(value) ? [{ input, name: value.trim() }] : []
  })
}
