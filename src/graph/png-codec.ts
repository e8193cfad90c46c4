// A small deterministic PNG encoder and a decoder for 8-bit non-interlaced images. Determinism (same pixels and
// text -> same bytes) comes from a fixed filter (Paeth on every row), a fixed zlib level and no timestamps.
import { unzlibSync, zlibSync } from 'fflate'
import { PngError, assemblePng, concatBytes, readChunks } from './png-chunks.js'
import { textChunk } from './png-text.js'

const ZLIB_LEVEL = 6
const FILTER_PAETH = 4

/**
 * Encodes RGBA8 pixels (row-major, width*height*4 bytes). Fully opaque images are written as RGB8 to save a
 * quarter of the size. Text chunks go between IHDR and IDAT (tEXt for ASCII, iTXt otherwise).
 */
export function encodePng(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  textChunks: Record<string, string> = {},
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new PngError(`invalid image size ${width}x${height}`)
  }
  if (rgba.length !== width * height * 4) {
    throw new PngError(`pixel buffer has ${rgba.length} bytes, expected ${width * height * 4} for ${width}x${height} RGBA`)
  }
  let opaque = true
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 255) {
      opaque = false
      break
    }
  }
  const channels = opaque ? 3 : 4
  const ihdr = new Uint8Array(13)
  const view = new DataView(ihdr.buffer)
  view.setUint32(0, width)
  view.setUint32(4, height)
  ihdr[8] = 8 // bit depth
  ihdr[9] = opaque ? 2 : 6 // colour type: RGB or RGBA
  // compression 0, filter method 0, interlace 0
  const raw = filterRows(packChannels(rgba, channels), width * channels, height, channels)
  const idat = zlibSync(raw, { level: ZLIB_LEVEL })
  return assemblePng([
    { type: 'IHDR', data: ihdr },
    ...Object.entries(textChunks).map(([keyword, text]) => textChunk(keyword, text)),
    { type: 'IDAT', data: idat },
    { type: 'IEND', data: new Uint8Array(0) },
  ])
}

function packChannels(rgba: Uint8ClampedArray | Uint8Array, channels: number): Uint8Array {
  if (channels === 4) return new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length)
  const out = new Uint8Array((rgba.length / 4) * 3)
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i]!
    out[j + 1] = rgba[i + 1]!
    out[j + 2] = rgba[i + 2]!
  }
  return out
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

function filterRows(pixels: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * stride
    const prev = row - stride
    const dst = y * (stride + 1)
    out[dst] = FILTER_PAETH
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pixels[row + x - bpp]! : 0
      const b = y > 0 ? pixels[prev + x]! : 0
      const c = y > 0 && x >= bpp ? pixels[prev + x - bpp]! : 0
      out[dst + 1 + x] = (pixels[row + x]! - paeth(a, b, c)) & 0xff
    }
  }
  return out
}

export interface DecodedPng {
  readonly width: number
  readonly height: number
  /** RGBA8, row-major. */
  readonly data: Uint8ClampedArray
  /** Channels stored in the file: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  readonly channels: 1 | 2 | 3 | 4
}

const CHANNELS_BY_COLOR_TYPE: Readonly<Record<number, 1 | 2 | 3 | 4>> = { 0: 1, 2: 3, 4: 2, 6: 4 }

/** Decodes 8-bit greyscale, grey+alpha, RGB and RGBA non-interlaced PNGs to RGBA8. */
export function decodePng(png: Uint8Array): DecodedPng {
  const chunks = readChunks(png)
  const ihdr = chunks[0]!.data
  if (ihdr.length !== 13) throw new PngError(`IHDR has ${ihdr.length} bytes, expected 13`)
  const view = new DataView(ihdr.buffer, ihdr.byteOffset, 13)
  const width = view.getUint32(0)
  const height = view.getUint32(4)
  const [bitDepth, colorType, compression, filterMethod, interlace] = [ihdr[8]!, ihdr[9]!, ihdr[10]!, ihdr[11]!, ihdr[12]!]
  const channels = CHANNELS_BY_COLOR_TYPE[colorType]
  if (channels === undefined) throw new PngError(`unsupported PNG colour type ${colorType}${colorType === 3 ? ' (palette)' : ''}; only 8-bit grey, grey+alpha, RGB and RGBA are read`)
  if (bitDepth !== 8) throw new PngError(`unsupported PNG bit depth ${bitDepth}; only 8-bit images are read`)
  if (interlace !== 0) throw new PngError('unsupported interlaced (Adam7) PNG')
  if (compression !== 0 || filterMethod !== 0) throw new PngError('unsupported PNG compression or filter method')
  if (width === 0 || height === 0) throw new PngError(`invalid image size ${width}x${height}`)
  if (width * height > 0x10000000) throw new PngError(`image ${width}x${height} is too large`)

  const idat = concatBytes(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data))
  if (idat.length === 0) throw new PngError('PNG has no image data (IDAT)')
  let raw: Uint8Array
  try {
    raw = unzlibSync(idat)
  } catch (error) {
    throw new PngError(`corrupt image data: ${(error as Error).message}`)
  }
  const stride = width * channels
  if (raw.length < (stride + 1) * height) throw new PngError(`truncated image data: ${raw.length} bytes, expected ${(stride + 1) * height}`)
  const pixels = unfilterRows(raw, stride, height, channels)
  return { width, height, channels, data: expandToRgba(pixels, width * height, channels) }
}

function unfilterRows(raw: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!
    const src = y * (stride + 1) + 1
    const row = y * stride
    const prev = row - stride
    // One loop per filter type: a switch inside the byte loop costs several times more.
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + stride), row)
        break
      case 1:
        for (let x = 0; x < stride; x++) out[row + x] = raw[src + x]! + (x >= bpp ? out[row + x - bpp]! : 0)
        break
      case 2:
        for (let x = 0; x < stride; x++) out[row + x] = raw[src + x]! + (y > 0 ? out[prev + x]! : 0)
        break
      case 3:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[row + x - bpp]! : 0
          const b = y > 0 ? out[prev + x]! : 0
          out[row + x] = raw[src + x]! + ((a + b) >> 1)
        }
        break
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[row + x - bpp]! : 0
          const b = y > 0 ? out[prev + x]! : 0
          const c = y > 0 && x >= bpp ? out[prev + x - bpp]! : 0
          out[row + x] = raw[src + x]! + paeth(a, b, c)
        }
        break
      default:
        throw new PngError(`row ${y} has invalid filter type ${filter}`)
    }
  }
  return out
}

function expandToRgba(pixels: Uint8Array, count: number, channels: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(count * 4)
  for (let i = 0; i < count; i++) {
    const s = i * channels
    const d = i * 4
    if (channels >= 3) {
      out[d] = pixels[s]!
      out[d + 1] = pixels[s + 1]!
      out[d + 2] = pixels[s + 2]!
      out[d + 3] = channels === 4 ? pixels[s + 3]! : 255
    } else {
      out[d] = out[d + 1] = out[d + 2] = pixels[s]!
      out[d + 3] = channels === 2 ? pixels[s + 1]! : 255
    }
  }
  return out
}
