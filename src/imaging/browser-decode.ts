// Image files to RGBA8 in the browser, with the values the CLI reads: PNGs through our own decoder (a 2D canvas
// stores premultiplied colour, so it zeroes the colour under transparent pixels, which inpainting keeps and encodes),
// every other format through the browser's decoder, uncorrected and upright by its EXIF orientation.
import { decodePng } from '../graph/png.js'

export interface DecodedRgba {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47]

async function decodeWithBrowser(blob: Blob, name: string): Promise<DecodedRgba> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' })
  } catch {
    throw new Error(`"${name}": this browser cannot decode it as an image`)
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const context = canvas.getContext('2d', { willReadFrequently: true })
    if (!context) throw new Error('no 2D canvas here')
    context.drawImage(bitmap, 0, 0)
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height)
    return { width: pixels.width, height: pixels.height, data: pixels.data }
  } finally {
    bitmap.close()
  }
}

/** Decodes an image file's bytes; an Error names it and says what is wrong. */
export async function decodeImageBlob(blob: Blob, name: string): Promise<DecodedRgba> {
  const bytes = new Uint8Array(await blob.arrayBuffer())
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    try {
      const png = decodePng(bytes)
      return { width: png.width, height: png.height, data: png.data }
    } catch {
      // A PNG variant our decoder does not read: the browser's, with its premultiplied colour.
    }
  }
  return decodeWithBrowser(blob, name)
}
