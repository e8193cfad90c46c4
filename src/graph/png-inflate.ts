// zlib inflate with an output cap: a small compressed chunk can expand to gigabytes (a decompression bomb), so
// the stream is fed in small slices and abandoned as soon as the output passes the cap.
import { Unzlib } from 'fflate'
import { concatBytes } from './png-chunks.js'

/** Compressed bytes fed per step; at deflate's best ratio (~1:1032) one step yields at most ~4 MB. */
const FEED_BYTES = 4096

export class InflateLimitError extends Error {
  override readonly name = 'InflateLimitError'
}

/**
 * Inflates a zlib stream, throwing InflateLimitError once the output would pass `maxBytes` (without producing the
 * rest), and fflate's own error for a corrupt or truncated stream.
 */
export function inflateCapped(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = []
  let total = 0
  const stream = new Unzlib((chunk) => {
    total += chunk.length
    if (total <= maxBytes) parts.push(chunk)
  })
  for (let start = 0; start < compressed.length || start === 0; start += FEED_BYTES) {
    const end = Math.min(start + FEED_BYTES, compressed.length)
    stream.push(compressed.subarray(start, end), end === compressed.length)
    if (total > maxBytes) throw new InflateLimitError(`inflates to more than ${maxBytes} bytes`)
  }
  return concatBytes(parts)
}
