// An image dropped on the canvas (or uploaded without a node to take it): ComfyUI's habit, a Load Image node for it
// at the drop point, or the Load Image node it was dropped on takes it instead.
import { LGraphNode } from '@comfyorg/litegraph'
import type { GraphEditor } from './editor.js'
import { imageInputName, isSpecNode } from './node-types.js'

export const LOAD_IMAGE_TYPE = 'LoadImage'

/** The input of `node`'s declaration that names an input image, if any. */
export function imageInputOf(node: LGraphNode | null | undefined): string | undefined {
  return isSpecNode(node) ? imageInputName(node.definition) : undefined
}

/** The one selected node, when it takes an image (a paste goes there, as in ComfyUI). */
export function selectedImageNode(editor: GraphEditor): LGraphNode | undefined {
  const selected = [...editor.canvas.selectedItems]
  const node = selected.length === 1 && selected[0] instanceof LGraphNode ? selected[0] : undefined
  return node && imageInputOf(node) ? node : undefined
}

/**
 * Shows `image` (a stored image's name) in `into`, else the node under the client point, else a new Load Image node
 * there; returns its id.
 */
export function placeImageNode(editor: GraphEditor, image: string, clientX: number, clientY: number, into?: LGraphNode): string | null {
  const at = editor.canvas.pointFrom({ clientX, clientY })
  const under = into ?? editor.graph.getNodeOnPos(at.canvasX, at.canvasY)
  const target = under && imageInputOf(under) ? under : editor.addNode(LOAD_IMAGE_TYPE, [at.canvasX, at.canvasY])
  const input = imageInputOf(target)
  if (!target || !input) return null
  editor.setValue(String(target.id), input, image)
  editor.selectAndShow(target)
  return String(target.id)
}
