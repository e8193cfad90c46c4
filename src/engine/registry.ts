// The set of node types a host knows, looked up by type name.
import type { AnyNodeDefinition } from './spec.js'

export class NodeRegistry {
  private readonly byType = new Map<string, AnyNodeDefinition>()

  constructor(definitions: Iterable<AnyNodeDefinition>) {
    for (const def of definitions) {
      if (this.byType.has(def.type)) throw new Error(`Node type "${def.type}" is declared twice`)
      this.byType.set(def.type, def)
    }
  }

  get(type: string): AnyNodeDefinition | undefined {
    return this.byType.get(type)
  }

  has(type: string): boolean {
    return this.byType.has(type)
  }

  all(): AnyNodeDefinition[] {
    return [...this.byType.values()]
  }

  /** Category -> node types, categories and types sorted, for menus and docs. */
  categories(): Map<string, AnyNodeDefinition[]> {
    const result = new Map<string, AnyNodeDefinition[]>()
    for (const def of [...this.byType.values()].sort((a, b) => a.category.localeCompare(b.category) || a.displayName.localeCompare(b.displayName))) {
      const list = result.get(def.category) ?? []
      list.push(def)
      result.set(def.category, list)
    }
    return result
  }
}
