// Input image files for the CLI: PNG and JPEG by content, JPEGs turned upright by their EXIF orientation.
import jpeg from 'jpeg-js'
import { describe, expect, it } from 'vitest'
import { encodePng } from '../../src/graph/png.js'
import { jpegOrientation } from '../../src/imaging/exif-orientation.js'
import { decodeImageFile } from '../../src/imaging/image-file.js'

/** 16 x 8: red rises left to right, green top to bottom. */
function gradient(): Uint8Array {
  const data = new Uint8Array(16 * 8 * 4)
  for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) data.set([x * 16, y * 32, 128, 255], (y * 16 + x) * 4)
  return data
}

/** A JPEG with an APP1 EXIF segment holding just the orientation tag, right after SOI. */
function withOrientation(jpegBytes: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0]
  const body = [...'Exif'].map((c) => c.charCodeAt(0)).concat([0, 0], tiff)
  const segment = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]
  return Uint8Array.from([...jpegBytes.subarray(0, 2), ...segment, ...jpegBytes.subarray(2)])
}

describe('image files', () => {
  const stored = jpeg.encode({ width: 16, height: 8, data: gradient() }, 100).data

  it('decodes a JPEG to RGBA within JPEG\'s rounding', () => {
    const image = decodeImageFile(stored)
    expect([image.width, image.height]).toEqual([16, 8])
    const source = gradient()
    let worst = 0
    for (let i = 0; i < source.length; i++) if (i % 4 !== 3) worst = Math.max(worst, Math.abs(image.data[i]! - source[i]!))
    expect(worst).toBeLessThan(12)
  })

  it('turns a JPEG upright by its EXIF orientation (6: stored turned anticlockwise)', () => {
    const rotated = withOrientation(stored, 6)
    expect(jpegOrientation(rotated)).toBe(6)
    expect(jpegOrientation(stored)).toBe(1)
    const image = decodeImageFile(rotated)
    expect([image.width, image.height]).toEqual([8, 16])
    const plain = decodeImageFile(stored)
    // Turned clockwise: the upright top-left pixel is the stored bottom-left one, the top-right the stored top-left.
    const at = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3))
    expect(at(image, 0, 0)).toEqual(at(plain, 0, 7))
    expect(at(image, 7, 0)).toEqual(at(plain, 0, 0))
    expect(at(image, 7, 15)).toEqual(at(plain, 15, 0))
  })

  it('reads PNGs, and refuses other formats by name', () => {
    const png = decodeImageFile(encodePng(gradient(), 16, 8))
    expect(Array.from(png.data)).toEqual(Array.from(gradient()))
    expect(() => decodeImageFile(new TextEncoder().encode('GIF89a....'))).toThrow('not a PNG or JPEG image')
    expect(() => decodeImageFile(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 2]))).toThrow(/unreadable JPEG/)
  })
})
