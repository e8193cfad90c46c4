// Turns a user-provided file (dialog or drop) into a validated graph file: our JSON, a PNG with the graph
// embedded, or a ComfyUI workflow through the importer. Every failure is one clear message naming the file.
import { parseGraphFile, readJson, validateGraphDocument, GraphFileError } from '../graph/parse.js'
import { extractGraphFromPng } from '../graph/png.js'
import { PNG_SIGNATURE } from '../graph/png-chunks.js'
import type { GraphFile } from '../graph/schema.js'
import { importComfyText } from './comfy-import.js'

const MAX_BYTES = 64 * 1024 * 1024

export interface OpenedGraph {
  readonly graph: GraphFile
  readonly name: string
  readonly warnings: readonly string[]
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

function baseName(fileName: string): string {
  return fileName.replace(/\.(json|png)$/i, '') || 'graph'
}

export async function openGraphFile(file: { readonly name: string; readonly size: number; arrayBuffer(): Promise<ArrayBuffer> }): Promise<OpenedGraph> {
  if (file.size > MAX_BYTES) throw new GraphFileError(`file is larger than ${MAX_BYTES / 1024 / 1024} MB`, file.name)
  const bytes = new Uint8Array(await file.arrayBuffer())
  if (isPng(bytes)) {
    const found = extractGraphFromPng(bytes, file.name)
    if (!found) throw new GraphFileError('this PNG has no graph embedded', file.name)
    if (found.kind === 'graph') return { graph: found.graph, name: baseName(file.name), warnings: [] }
    return { ...importComfyText(found.text, file.name), name: baseName(file.name) }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new GraphFileError('not a UTF-8 text file or a PNG', file.name)
  }
  return { ...decodeGraphText(text, file.name), name: baseName(file.name) }
}

/** Our graph format, or a ComfyUI workflow recognised by its shape. */
export function decodeGraphText(text: string, source: string): { graph: GraphFile; warnings: readonly string[] } {
  const doc = readJson(text, source)
  const format = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc['format'] : undefined
  // Anything that declares a format is judged as ours, so a wrong version gets our clear message.
  if (format !== undefined) return validateGraphDocument(doc, source)
  return importComfyText(text, source)
}

export { parseGraphFile }
