// Nodes saved by a newer build than this one. The policy, the same on every load path (CLI, editor, import): such a
// node is kept as it is, its saved version included, and reported; it is never silently written back as this
// build's older version, which would make the newer build misread its inputs.

/** What the version check needs from a node declaration; the engine's registry satisfies it. */
export interface DeclaredVersions {
  get(type: string): { readonly version: number } | undefined
}

export interface NewerNode {
  readonly id: string
  readonly type: string
  readonly saved: number
  readonly declared: number
}

/** The nodes of `nodes` whose saved version is newer than this build's declaration of their type. */
export function newerNodes(nodes: readonly { id: string; type: string; version: number }[], registry: DeclaredVersions): NewerNode[] {
  const found: NewerNode[] = []
  for (const node of nodes) {
    const declared = registry.get(node.type)?.version
    if (declared !== undefined && node.version > declared) found.push({ id: node.id, type: node.type, saved: node.version, declared })
  }
  return found
}

export function newerNodeWarning(node: NewerNode): string {
  return `node ${node.id} (${node.type}): saved with version ${node.saved}, this build has version ${node.declared}`
}

/**
 * The version to write for a node: the one it was loaded with when that is newer than this build's declaration
 * (kept), else the declaration's (a new node, or one migrated on load).
 */
export function versionToSave(loaded: number | undefined, declared: number): number {
  return loaded !== undefined && loaded > declared ? loaded : declared
}
