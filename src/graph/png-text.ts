// PNG text chunks: tEXt (Latin-1), zTXt (deflated Latin-1) and iTXt (UTF-8, optionally deflated).
import { MAX_GRAPH_BYTES, formatMegabytes } from './limits.js'
import { PngError, readChunks } from './png-chunks.js'
import { InflateLimitError, inflateCapped } from './png-inflate.js'

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8')

function latin1Decode(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return out
}

function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

function checkKeyword(keyword: string): void {
  // PNG keywords: 1-79 Latin-1 printable characters, no leading, trailing or double spaces.
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || /^ | $| {2}/.test(keyword)) {
    throw new PngError(`invalid PNG text keyword ${JSON.stringify(keyword)}`)
  }
}

/** tEXt for plain ASCII text (readable by every tool), iTXt (UTF-8, uncompressed) otherwise. */
export function textChunk(keyword: string, text: string, forceInternational = false): { type: string; data: Uint8Array } {
  checkKeyword(keyword)
  const key = latin1Encode(keyword)
  if (!forceInternational && /^[\x00-\x7e]*$/.test(text) && !text.includes('\0')) {
    const data = new Uint8Array(key.length + 1 + text.length)
    data.set(key)
    data.set(latin1Encode(text), key.length + 1)
    return { type: 'tEXt', data }
  }
  const body = utf8Encoder.encode(text)
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text
  const data = new Uint8Array(key.length + 5 + body.length)
  data.set(key)
  data.set(body, key.length + 5)
  return { type: 'iTXt', data }
}

export function isTextChunk(type: string): boolean {
  return type === 'tEXt' || type === 'zTXt' || type === 'iTXt'
}

/** The keyword of a tEXt / zTXt / iTXt chunk, read without decoding its text. */
export function textChunkKeyword(chunk: { data: Uint8Array }): string {
  const nul = chunk.data.indexOf(0)
  return latin1Decode(chunk.data.subarray(0, nul < 0 ? chunk.data.length : nul))
}

/**
 * Decodes one text chunk. The text may be at most `maxBytes` (the graph size limit by default): compressed text
 * is inflated as a stream that stops at the cap, so a decompression bomb costs milliseconds, not gigabytes.
 */
export function readTextChunk(
  chunk: { index: number; type: string; data: Uint8Array },
  maxBytes = MAX_GRAPH_BYTES,
): { keyword: string; text: string } {
  const { data } = chunk
  const where = `chunk ${chunk.index} (${chunk.type})`
  const nul = data.indexOf(0)
  if (nul < 1 || nul > 79) throw new PngError(`${where}: missing or invalid keyword`)
  const keyword = latin1Decode(data.subarray(0, nul))
  const tooLarge = (): PngError => new PngError(`${where} "${keyword}": text is larger than ${formatMegabytes(maxBytes)}, the graph size limit`)
  const inflate = (bytes: Uint8Array): Uint8Array => {
    try {
      return inflateCapped(bytes, maxBytes)
    } catch (error) {
      if (error instanceof InflateLimitError) throw tooLarge()
      throw new PngError(`${where} "${keyword}": corrupt compressed text (${(error as Error).message})`)
    }
  }
  const capped = (bytes: Uint8Array): Uint8Array => {
    if (bytes.length > maxBytes) throw tooLarge()
    return bytes
  }
  if (chunk.type === 'tEXt') return { keyword, text: latin1Decode(capped(data.subarray(nul + 1))) }
  if (chunk.type === 'zTXt') {
    if (data[nul + 1] !== 0) throw new PngError(`${where} "${keyword}": unknown compression method ${data[nul + 1]}`)
    return { keyword, text: latin1Decode(inflate(data.subarray(nul + 2))) }
  }
  // iTXt: keyword \0 flag method language \0 translated-keyword \0 text
  const flag = data[nul + 1]
  const method = data[nul + 2]
  if (flag === undefined || method === undefined) throw new PngError(`${where} "${keyword}": truncated header`)
  const langEnd = data.indexOf(0, nul + 3)
  const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1)
  if (transEnd < 0) throw new PngError(`${where} "${keyword}": truncated header`)
  let body = data.subarray(transEnd + 1)
  if (flag === 1) {
    if (method !== 0) throw new PngError(`${where} "${keyword}": unknown compression method ${method}`)
    body = inflate(body)
  } else if (flag === 0) {
    body = capped(body)
  } else {
    throw new PngError(`${where} "${keyword}": invalid compression flag ${flag}`)
  }
  return { keyword, text: utf8Decoder.decode(body) }
}

/**
 * Text chunks by keyword (the first occurrence wins, as most readers do); all of them, or only those whose
 * keyword is in `keywords` (the others are never inflated). Checks signature and CRCs; a broken chunk throws.
 */
export function readPngTextChunks(png: Uint8Array, keywords?: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>()
  for (const chunk of readChunks(png)) {
    if (!isTextChunk(chunk.type)) continue
    if (keywords !== undefined && !keywords.has(textChunkKeyword(chunk))) continue
    const { keyword, text } = readTextChunk(chunk)
    if (!out.has(keyword)) out.set(keyword, text)
  }
  return out
}

