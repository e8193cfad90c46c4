// Image files to RGBA8 where no browser decodes them (the CLI): PNG (our decoder) and JPEG (jpeg-js), by content.
import jpeg from 'jpeg-js'
import { decodePng } from '../graph/png.js'
import { applyOrientation, jpegOrientation } from './exif-orientation.js'

export interface DecodedImageFile {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray
}

/** Largest image decoded, in pixels (a 16k x 16k image is 1 GiB of RGBA). */
export const MAX_IMAGE_PIXELS = 100_000_000

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47]
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff]

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b)
}

/** Decodes PNG or JPEG bytes (JPEGs turned upright by their EXIF orientation); throws naming what is unsupported. */
export function decodeImageFile(bytes: Uint8Array): DecodedImageFile {
  if (startsWith(bytes, PNG_SIGNATURE)) {
    const png = decodePng(bytes)
    return { width: png.width, height: png.height, data: png.data }
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) {
    let decoded
    try {
      decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 2048 })
    } catch (error) {
      throw new Error(`unreadable JPEG: ${error instanceof Error ? error.message : String(error)}`)
    }
    const image = { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength) }
    return applyOrientation(image, jpegOrientation(bytes))
  }
  throw new Error('not a PNG or JPEG image (the CLI reads those two; convert others first)')
}
