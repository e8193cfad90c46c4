// Node references in report lines ("node 8 (VAEDecode)" or "node 13", as the import report and load repairs write
// them), split out so the panels can make each one a button that shows the node. Text only: no HTML is built.

export type TextPart = { readonly text: string; readonly nodeId?: undefined } | { readonly text: string; readonly nodeId: string }

/** "node 8 (VAEDecode)", or a bare "node 13" (as in "remove node 13"). */
const NODE_REF = /\bnode (\d{1,9})(?!\d|\.\d)(?: \([^()]{1,80}\))?/g

/** The line in parts: plain text, and each node reference with its node id. */
export function splitNodeRefs(line: string): TextPart[] {
  const parts: TextPart[] = []
  let at = 0
  for (const match of line.matchAll(NODE_REF)) {
    if (match.index > at) parts.push({ text: line.slice(at, match.index) })
    parts.push({ text: match[0], nodeId: match[1]! })
    at = match.index + match[0].length
  }
  if (at < line.length) parts.push({ text: line.slice(at) })
  return parts
}
