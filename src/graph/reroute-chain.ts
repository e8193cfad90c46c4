// The reroutes one link passes, walked from the one nearest its input back towards its output. One walk for every
// reader of reroutes: the editor's save and load, the load repairs, and the ComfyUI import and export.

/**
 * `last`, then its parent, and so on: stops at a reroute `lookup` does not know, and at one already passed (a loop of
 * parents in a hostile file would otherwise never end). Empty when `last` is undefined or unknown.
 */
export function rerouteChain(last: number | undefined, lookup: (id: number) => { readonly parent?: number | undefined } | undefined): number[] {
  const chain: number[] = []
  const passed = new Set<number>()
  for (let id = last; id !== undefined && !passed.has(id); ) {
    const reroute = lookup(id)
    if (!reroute) break
    chain.push(id)
    passed.add(id)
    id = reroute.parent
  }
  return chain
}
