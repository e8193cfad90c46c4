import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { zlibSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { assemblePng, buildChunk, readChunks } from '../../src/graph/png-chunks.js'
import {
  GRAPH_KEYWORD, PngError, crc32, decodePng, embedGraphInPng, encodePng, extractGraphFromPng, readPngTextChunks,
} from '../../src/graph/png.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/png/${name}`, import.meta.url)))
const graphText = serializeGraphFile(parseGraphFile(readFileSync(new URL('./fixtures/hyper-sd-graph.json', import.meta.url), 'utf8')))

const W = 13
const H = 7
/** The formula make.py used for the Pillow fixtures. */
function expectedPixel(x: number, y: number): [number, number, number, number] {
  return [(x * 37 + y * 11) % 256, (x * y) % 256, (((255 - x * 5) % 256) + 256) % 256, (x + y * 7) % 256]
}
function expectedRgba(opaque: boolean): Uint8ClampedArray {
  const out = new Uint8ClampedArray(W * H * 4)
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = expectedPixel(x, y)
      out.set(opaque ? [p[0], p[1], p[2], 255] : p, (y * W + x) * 4)
    }
  }
  return out
}

function errorMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(PngError)
    return (error as Error).message
  }
  throw new Error('expected a PngError')
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082)
  })
})

describe('decodePng (Pillow-written files)', () => {
  it('decodes RGBA with adaptive filters', () => {
    const img = decodePng(fixture('pillow-rgba.png'))
    expect([img.width, img.height, img.channels]).toEqual([W, H, 4])
    expect(img.data).toEqual(expectedRgba(false))
  })

  it('undoes all five row filters (a hand-filtered file using each in turn)', () => {
    expect(decodePng(fixture('all-filters.png')).data).toEqual(expectedRgba(false))
  })

  it('decodes RGB, grey and grey+alpha to RGBA', () => {
    expect(decodePng(fixture('pillow-rgb.png')).data).toEqual(expectedRgba(true))
    const grey = (JSON.parse(readFileSync(new URL('./fixtures/png/expected-grey.json', import.meta.url), 'utf8')) as { grey: number[] }).grey
    const g = decodePng(fixture('pillow-grey.png'))
    expect(g.channels).toBe(1)
    expect(Array.from({ length: W * H }, (_, i) => g.data[i * 4])).toEqual(grey)
    expect(Array.from({ length: W * H }, (_, i) => g.data[i * 4 + 3])).toEqual(grey.map(() => 255))
    const ga = decodePng(fixture('pillow-grey-alpha.png'))
    expect(ga.channels).toBe(2)
    expect(Array.from({ length: W * H }, (_, i) => ga.data[i * 4 + 1])).toEqual(grey)
    expect(Array.from({ length: W * H }, (_, i) => ga.data[i * 4 + 3])).toEqual(Array.from({ length: W * H }, (_, i) => ((i % W) + Math.floor(i / W) * 7) % 256))
  })

  it('refuses palette images with a clear message', () => {
    expect(errorMessage(() => decodePng(fixture('pillow-palette.png')))).toBe(
      'unsupported PNG colour type 3 (palette); only 8-bit grey, grey+alpha, RGB and RGBA are read',
    )
  })

  it('refuses 16-bit and interlaced images', () => {
    const chunks = readChunks(fixture('pillow-rgb.png'))
    const withIhdr = (patch: (ihdr: Uint8Array) => void): Uint8Array => {
      const ihdr = new Uint8Array(chunks[0]!.data)
      patch(ihdr)
      return assemblePng(chunks.map((c) => (c.type === 'IHDR' ? { type: 'IHDR', data: ihdr } : c)))
    }
    expect(errorMessage(() => decodePng(withIhdr((d) => (d[8] = 16))))).toContain('unsupported PNG bit depth 16')
    expect(errorMessage(() => decodePng(withIhdr((d) => (d[12] = 1))))).toBe('unsupported interlaced (Adam7) PNG')
  })
})

