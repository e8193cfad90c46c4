// Naming and showing the node a message is about: "Prompt (#2, CLIPTextEncode) · input “text”", and centring it.
import type { useGraph } from '../stores/graph.js'

type GraphStore = ReturnType<typeof useGraph>

/** Where a message applies: the node's title, id and type, and the input when it names one. */
export function nodePlace(graph: GraphStore, at: { nodeId?: string; nodeType?: string; input?: string }): string {
  const parts: string[] = []
  if (at.nodeId) {
    const title = graph.editor?.nodeById(at.nodeId)?.title
    parts.push(`${title ?? at.nodeType ?? 'node'} (#${at.nodeId}${at.nodeType ? `, ${at.nodeType}` : ''})`)
  }
  if (at.input) parts.push(`input “${at.input}”`)
  return parts.join(' · ')
}

/** Selects the node and centres the canvas on it. */
export function focusNode(graph: GraphStore, nodeId?: string): void {
  const editor = graph.editor
  // Any node, placeholders included (an import report names those).
  const node = nodeId ? editor?.graph.getNodeById(nodeId) : undefined
  if (!editor || !node) return
  editor.canvas.selectItems([node])
  editor.canvas.centerOnNode(node)
  editor.canvas.setDirty(true, true)
}
