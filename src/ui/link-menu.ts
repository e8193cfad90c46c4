// The menu of a link's centre marker (or of a stretch between reroutes): insert a node in its place, add a reroute,
// delete it. The app's own menu, in place of litegraph's.
import { LLink, type LinkSegment } from '@comfyorg/litegraph'
import type { CanvasPoint, LinkDropRequest } from '../editor/canvas.js'
import type { GraphEditor } from '../editor/editor.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { fitsLink } from './link-fit.js'
import type { MenuItem } from './node-menu.js'

export interface LinkMenuHost {
  readonly editor: GraphEditor
  /** Opens the node search for nodes that fit `request`, where the menu was opened. */
  openSearch(request: LinkDropRequest): void
}

export function linkMenu(host: LinkMenuHost, segment: LinkSegment, at: CanvasPoint): MenuItem[] {
  const e = host.editor
  const request = segment instanceof LLink ? insertRequest(e, segment, at) : null
  const insert = request && nodeDefinitions.some((def) => fitsLink(def, request)) ? request : null
  return [
    ...(insert ? [{ label: 'Insert node…', action: () => host.openSearch(insert) }] : []),
    { label: 'Add reroute (Alt+click on a link)', action: () => e.addReroute(segment) },
    { label: 'Delete link', action: () => e.removeLinks(segment) },
  ]
}

/** A search for nodes that take and give the link's type, to go in its place (ComfyUI's link menu "Add Node"). */
function insertRequest(editor: GraphEditor, link: LLink, at: CanvasPoint): LinkDropRequest | null {
  const node = editor.graph.getNodeById(link.origin_id)
  const into = editor.graph.getNodeById(link.target_id)
  if (!node || !into) return null
  return { at, type: String(link.type), need: 'through', node, slot: link.origin_slot, into: { node: into, slot: link.target_slot } }
}
