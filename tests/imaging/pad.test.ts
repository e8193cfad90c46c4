// Pad Image for Outpainting's image and mask, against ComfyUI's loops written out for small sizes.
import { describe, expect, it } from 'vitest'
import { outpaintMask, padImage } from '../../src/imaging/pad.js'

describe('padding for outpainting', () => {
  it('puts the image inside a grey border (0.5 as 8 bits: 128)', () => {
    const image = { width: 2, height: 1, data: new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 255]) }
    const padded = padImage(image, { left: 1, top: 1, right: 0, bottom: 0 })
    expect([padded.width, padded.height]).toEqual([3, 2])
    expect(Array.from(padded.data)).toEqual([128, 128, 128, 255, 128, 128, 128, 255, 128, 128, 128, 255, 128, 128, 128, 255, 10, 20, 30, 255, 40, 50, 60, 255])
  })

  it('masks the border and feathers the padded edges with a squared ramp', () => {
    // A 10x10 image padded on the right by 2, feathering 4: column j of the image is d = 10 - j from the right edge.
    const mask = outpaintMask(10, 10, { left: 0, top: 0, right: 2, bottom: 0 }, 4)
    expect([mask.width, mask.height]).toEqual([12, 10])
    const row = Array.from(mask.data.slice(5 * 12, 6 * 12))
    const ramp = (d: number) => Math.fround(((4 - d) / 4) ** 2)
    expect(row).toEqual([0, 0, 0, 0, 0, 0, 0, ramp(3), ramp(2), ramp(1), 1, 1])
  })

  it('skips feathering unless it is under half of both sides, as ComfyUI does', () => {
    const mask = outpaintMask(10, 10, { left: 0, top: 3, right: 0, bottom: 0 }, 5)
    expect(Array.from(mask.data.slice(0, 30)).every((v) => v === 1)).toBe(true)
    expect(Array.from(mask.data.slice(30)).every((v) => v === 0)).toBe(true)
  })
})
