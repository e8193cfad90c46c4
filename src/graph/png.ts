// PNG text metadata: our graph in an iTXt chunk keyed `hypersd-graph`, plus reading tEXt / zTXt / iTXt as other
// tools write them (ComfyUI stores `workflow` and `prompt` as tEXt; A1111 stores `parameters`).
import { assemblePng, readChunks } from './png-chunks.js'
import { isTextChunk, readPngTextChunks, textChunk, textChunkKeyword } from './png-text.js'
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
  | { readonly kind: 'graph'; readonly graph: GraphFile; readonly text: string }
  | { readonly kind: 'comfyui-workflow'; readonly text: string }
  | { readonly kind: 'comfyui-prompt'; readonly text: string }

/**
 * Our graph if the PNG carries one; failing that, ComfyUI's `workflow` chunk (editor layout), or its `prompt`
 * chunk (API format), as text for the ComfyUI importer. Undefined when the PNG carries no graph at all.
 */
export function extractGraphFromPng(png: Uint8Array, source = 'PNG'): PngGraph | undefined {
  const texts = readPngTextChunks(png)
  const ours = texts.get(GRAPH_KEYWORD)
  if (ours !== undefined) return { kind: 'graph', graph: parseGraphFile(ours, `${source} (${GRAPH_KEYWORD} chunk)`), text: ours }
  const workflow = texts.get('workflow')
  if (workflow !== undefined) return { kind: 'comfyui-workflow', text: workflow }
  const prompt = texts.get('prompt')
  if (prompt !== undefined) return { kind: 'comfyui-prompt', text: prompt }
  return undefined
}
