// PNG chunk layer: signature, chunk walking with CRC checks, chunk building. No DOM; works on Uint8Array.

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export class PngError extends Error {
  override readonly name = 'PngError'
}

export interface PngChunk {
  /** Position in the file, IHDR being chunk 0. */
  readonly index: number
  readonly type: string
  readonly data: Uint8Array
  /** Byte offset of the chunk's length field. */
  readonly offset: number
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (ISO 3309) over several byte ranges, as PNG computes it over type + data. */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff
  for (const bytes of parts) {
    for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  }
  return (c ^ 0xffffffff) >>> 0
}

/** All chunks up to IEND; any CRC mismatch throws. */
export function readChunks(png: Uint8Array): PngChunk[] {
  return walkChunks(png, (chunk) => {
    throw new PngError(`chunk ${chunk.index} (${chunk.type}) CRC mismatch`)
  })
}

/**
 * All chunks up to IEND, handing the ones whose CRC does not match to `onCrcMismatch` (which may throw) instead of
 * the result, so a reader that needs only some chunks can skip a damaged one it does not read.
 */
export function walkChunks(png: Uint8Array, onCrcMismatch: (chunk: PngChunk) => void): PngChunk[] {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new PngError('not a PNG (bad signature)')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const chunks: PngChunk[] = []
  let offset = 8
  for (let index = 0; ; index++) {
    if (offset + 8 > png.length) throw new PngError(`truncated PNG: chunk ${index} header cut off at byte ${offset} (no IEND)`)
    const length = view.getUint32(offset)
    const typeBytes = png.subarray(offset + 4, offset + 8)
    const type = String.fromCharCode(...typeBytes)
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError(`chunk ${index} at byte ${offset} has an invalid type (corrupt PNG)`)
    if (length > 0x7fffffff || offset + 12 + length > png.length) {
      throw new PngError(`truncated PNG: chunk ${index} (${type}) needs ${length + 12} bytes, ${png.length - offset} left`)
    }
    const data = png.subarray(offset + 8, offset + 8 + length)
    const stored = view.getUint32(offset + 8 + length)
    const crcMatches = crc32(typeBytes, data) === stored
    if (!crcMatches) onCrcMismatch({ index, type, data, offset })
    if (index === 0 && type !== 'IHDR') throw new PngError(`chunk 0 is ${type}, expected IHDR (corrupt PNG)`)
    if (crcMatches) chunks.push({ index, type, data, offset })
    offset += 12 + length
    if (type === 'IEND') return chunks
  }
}

export function buildChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8), data))
  return out
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Reassembles a PNG from chunks (signature + each chunk rebuilt with its CRC). */
export function assemblePng(chunks: readonly { type: string; data: Uint8Array }[]): Uint8Array {
  return concatBytes([PNG_SIGNATURE, ...chunks.map((c) => buildChunk(c.type, c.data))])
}
