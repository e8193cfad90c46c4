// Masks from image channels, and the latent-size mask diffusers' inpainting pipeline makes of them.
import { describe, expect, it } from 'vitest'
import { channelMask, fitMask, growMask, growMaskBox, invertMask, latentMask } from '../../src/imaging/mask.js'

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

  const dot = (size: number, x: number, y: number) => {
    const data = new Float32Array(size * size)
    data[y * size + x] = 1
    return { width: size, height: size, data }
  }
  const ones = (plane: { data: Float32Array }) => plane.data.reduce((a, b) => a + b, 0)

  it("grows as ComfyUI's GrowMask: a cross per pass when tapered, a square otherwise, and shrinks when negative", () => {
    expect(ones(growMask(dot(7, 3, 3), 1, true))).toBe(5)
    expect(ones(growMask(dot(7, 3, 3), 1, false))).toBe(9)
    // Two tapered passes: a diamond of 13.
    expect(ones(growMask(dot(7, 3, 3), 2, true))).toBe(13)
    expect(ones(growMask(growMask(dot(7, 3, 3), 1, false), -1, false))).toBe(1)
    // At the border the edge pixel stands for what lies beyond (scipy's reflected border): a corner dot grows to 3.
    expect(ones(growMask(dot(7, 0, 0), 1, true))).toBe(3)
    expect(ones(growMask(dot(7, 3, 3), 0, true))).toBe(1)
  })

  it("grows as ComfyUI's VAEEncodeForInpaint: a box of ones, reaching one pixel further up and left when even", () => {
    const grown = growMaskBox(dot(12, 5, 5), 6)
    // Padding ceil(5 / 2) = 3: output (x, y) sees inputs x - 3 .. x + 2, so the dot reaches 3..8.
    const rows = [...Array(12).keys()].filter((y) => grown.data[y * 12 + 5] === 1)
    expect(rows).toEqual([3, 4, 5, 6, 7, 8])
    expect(ones(grown)).toBe(36)
    expect(ones(growMaskBox(dot(12, 5, 5), 3))).toBe(9)
    // Rounded first, half to even: 0.5 is not masked.
    expect(ones(growMaskBox({ width: 2, height: 1, data: Float32Array.of(0.5, 0) }, 2))).toBe(0)
    expect(growMaskBox(dot(4, 1, 1), 0).data[5]).toBe(1)
  })
})
