// The graph-parse worker: reads and validates graph file text off the main thread (issue 14 §2), so a big file
// never freezes the page while it is checked. Only our own format is handled here; anything else (a ComfyUI
// workflow) is handed back to be imported on the main thread, where the editor's node declarations are.
import { readJson, validateGraphDocument } from '../graph/parse.js'
import { EDITOR_MAX_NODES, tooManyNodesMessage } from '../graph/load-limits.js'
import { GraphFileError } from '../graph/errors.js'
import type { ParseReply, ParseRequest } from './parse-protocol.js'

function parse(request: ParseRequest): ParseReply {
  const { id, text, source } = request
  try {
    const doc = readJson(text, source)
    const fields = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc : undefined
    if (fields?.['format'] === undefined) return { id, kind: 'other' }
    // Refused at once, before the costly validation: the editor would refuse it anyway.
    const nodes = fields['nodes']
    if (Array.isArray(nodes) && nodes.length > EDITOR_MAX_NODES) throw new GraphFileError(tooManyNodesMessage(nodes.length), source)
    const parsed = validateGraphDocument(doc, source)
    return { id, kind: 'graph', graph: parsed.graph, warnings: parsed.warnings }
  } catch (error) {
    return { id, kind: 'error', message: error instanceof Error ? error.message : String(error) }
  }
}

const scope = self as unknown as DedicatedWorkerGlobalScope
scope.onmessage = (event: MessageEvent<ParseRequest>) => scope.postMessage(parse(event.data))
