// PNG text metadata: our graph in an iTXt chunk keyed `hypersd-graph`, plus reading tEXt / zTXt / iTXt as other
// tools write them (ComfyUI stores `workflow` and `prompt` as tEXt; A1111 stores `parameters`).
import { PngError, assemblePng, readChunks, walkChunks, type PngChunk } from './png-chunks.js'
import { isTextChunk, readTextChunk, textChunk, textChunkKeyword } from './png-text.js'
import { parseGraphFile } from './parse.js'
import type { GraphFile } from './schema.js'

export { PngError, crc32, readChunks } from './png-chunks.js'
export type { PngChunk } from './png-chunks.js'
export { decodePng, encodePng } from './png-codec.js'
export type { DecodedPng } from './png-codec.js'
export { readPngTextChunks, textChunk } from './png-text.js'

export const GRAPH_KEYWORD = 'hypersd-graph'

/**
 * Returns a new PNG with the graph JSON in an iTXt chunk (`hypersd-graph`) and any extra text chunks, placed
 * before IEND. Existing chunks with the same keywords are replaced, so re-embedding does not pile up copies.
 */
export function embedGraphInPng(png: Uint8Array, graphJson: string, extra: Record<string, string> = {}): Uint8Array {
  const chunks = readChunks(png)
  const added = [textChunk(GRAPH_KEYWORD, graphJson, true), ...Object.entries(extra).map(([k, v]) => textChunk(k, v))]
  const replaced = new Set([GRAPH_KEYWORD, ...Object.keys(extra)])
  const kept = chunks.filter((c) => !(isTextChunk(c.type) && replaced.has(textChunkKeyword(c))))
  const iend = kept.length - 1
  return assemblePng([...kept.slice(0, iend), ...added, kept[iend]!])
}

export type PngGraph =
  | { readonly kind: 'graph'; readonly graph: GraphFile; readonly text: string; readonly warnings: readonly string[] }
  | { readonly kind: 'comfyui-workflow'; readonly text: string; readonly warnings: readonly string[] }
  | { readonly kind: 'comfyui-prompt'; readonly text: string; readonly warnings: readonly string[] }

/** The keywords read for a graph, best first; no other chunk is ever inflated. */
const GRAPH_SOURCES = [
  { keyword: GRAPH_KEYWORD, kind: 'graph' },
  { keyword: 'workflow', kind: 'comfyui-workflow' },
  { keyword: 'prompt', kind: 'comfyui-prompt' },
] as const

/**
 * Our graph if the PNG carries one; failing that, ComfyUI's `workflow` chunk (editor layout), or its `prompt`
 * chunk (API format), as text for the ComfyUI importer. Undefined when the PNG carries no graph at all.
 * Only those chunks are decoded (each capped at the graph size limit). A broken one is skipped with a warning when
 * a later source holds a graph, and thrown when none does.
 */
export function extractGraphFromPng(png: Uint8Array, source = 'PNG'): PngGraph | undefined {
  const damaged: PngChunk[] = []
  const chunks = walkChunks(png, (chunk) => damaged.push(chunk)).filter((c) => isTextChunk(c.type))
  const ourKeywords = new Set<string>(GRAPH_SOURCES.map((s) => s.keyword))
  const warnings: string[] = []
  let firstFailure: unknown
  for (const chunk of damaged) {
    // A damaged chunk we never read (an image's Comment, say) must not block the graph: say so and go on.
    const ours = isTextChunk(chunk.type) && ourKeywords.has(textChunkKeyword(chunk))
    if (!ours) warnings.push(`${source}: skipped chunk ${chunk.index} (${chunk.type}), CRC mismatch`)
  }
  for (const { keyword, kind } of GRAPH_SOURCES) {
    const chunk = [...chunks, ...damaged]
      .filter((c) => isTextChunk(c.type) && textChunkKeyword(c) === keyword)
      .sort((a, b) => a.index - b.index)[0]
    if (chunk === undefined) continue
    let text: string
    try {
      if (damaged.includes(chunk)) throw new PngError(`chunk ${chunk.index} (${chunk.type}) CRC mismatch`)
      text = readTextChunk(chunk).text
    } catch (error) {
      if (!(error instanceof PngError)) throw error
      firstFailure ??= error
      warnings.push(`${source}: skipped ${error.message}`)
      continue
    }
    if (kind === 'graph') return { kind, graph: parseGraphFile(text, `${source} (${GRAPH_KEYWORD} chunk)`), text, warnings }
    return { kind, text, warnings }
  }
  if (firstFailure !== undefined) throw firstFailure
  return undefined
}