describe('readPngTextChunks', () => {
  it('reads tEXt, zTXt and compressed and uncompressed iTXt as Pillow writes them', () => {
    const texts = readPngTextChunks(fixture('pillow-rgba.png'))
    expect(texts.get('parameters')).toBe('a cat, Steps: 4')
    expect(texts.get('workflow')).toBe('{"nodes": [], "links": []}')
    expect(texts.get('prompt')).toBe('un chat ✓ — ünïcode')
    expect(texts.get('Comment')).toBe('plain iTXt ✓')
    const types = readChunks(fixture('pillow-rgba.png')).map((c) => c.type)
    expect(types).toEqual(expect.arrayContaining(['tEXt', 'zTXt', 'iTXt']))
  })

  it('reads Latin-1 tEXt and zTXt bytes as Latin-1', () => {
    const latin1 = new Uint8Array([...new TextEncoder().encode('k'), 0, 0x63, 0x61, 0x66, 0xe9]) // "café" in Latin-1
    const z = new Uint8Array([...new TextEncoder().encode('z'), 0, 0, ...zlibSync(new Uint8Array([0xfc, 0x62, 0x65, 0x72]))])
    const png = encodePng(new Uint8Array([1, 2, 3, 255]), 1, 1)
    const chunks = readChunks(png)
    const withText = assemblePng([chunks[0]!, { type: 'tEXt', data: latin1 }, { type: 'zTXt', data: z }, ...chunks.slice(1)])
    const texts = readPngTextChunks(withText)
    expect(texts.get('k')).toBe('café')
    expect(texts.get('z')).toBe('über')
  })

  it('reports corrupt compressed text with the chunk', () => {
    const png = encodePng(new Uint8Array([1, 2, 3, 255]), 1, 1)
    const chunks = readChunks(png)
    const bad = new Uint8Array([0x7a, 0, 0, 1, 2, 3, 4])
    const broken = assemblePng([chunks[0]!, { type: 'zTXt', data: bad }, ...chunks.slice(1)])
    expect(errorMessage(() => readPngTextChunks(broken))).toMatch(/^chunk 1 \(zTXt\) "z": corrupt compressed text/)
  })
})

describe('embedGraphInPng / extractGraphFromPng', () => {
  const image = encodePng(expectedRgba(false), W, H)

  it('round-trips the graph through an iTXt chunk placed before IEND', () => {
    const png = embedGraphInPng(image, graphText, { parameters: 'a photo of a cat, seed 42' })
    const chunks = readChunks(png)
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'iTXt', 'tEXt', 'IEND'])
    const found = extractGraphFromPng(png)
    expect(found?.kind).toBe('graph')
    expect(found?.text).toBe(graphText)
    expect(found?.kind === 'graph' && found.graph).toEqual(parseGraphFile(graphText))
    expect(readPngTextChunks(png).get('parameters')).toBe('a photo of a cat, seed 42')
    // the pixels are untouched
    expect(decodePng(png).data).toEqual(decodePng(image).data)
  })

  it('replaces an embedded graph instead of adding a second one', () => {
    const once = embedGraphInPng(image, graphText)
    const twice = embedGraphInPng(once, graphText.replace('a photo of a cat', 'a dog'))
    expect(readChunks(twice).filter((c) => c.type === 'iTXt')).toHaveLength(1)
    expect(readPngTextChunks(twice).get(GRAPH_KEYWORD)).toContain('a dog')
  })

  it('embeds without decoding unrelated text chunks, and replaces compressed ones of the same keyword', () => {
    const chunks = readChunks(image)
    const junk = new Uint8Array([...new TextEncoder().encode('other'), 0, 0, 9, 9, 9]) // zTXt whose deflate stream is junk
    const old = new Uint8Array([...new TextEncoder().encode(GRAPH_KEYWORD), 0, 0, ...zlibSync(new TextEncoder().encode('{}'))])
    const input = assemblePng([chunks[0]!, { type: 'zTXt', data: junk }, { type: 'zTXt', data: old }, ...chunks.slice(1)])
    const png = embedGraphInPng(input, graphText)
    expect(readChunks(png).map((c) => c.type)).toEqual(['IHDR', 'zTXt', 'IDAT', 'iTXt', 'IEND'])
    // Reading the graph never inflates the unrelated chunk (issue 14 §6: it must not block the graph).
    expect(extractGraphFromPng(png)?.text).toBe(graphText)
    expect(() => readPngTextChunks(png)).toThrow('chunk 1 (zTXt) "other": corrupt compressed text')
  })

  it('falls back to ComfyUI workflow, then prompt, chunks', () => {
    const comfy = encodePng(expectedRgba(true), W, H, { prompt: '{"3":{}}', workflow: '{"nodes":[]}' })
    expect(extractGraphFromPng(comfy)).toEqual({ kind: 'comfyui-workflow', text: '{"nodes":[]}', warnings: [] })
    expect(extractGraphFromPng(encodePng(expectedRgba(true), W, H, { prompt: '{"3":{}}' }))).toEqual({ kind: 'comfyui-prompt', text: '{"3":{}}', warnings: [] })
    expect(extractGraphFromPng(image)).toBeUndefined()
  })

  it('reports a broken embedded graph by chunk', () => {
    const png = embedGraphInPng(image, '{"format": ')
    expect(() => extractGraphFromPng(png, 'cat.png')).toThrow('cat.png (hypersd-graph chunk): malformed JSON: unexpected end of input at line 1:12')
  })
})

