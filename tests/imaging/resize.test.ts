// Scale Image's resampling against the libraries it follows. The figures were computed here with Debian's
// python3-torch 1.13 (F.interpolate on the row [0, 100, 30, 200, 50], align_corners=False) and Pillow 9.4
// (Image.resize LANCZOS on an RGBA row), then rounded to 8 bits as the node stores pixels.
import { describe, expect, it } from 'vitest'
import { cropToAspect, resizeRgba, type ResizeMethod } from '../../src/imaging/resize.js'
import { targetSize } from '../../nodes/image-scale.js'

const ROW = [0, 100, 30, 200, 50]

/** A one-row RGBA image with ROW in red, and its red channel after resizing to `width`. */
function resizedRow(width: number, method: ResizeMethod): number[] {
  const data = new Uint8ClampedArray(ROW.length * 4)
  ROW.forEach((v, i) => data.set([v, 0, 0, 255], i * 4))
  const out = resizeRgba({ width: ROW.length, height: 1, data }, width, 1, method)
  return Array.from({ length: width }, (_, i) => out.data[i * 4]!)
}

const clampRound = (values: number[]) => values.map((v) => Math.min(255, Math.max(0, Math.round(v))))

describe('resizing', () => {
  it('bilinear, bicubic, nearest-exact and area compute what torch\'s interpolate does', () => {
    expect(resizedRow(8, 'bilinear')).toEqual(clampRound([0.0, 43.75, 95.625, 51.875, 83.125, 189.375, 115.625, 50.0]))
    expect(resizedRow(3, 'bilinear')).toEqual(clampRound([33.333, 30.0, 100.0]))
    expect(resizedRow(8, 'bicubic')).toEqual(clampRound([-9.283, 48.633, 100.175, 36.668, 79.4995, 197.5415, 128.199, 36.075]))
    expect(resizedRow(3, 'bicubic')).toEqual(clampRound([35.370, 30.0, 106.667]))
    expect(resizedRow(8, 'nearest-exact')).toEqual([0, 0, 100, 30, 30, 200, 50, 50])
    expect(resizedRow(3, 'nearest-exact')).toEqual([0, 30, 50])
    expect(resizedRow(3, 'area')).toEqual([50, 110, 125])
    expect(resizedRow(8, 'area')).toEqual([0, 50, 100, 65, 115, 200, 125, 50])
  })

  it('lanczos computes what Pillow does, antialiased when shrinking', () => {
    expect(resizedRow(8, 'lanczos')).toEqual([0, 47, 99, 34, 78, 199, 124, 29])
    expect(resizedRow(3, 'lanczos')).toEqual([33, 97, 115])
  })

  it('works in both directions at once, and keeps a flat image flat with every method', () => {
    const flat = { width: 6, height: 4, data: new Uint8ClampedArray(6 * 4 * 4).fill(77) }
    for (const method of ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] as const) {
      const out = resizeRgba(flat, 9, 2, method)
      expect([out.width, out.height]).toEqual([9, 2])
      expect(new Set(out.data)).toEqual(new Set([77]))
    }
  })

  it('crops to the target aspect ratio, centred, and sizes a 0 side from the aspect ratio', () => {
    const data = new Uint8ClampedArray(8 * 4 * 4)
    for (let x = 0; x < 8; x++) for (let y = 0; y < 4; y++) data[(y * 8 + x) * 4] = x
    const square = cropToAspect({ width: 8, height: 4, data }, 64, 64)
    expect([square.width, square.height]).toEqual([4, 4])
    expect(Array.from({ length: 4 }, (_, x) => square.data[x * 4])).toEqual([2, 3, 4, 5])
    // ComfyUI's margin: round((101 - 50) / 2) = round(25.5) = 26 off each side (halves to even), 49 columns kept.
    const odd = cropToAspect({ width: 101, height: 50, data: new Uint8ClampedArray(101 * 50 * 4) }, 64, 64)
    expect([odd.width, odd.height]).toEqual([49, 50])
    expect(targetSize(0, 256, { width: 1024, height: 768 })).toEqual({ width: 341, height: 256 })
    expect(targetSize(512, 0, { width: 1024, height: 768 })).toEqual({ width: 512, height: 384 })
    expect(targetSize(0, 0, { width: 10, height: 7 })).toEqual({ width: 10, height: 7 })
  })
})
