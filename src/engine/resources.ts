// Which cached node results keep which host resources (e.g. model sessions) alive. A node's execution retains the
// resources it used; when its cached result is replaced, dropped or was never made (a failed run), the resources no
// other cached result retains are released. This is how a LoRA or model switch frees the old session while a
// cached text encoder keeps its own.

export class ResourceLedger {
  private readonly held = new Map<string, ReadonlySet<string>>()

  /** Sets what `nodeId`'s cached result retains; returns the resources nobody retains any more. */
  replace(nodeId: string, resources: ReadonlySet<string>): string[] {
    const before = this.held.get(nodeId)
    if (resources.size > 0) this.held.set(nodeId, new Set(resources))
    else this.held.delete(nodeId)
    return before ? this.unheld(before) : []
  }

  /** Forgets `nodeId`'s cached result; returns the resources nobody retains any more. */
  drop(nodeId: string): string[] {
    return this.replace(nodeId, new Set())
  }

  /** Of `resources` (e.g. those a failed execution used), the ones no cached result retains. */
  unheld(resources: Iterable<string>): string[] {
    const stillHeld = new Set([...this.held.values()].flatMap((set) => [...set]))
    return [...new Set(resources)].filter((r) => !stillHeld.has(r))
  }

  heldBy(nodeId: string): ReadonlySet<string> {
    return this.held.get(nodeId) ?? new Set()
  }
}
