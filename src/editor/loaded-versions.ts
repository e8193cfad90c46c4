// The version each canvas node was loaded with. A node saved by a newer build keeps that version when saved again
// (src/graph/node-versions.ts), so this build never rewrites it as its own older version.
import type { LGraphNode } from '@comfyorg/litegraph'

const loaded = new WeakMap<LGraphNode, number>()

export function setLoadedVersion(node: LGraphNode, version: number): void {
  loaded.set(node, version)
}

export function loadedVersionOf(node: LGraphNode): number | undefined {
  return loaded.get(node)
}
