// Turns a user-provided file (dialog or drop) into a validated graph file: our JSON, a PNG with the graph
// embedded, or a ComfyUI workflow through the importer (src/graph/open.ts). Failures are one clear message
// naming the file.
import type { NodeRegistry } from '../engine/registry.js'
import { GraphFileError } from '../graph/errors.js'
import { isPng, openGraphBytes, openGraphText } from '../graph/open.js'
import { decodeGraphTextOffThread } from './parse-off-thread.js'
import type { GraphFile } from '../graph/schema.js'

const MAX_BYTES = 64 * 1024 * 1024

export interface OpenedGraph {
  readonly graph: GraphFile
  readonly name: string
  readonly warnings: readonly string[]
}

function baseName(fileName: string): string {
  return fileName.replace(/\.(json|png)$/i, '') || 'graph'
}

/** With the editor's `registry`, a ComfyUI import is checked too: its report lists what stops it running. */
export async function openGraphFile(
  file: { readonly name: string; readonly size: number; arrayBuffer(): Promise<ArrayBuffer> },
  registry?: NodeRegistry,
): Promise<OpenedGraph> {
  if (file.size > MAX_BYTES) throw new GraphFileError(`file is larger than ${MAX_BYTES / 1024 / 1024} MB`, file.name)
  const bytes = new Uint8Array(await file.arrayBuffer())
  // JSON is parsed and validated off the main thread; a PNG's graph is small next to its image and read here.
  const text = isPng(bytes) ? undefined : utf8Text(bytes)
  const opened = text === undefined ? openGraphBytes(bytes, file.name, registry) : await decodeGraphTextOffThread(text, file.name, registry)
  return { graph: opened.graph, name: baseName(file.name), warnings: opened.warnings }
}

/** The text of a file that is not a PNG, or undefined when it is not UTF-8 (openGraphBytes then says why). */
function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** Graph JSON text (ours or a ComfyUI workflow), e.g. from autosave or the window hook. */
export function decodeGraphText(text: string, source: string, registry?: NodeRegistry): { graph: GraphFile; warnings: readonly string[] } {
  const opened = openGraphText(text, source, registry)
  return { graph: opened.graph, warnings: opened.warnings }
}