describe('PNG structure errors', () => {
  const png = embedGraphInPng(encodePng(expectedRgba(false), W, H), graphText)

  it('refuses a file that is not a PNG', () => {
    expect(errorMessage(() => readPngTextChunks(new TextEncoder().encode('GIF89a......')))).toBe('not a PNG (bad signature)')
    expect(errorMessage(() => decodePng(new Uint8Array(3)))).toBe('not a PNG (bad signature)')
  })

  it('detects a CRC mismatch and names the chunk', () => {
    const chunks = readChunks(png)
    const itxt = chunks.find((c) => c.type === 'iTXt')!
    const corrupt = new Uint8Array(png)
    corrupt[itxt.offset + 8 + 20]! ^= 0x01 // flip one bit of the graph text
    expect(errorMessage(() => extractGraphFromPng(corrupt))).toBe(`chunk ${itxt.index} (iTXt) CRC mismatch`)
  })

  it('detects truncation inside a chunk and before IEND', () => {
    expect(errorMessage(() => decodePng(png.subarray(0, png.length - 20)))).toMatch(/^truncated PNG: chunk 2 \(iTXt\) needs \d+ bytes, \d+ left$/)
    expect(errorMessage(() => decodePng(png.subarray(0, png.length - 12)))).toBe(`truncated PNG: chunk 3 header cut off at byte ${png.length - 12} (no IEND)`)
  })

  it('detects an IDAT stream that decodes to too few bytes', () => {
    const chunks = readChunks(png)
    const short = assemblePng(chunks.map((c) => (c.type === 'IDAT' ? { type: 'IDAT', data: zlibSync(new Uint8Array(10)) } : c)))
    expect(errorMessage(() => decodePng(short))).toBe(`truncated image data: 10 bytes, expected ${(W * 4 + 1) * H}`)
  })
})

describe('encodePng', () => {
  it('round-trips RGBA and writes opaque images as RGB', () => {
    const rgba = expectedRgba(false)
    const decoded = decodePng(encodePng(rgba, W, H))
    expect(decoded.channels).toBe(4)
    expect(decoded.data).toEqual(rgba)
    const opaque = expectedRgba(true)
    const rgb = encodePng(opaque, W, H)
    expect(rgb[25]).toBe(2) // IHDR colour type byte: RGB
    expect(decodePng(rgb).data).toEqual(opaque)
  })

  it('is deterministic: the same pixels and text give the same bytes', () => {
    const pixels = new Uint8ClampedArray(64 * 48 * 4).map((_, i) => (i * 2654435761) >>> 24)
    const a = encodePng(pixels, 64, 48, { [GRAPH_KEYWORD]: graphText })
    const b = encodePng(new Uint8ClampedArray(pixels), 64, 48, { [GRAPH_KEYWORD]: graphText })
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const changed = new Uint8ClampedArray(pixels)
    changed[100] = (changed[100]! + 1) % 256
    expect(Buffer.from(encodePng(changed, 64, 48)).equals(Buffer.from(encodePng(pixels, 64, 48)))).toBe(false)
    expect(decodePng(a).data).toEqual(pixels)
  })

  it('writes text chunks after IHDR: tEXt for ASCII, iTXt otherwise', () => {
    const png = encodePng(new Uint8Array(4 * 4), 2, 2, { a: 'plain', b: 'ünïcode' })
    expect(readChunks(png).map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'iTXt', 'IDAT', 'IEND'])
    expect(Object.fromEntries(readPngTextChunks(png))).toEqual({ a: 'plain', b: 'ünïcode' })
  })

  it('checks its arguments', () => {
    expect(errorMessage(() => encodePng(new Uint8Array(15), 2, 2))).toBe('pixel buffer has 15 bytes, expected 16 for 2x2 RGBA')
    expect(errorMessage(() => encodePng(new Uint8Array(0), 0, 0))).toBe('invalid image size 0x0')
    expect(errorMessage(() => encodePng(new Uint8Array(4), 1, 1, { ' bad': 'x' }))).toBe('invalid PNG text keyword " bad"')
  })

  it('builds chunks whose CRC covers type and data', () => {
    const chunk = buildChunk('tEXt', new Uint8Array([1, 2, 3]))
    const crc = new DataView(chunk.buffer).getUint32(11)
    expect(crc).toBe(crc32(chunk.subarray(4, 11)))
  })
})

describe('hostile PNG bytes', () => {
  // Mutations with CRCs recomputed reach past the CRC check into the chunk parsers; whatever happens there must
  // be a PngError (or a successful read), never a RangeError or a hang.
  it('fail only with PngError when chunk contents are corrupted', () => {
    const base = readChunks(embedGraphInPng(fixture('pillow-rgba.png'), graphText))
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (which, edits, cut) => {
        const index = which % base.length
        const data = new Uint8Array(base[index]!.data)
        for (const [at, value] of edits) if (data.length > 0) data[at % data.length] = value
        const trimmed = edits.length % 2 === 0 ? data : data.subarray(0, cut % (data.length + 1))
        const png = assemblePng(base.map((c, i) => (i === index ? { type: c.type, data: trimmed } : c)))
        for (const read of [() => decodePng(png), () => readPngTextChunks(png)]) {
          try {
            read()
          } catch (error) {
            expect(error).toBeInstanceOf(PngError)
          }
        }
      }),
      { numRuns: 400, seed: 20261125 },
    )
  })
})
