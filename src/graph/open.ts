// Any shareable graph source -> our graph file: our JSON, a PNG with a graph embedded (ours or ComfyUI's), or a
// ComfyUI workflow / API prompt (imported, with its report as warnings). Shared by the editor and the CLI.
import { importComfyUI, type ComfyImportResult } from './comfyui.js'
import { GraphFileError } from './errors.js'
import { readJson, validateGraphDocument } from './parse.js'
import { PNG_SIGNATURE } from './png-chunks.js'
import { extractGraphFromPng } from './png.js'
import type { GraphFile } from './schema.js'

export interface OpenedGraphSource {
  readonly graph: GraphFile
  readonly origin: 'graph' | 'png' | 'comfyui'
  readonly warnings: readonly string[]
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

function fromComfy(result: ComfyImportResult): OpenedGraphSource {
  const { placeholders, dropped, warnings } = result.report
  return { graph: result.graph, origin: 'comfyui', warnings: [...placeholders, ...dropped, ...warnings] }
}

/**
 * Whether pasted text is meant as a graph: JSON declaring a format (ours), or shaped like a ComfyUI workflow
 * (nodes and links) or API prompt (nodes with class_type). Anything else pastes as it would anywhere else.
 */
export function looksLikeGraphText(text: string): boolean {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return false
  let doc: unknown
  try {
    doc = JSON.parse(trimmed)
  } catch {
    return false
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false
  const fields = doc as Record<string, unknown>
  if (Object.hasOwn(fields, 'format')) return true
  if (Array.isArray(fields['nodes']) && (Array.isArray(fields['links']) || Object.hasOwn(fields, 'last_node_id'))) return true
  const values = Object.values(fields)
  return values.length > 0 && values.every((v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['class_type'] === 'string')
}

/** Our graph format, or a ComfyUI workflow recognised by its shape (no "format" field). */
export function openGraphText(text: string, source: string): OpenedGraphSource {
  const doc = readJson(text, source)
  const format = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc['format'] : undefined
  // Anything that declares a format is judged as ours, so a wrong version gets our clear message.
  if (format !== undefined) {
    const parsed = validateGraphDocument(doc, source)
    return { graph: parsed.graph, origin: 'graph', warnings: parsed.warnings }
  }
  return fromComfy(importComfyUI(text, source))
}

export function openGraphBytes(bytes: Uint8Array, source: string): OpenedGraphSource {
  if (isPng(bytes)) {
    const found = extractGraphFromPng(bytes, source)
    if (!found) throw new GraphFileError('this PNG has no graph embedded', source)
    if (found.kind === 'graph') return { graph: found.graph, origin: 'png', warnings: [] }
    return { ...fromComfy(importComfyUI(found.text, source)), origin: 'png' }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new GraphFileError('not a UTF-8 text file or a PNG', source)
  }
  return openGraphText(text, source)
}
