// Graph text -> validated graph file, read and checked in a worker (src/editor/parse-worker.ts) so the main thread
// stays free while a big file is parsed (issue 14 §2). Where there is no Worker (tests, or one that failed to
// start) the same checks run here. ComfyUI workflows come back unparsed and are imported here, against the
// editor's node declarations.
import type { NodeRegistry } from '../engine/registry.js'
import { openGraphText } from '../graph/open.js'
import type { ParseReply, ParseRequest } from './parse-protocol.js'
import type { GraphFile } from '../graph/schema.js'

export interface DecodedGraph {
  readonly graph: GraphFile
  readonly warnings: readonly string[]
}

let worker: Worker | null = null
let broken = false
let nextId = 0
const waiting = new Map<number, (reply: ParseReply | null) => void>()

function parseWorker(): Worker | null {
  if (broken || typeof Worker === 'undefined') return null
  if (!worker) {
    worker = new Worker(new URL('./parse-worker.ts', import.meta.url), { type: 'module', name: 'hypersd-graph-parse' })
    worker.onmessage = (event: MessageEvent<ParseReply>) => {
      waiting.get(event.data.id)?.(event.data)
      waiting.delete(event.data.id)
    }
    // A worker that cannot start: every waiting parse (and every later one) runs on the main thread instead.
    worker.onerror = () => {
      broken = true
      worker?.terminate()
      worker = null
      for (const resolve of waiting.values()) resolve(null)
      waiting.clear()
    }
  }
  return worker
}

function askWorker(text: string, source: string): Promise<ParseReply | null> {
  const target = parseWorker()
  if (!target) return Promise.resolve(null)
  const request: ParseRequest = { id: ++nextId, text, source }
  return new Promise((resolve) => {
    waiting.set(request.id, resolve)
    target.postMessage(request)
  })
}

/** Like decodeGraphText, with our format parsed and validated off the main thread; throws with the reason. */
export async function decodeGraphTextOffThread(text: string, source: string, registry?: NodeRegistry): Promise<DecodedGraph> {
  const start = performance.now()
  const reply = await askWorker(text, source)
  if (reply?.kind === 'error') throw new Error(reply.message)
  if (reply?.kind === 'graph') {
    performance.measure('hypersd-load:parse (worker)', { start, end: performance.now() })
    return { graph: reply.graph, warnings: reply.warnings }
  }
  const opened = openGraphText(text, source, registry)
  const decoded = { graph: opened.graph, warnings: opened.warnings }
  performance.measure('hypersd-load:parse (main thread)', { start, end: performance.now() })
  return decoded
}
