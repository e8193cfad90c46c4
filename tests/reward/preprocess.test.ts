// CLIP preprocessing against Pillow 9.4 + transformers' CLIPImageProcessor arithmetic
// (fixtures: scripts/fixtures/reward-reference.py). Resized bytes must match exactly; normalised values to 1e-5.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLIP_PREPROCESS, clipPixelValues, resizeAndCrop, resizedSize, rgbaToRgb } from '../../src/reward/clip-preprocess.js'
import { bicubicFilter, resizeBicubic } from '../../src/reward/pil-resample.js'
import { byteSum, fnv1a, testImageRgba } from './images.js'

interface ImageFixture {
  width: number
  height: number
  resized: [number, number]
  resizedSum: number
  resizedFnv1a: number
  cropSum: number
  cropFnv1a: number
  normalizedSum: number
  samples: { chw: [number, number, number]; byte: number; value: number }[]
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reward', 'clip-preprocess.json'), 'utf8')) as {
  images: ImageFixture[]
}

/** Normalised values: float32 arithmetic in transformers vs float64-then-round here. */
const VALUE_TOLERANCE = 1e-5

describe('CLIP preprocessing vs Pillow BICUBIC + CLIPImageProcessor', () => {
  it('has the bicubic kernel of Pillow (a = -0.5)', () => {
    expect(bicubicFilter(0)).toBe(1)
    expect(bicubicFilter(1)).toBeCloseTo(0, 15)
    expect(bicubicFilter(2)).toBeCloseTo(0, 15)
    expect(bicubicFilter(0.5)).toBeCloseTo(0.5625, 12)
    expect(bicubicFilter(-1.5)).toBeCloseTo(-0.0625, 12)
  })

  for (const f of fixture.images) {
    describe(`${f.width}x${f.height}`, () => {
      const rgb = rgbaToRgb(testImageRgba(f.width, f.height), f.width, f.height)

      it('resizes the shortest side to 224 byte-exactly', () => {
        const size = resizedSize(f.width, f.height, 224)
        expect([size.width, size.height]).toEqual(f.resized)
        const resized = resizeBicubic(rgb, size.width, size.height)
        expect(byteSum(resized.data as Uint8Array)).toBe(f.resizedSum)
        expect(fnv1a(resized.data as Uint8Array)).toBe(f.resizedFnv1a)
      })

      it('centre-crops 224x224 byte-exactly', () => {
        const crop = resizeAndCrop(rgb)
        expect([crop.width, crop.height]).toEqual([224, 224])
        expect(byteSum(crop.data as Uint8Array)).toBe(f.cropSum)
        expect(fnv1a(crop.data as Uint8Array)).toBe(f.cropFnv1a)
        for (const s of f.samples) expect(crop.data[(s.chw[1] * 224 + s.chw[2]) * 3 + s.chw[0]]).toBe(s.byte)
      })

      it('normalises into NCHW float32 with CLIP mean/std', () => {
        const { data, dims } = clipPixelValues([testImageRgba(f.width, f.height)], f.width, f.height, CLIP_PREPROCESS)
        expect(dims).toEqual([1, 3, 224, 224])
        for (const s of f.samples) {
          expect(Math.abs(data[(s.chw[0] * 224 + s.chw[1]) * 224 + s.chw[2]]! - s.value)).toBeLessThan(VALUE_TOLERANCE)
        }
        let sum = 0
        for (const v of data) sum += v
        expect(Math.abs(sum - f.normalizedSum)).toBeLessThan(VALUE_TOLERANCE * data.length)
      })
    })
  }

  it('lays a batch out image after image', () => {
    const a = testImageRgba(64, 48)
    const b = new Uint8ClampedArray(a.length).fill(200)
    const batch = clipPixelValues([a, b], 64, 48)
    const single = clipPixelValues([b], 64, 48)
    expect(batch.dims).toEqual([2, 3, 224, 224])
    expect(batch.data.subarray(3 * 224 * 224)).toEqual(single.data)
    // A flat grey image stays flat: (200/255 - mean) / std in every pixel of each channel.
    expect(single.data[0]).toBeCloseTo((200 / 255 - 0.48145466) / 0.26862954, 6)
    expect(single.data[2 * 224 * 224 + 500]).toBeCloseTo((200 / 255 - 0.40821073) / 0.27577711, 6)
  })

  it('refuses buffers whose size does not match', () => {
    expect(() => rgbaToRgb(new Uint8ClampedArray(10), 2, 2)).toThrow(/expected 2x2x4/)
    expect(() => resizeBicubic({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }, 4, 4)).toThrow(/expected 2x2x3/)
  })
})
