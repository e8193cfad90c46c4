// Which node types fit a dragged or split link: the node search lists them, and a link's menu offers
// "Insert node…" only when one exists for its type.
import { isSocket, type AnyNodeDefinition } from '../engine/spec.js'
import type { LinkDropRequest } from '../editor/canvas.js'

export function fitsLink(def: AnyNodeDefinition, drop: Pick<LinkDropRequest, 'need' | 'type'>): boolean {
  const takes = Object.values(def.inputs).some((spec) => isSocket(spec) && spec.type === drop.type)
  const gives = Object.values(def.outputs).some((out) => out.type === drop.type)
  return drop.need === 'input' ? takes : drop.need === 'output' ? gives : takes && gives
}
