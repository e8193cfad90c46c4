// Any shareable graph source -> our graph file: our JSON, a PNG with a graph embedded (ours or ComfyUI's), or a
// ComfyUI workflow / API prompt (imported, with its report as warnings). Shared by the editor and the CLI.
import type { NodeRegistry } from '../engine/registry.js'
import { importComfyUI, type ComfyImportResult } from './comfyui.js'
import { withRunnableReport } from './comfyui-runnable.js'
import { GraphFileError } from './errors.js'
import { readJson, validateGraphDocument } from './parse.js'
import { PNG_SIGNATURE, PngError } from './png-chunks.js'
import { extractGraphFromPng } from './png.js'
import type { GraphFile } from './schema.js'

export interface OpenedGraphSource {
  readonly graph: GraphFile
  readonly origin: 'graph' | 'png' | 'comfyui'
  readonly warnings: readonly string[]
  /** For an imported ComfyUI graph checked against a registry: what stops it running (also in its import report). */
  readonly blocking?: readonly string[]
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

/** With a registry (hosts have one), the import is also checked: what stops it running goes into its report. */
function fromComfy(result: ComfyImportResult, registry: NodeRegistry | undefined, source: string): OpenedGraphSource {
  const { placeholders, dropped, warnings } = result.report
  const checked = registry ? withRunnableReport(result, registry, source) : { graph: result.graph, blocking: [] }
  return { graph: checked.graph, origin: 'comfyui', warnings: [...placeholders, ...dropped, ...warnings], blocking: checked.blocking }
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
export function openGraphText(text: string, source: string, registry?: NodeRegistry): OpenedGraphSource {
  const doc = readJson(text, source)
  const format = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc['format'] : undefined
  // Anything that declares a format is judged as ours, so a wrong version gets our clear message.
  if (format !== undefined) {
    const parsed = validateGraphDocument(doc, source)
    return { graph: parsed.graph, origin: 'graph', warnings: parsed.warnings }
  }
  return fromComfy(importComfyUI(text, source), registry, source)
}

/** PNG errors name the chunk; from a file, they name the file too. */
function namingTheFile<T>(read: () => T, source: string): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof PngError) throw new GraphFileError(error.message, source)
    throw error
  }
}

export function openGraphBytes(bytes: Uint8Array, source: string, registry?: NodeRegistry): OpenedGraphSource {
  if (isPng(bytes)) {
    const found = namingTheFile(() => extractGraphFromPng(bytes, source), source)
    if (!found) throw new GraphFileError('this PNG has no graph embedded', source)
    if (found.kind === 'graph') return { graph: found.graph, origin: 'png', warnings: found.warnings }
    const imported = fromComfy(importComfyUI(found.text, source), registry, source)
    return { ...imported, origin: 'png', warnings: [...found.warnings, ...imported.warnings] }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new GraphFileError('not a UTF-8 text file or a PNG', source)
  }
  return openGraphText(text, source, registry)
}
