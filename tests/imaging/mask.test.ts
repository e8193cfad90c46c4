// Masks from image channels, and the latent-size mask diffusers' inpainting pipeline makes of them.
import { describe, expect, it } from 'vitest'
import { channelMask, fitMask, invertMask, latentMask } from '../../src/imaging/mask.js'

const rgba = (width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]) => {
  const data = new Uint8ClampedArray(width * height * 4)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4)
  return { width, height, data }
}

describe('masks', () => {
  it('reads alpha inverted and colour channels as they are, as ComfyUI does', () => {
    const image = rgba(2, 1, (x) => (x === 0 ? [255, 0, 51, 0] : [0, 255, 0, 255]))
    expect(Array.from(channelMask(image, 'alpha').data)).toEqual([1, 0])
    expect(Array.from(channelMask(image, 'red').data)).toEqual([1, 0])
    expect(Array.from(channelMask(image, 'green').data)).toEqual([0, 1])
    expect(Array.from(channelMask(image, 'blue').data)).toEqual([Math.fround(0.2), 0])
    expect(Array.from(invertMask(channelMask(image, 'blue')).data)).toEqual([Math.fround(1 - Math.fround(0.2)), 1])
  })

  it('binarises at 0.5 and reads pixel (8y, 8x) for each latent cell, as torch nearest interpolation does', () => {
    const data = new Float32Array(16 * 16)
    data[0] = 0.5 // cell (0, 0): kept as 1
    data[8] = 0.49 // cell (0, 1): 0
    data[9] = 1 // not a sampled pixel
    data[8 * 16 + 8] = 0.75 // cell (1, 1)
    expect(Array.from(latentMask({ width: 16, height: 16, data }, 8))).toEqual([1, 0, 0, 1])
  })

  it('crops a mask centred when that is how VAE Encode cut the image, and resizes otherwise', () => {
    const data = new Float32Array(70 * 67)
    // Column 3 is the crop's first column ((70 - 64) / 2), row 1 its first row (floor(3 / 2)).
    data[1 * 70 + 3] = 1
    const cropped = fitMask({ width: 70, height: 67, data }, 64, 64, 8)
    expect(cropped.adjusted).toBe('cropped')
    expect(cropped.plane.data[0]).toBe(1)
    expect(cropped.plane.data.reduce((a, b) => a + b, 0)).toBe(1)
    const resized = fitMask({ width: 32, height: 32, data: new Float32Array(32 * 32).fill(1) }, 64, 64, 8)
    expect(resized.adjusted).toBe('resized')
    expect(resized.plane.data.every((v) => v === 1)).toBe(true)
    expect(fitMask({ width: 64, height: 64, data: new Float32Array(4096) }, 64, 64, 8).adjusted).toBeUndefined()
  })
})
