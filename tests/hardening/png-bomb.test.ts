// Issue 14 §6: a PNG whose unrelated zTXt chunk inflates to 600 MB, and a damaged chunk we do not read, must
// neither cost the reader its memory nor block the graph stored after them. Both the CLI and the editor open
// files through openGraphBytes, so the CLI run below and the library calls cover both paths.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { GraphFileError } from '../../src/graph/errors.js'
import { MAX_GRAPH_BYTES } from '../../src/graph/limits.js'
import { openGraphBytes } from '../../src/graph/open.js'
import { PNG_SIGNATURE, assemblePng, buildChunk, concatBytes, readChunks } from '../../src/graph/png-chunks.js'
import { inflateCapped } from '../../src/graph/png-inflate.js'
import { GRAPH_KEYWORD, PngError, encodePng, extractGraphFromPng, textChunk } from '../../src/graph/png.js'
import { readTextChunk } from '../../src/graph/png-text.js'
import { ROOT, runCli } from '../cli/run-cli.js'

const MB = 1024 * 1024
const graphText = readFileSync(join(ROOT, 'graphs', 'hyper-sd15-1step.json'), 'utf8')

/**
 * A zlib stream of `megabytes` MB of zeros, built without ever holding them: one MB deflated with a sync flush
 * (byte-aligned, non-final blocks) repeated, then an empty final block and the Adler-32 of that many zeros.
 */
function zlibBomb(megabytes: number): Uint8Array {
  const segment = deflateRawSync(new Uint8Array(MB), { level: 9, finishFlush: constants.Z_SYNC_FLUSH })
  const total = megabytes * MB
  const adler = (((total % 65521) << 16) | 1) >>> 0
  const out = new Uint8Array(2 + segment.length * megabytes + 2 + 4)
  out.set([0x78, 0xda])
  for (let i = 0; i < megabytes; i++) out.set(segment, 2 + i * segment.length)
  const tail = 2 + segment.length * megabytes
  out.set([0x03, 0x00], tail) // fixed-Huffman final block holding only end-of-block
  new DataView(out.buffer).setUint32(tail + 2, adler)
  return out
}

function zTxt(keyword: string, compressed: Uint8Array): { type: string; data: Uint8Array } {
  const key = new TextEncoder().encode(keyword)
  const data = new Uint8Array(key.length + 2 + compressed.length)
  data.set(key)
  data.set(compressed, key.length + 2) // keyword \0, method 0
  return { type: 'zTXt', data }
}

const image = encodePng(new Uint8Array([10, 20, 30, 255]), 1, 1)
function pngWith(...extra: { type: string; data: Uint8Array }[]): Uint8Array {
  const chunks = readChunks(image)
  return assemblePng([...chunks.slice(0, -1), ...extra, chunks.at(-1)!])
}

describe('PNG decompression bomb (issue 14 §6)', () => {
  const bomb = zlibBomb(600)

  it('builds a ~600 KB chunk that really inflates past the cap (the fixture is what the issue describes)', () => {
    expect(bomb.length).toBeLessThan(800 * 1024)
    expect(() => inflateCapped(bomb, 8 * MB)).toThrow(/more than 8388608 bytes/)
    // A small bomb inflates whole, to exactly the zeros it claims (the construction is a valid zlib stream).
    const small = inflateCapped(zlibBomb(3), 8 * MB)
    expect(small.length).toBe(3 * MB)
    expect(small.every((b) => b === 0)).toBe(true)
  })

  it('never inflates an unrelated Comment bomb: the graph after it opens', () => {
    const png = pngWith(zTxt('Comment', bomb), textChunk(GRAPH_KEYWORD, graphText, true))
    const opened = openGraphBytes(png, 'bomb.png')
    expect(opened.origin).toBe('png')
    expect(opened.graph.nodes.length).toBeGreaterThan(3)
  })

  it('refuses a bomb in the graph chunk itself at the graph size limit, naming the chunk', () => {
    const png = pngWith(zTxt(GRAPH_KEYWORD, bomb))
    expect(() => openGraphBytes(png, 'bomb.png')).toThrow(
      new GraphFileError(`chunk 2 (zTXt) "${GRAPH_KEYWORD}": text is larger than ${MAX_GRAPH_BYTES / MB} MB, the graph size limit`, 'bomb.png'),
    )
    expect(() => extractGraphFromPng(png)).toThrow(PngError)
    // The cap is the graph size limit: a chunk just over a smaller cap is refused the same way.
    const chunk = readChunks(pngWith(zTxt('prompt', zlibBomb(2))))[2]!
    expect(() => readTextChunk(chunk, MB)).toThrow(/text is larger than 1 MB/)
    expect(readTextChunk(chunk, 2 * MB).text.length).toBe(2 * MB)
  })

  it('skips a corrupt unrelated zTXt and a damaged ancillary chunk before a valid graph, with a warning', () => {
    const corrupt = zTxt('Comment', new Uint8Array([0x78, 0x9c, 1, 2, 3, 4, 5]))
    const damaged = buildChunk('tEXt', new TextEncoder().encode('Author\0someone'))
    damaged[damaged.length - 1]! ^= 0xff // break its CRC
    const chunks = readChunks(image)
    const png = concatBytes([
      PNG_SIGNATURE,
      ...chunks.slice(0, -1).map((c) => buildChunk(c.type, c.data)),
      buildChunk(corrupt.type, corrupt.data),
      damaged,
      buildChunk('iTXt', textChunk(GRAPH_KEYWORD, graphText, true).data),
      buildChunk('IEND', new Uint8Array(0)),
    ])
    const found = extractGraphFromPng(png, 'mixed.png')
    expect(found?.kind).toBe('graph')
    expect(found?.warnings).toEqual(['mixed.png: skipped chunk 3 (tEXt), CRC mismatch'])
  })

  it('falls back to the next source when a graph chunk is broken, saying why', () => {
    const brokenOurs = zTxt(GRAPH_KEYWORD, new Uint8Array([0x78, 0x9c, 1, 2, 3]))
    const workflow = textChunk('workflow', '{"nodes": [], "links": []}')
    const found = extractGraphFromPng(pngWith(brokenOurs, workflow), 'x.png')
    expect(found?.kind).toBe('comfyui-workflow')
    expect(found?.warnings[0]).toMatch(/^x\.png: skipped chunk 2 \(zTXt\) "hypersd-graph": corrupt compressed text/)
    // With nothing to fall back on, the failure itself is the answer.
    expect(() => extractGraphFromPng(pngWith(brokenOurs), 'x.png')).toThrow(/corrupt compressed text/)
  })

  it('hypersd validate reads the graph behind the Comment bomb', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-bomb-'))
    const file = join(dir, 'bomb.png')
    writeFileSync(file, pngWith(zTxt('Comment', bomb), textChunk(GRAPH_KEYWORD, graphText, true)))
    const result = runCli(['validate', file])
    expect(result.stderr).not.toMatch(/Invalid string length/)
    expect(result.code).toBe(0)
  })
})
