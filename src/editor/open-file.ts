// Turns a user-provided file (dialog or drop) into a validated graph file: our JSON, a PNG with the graph
// embedded, or a ComfyUI workflow through the importer (src/graph/open.ts). Failures are one clear message
// naming the file.
import type { NodeRegistry } from '../engine/registry.js'
import { GraphFileError } from '../graph/errors.js'
import { openGraphBytes, openGraphText } from '../graph/open.js'
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
  const opened = openGraphBytes(new Uint8Array(await file.arrayBuffer()), file.name, registry)
  return { graph: opened.graph, name: baseName(file.name), warnings: opened.warnings }
}

/** Graph JSON text (ours or a ComfyUI workflow), e.g. from autosave or the window hook. */
export function decodeGraphText(text: string, source: string, registry?: NodeRegistry): { graph: GraphFile; warnings: readonly string[] } {
  const opened = openGraphText(text, source, registry)
  return { graph: opened.graph, warnings: opened.warnings }
}
