// Latents resized as ComfyUI's Upscale Latent resizes them, checked against torch (tests/fixtures/latent-upscale,
// written by scripts/fixtures/latent-upscale.py with torch 1.13).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { centreCropBox } from '../../src/imaging/crop.js'
import { upscalePlanes, type Dims4, type LatentResizeMethod, type Planes } from '../../src/imaging/latent-resize.js'

interface Fixture {
  readonly inputs: Readonly<Record<string, { dims: Dims4; values: number[] }>>
  readonly cases: readonly { input: string; width: number; height: number; method: LatentResizeMethod; crop: 'disabled' | 'center'; dims: Dims4; values: number[] }[]
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/latent-upscale/cases.json', import.meta.url), 'utf8')) as Fixture
const planes = (name: string): Planes => ({ data: Float32Array.from(fixture.inputs[name]!.values), dims: fixture.inputs[name]!.dims })

describe('latent resizing (ComfyUI common_upscale)', () => {
  it('has a torch reference for every method, with and without the centred crop', () => {
    expect(new Set(fixture.cases.map((c) => c.method))).toEqual(new Set(['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp']))
    expect(fixture.cases.some((c) => c.crop === 'center')).toBe(true)
    expect(fixture.cases.length).toBe(35)
  })

  for (const c of fixture.cases) {
    it(`${c.method}, ${c.input} to ${c.width}x${c.height}, crop ${c.crop}: as torch computes it`, () => {
      const out = upscalePlanes(planes(c.input), c.width, c.height, c.method, c.crop)
      expect(out.dims).toEqual(c.dims)
      let worst = 0
      for (let i = 0; i < c.values.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - c.values[i]!))
      // float32 rounding differs by operation order (and torch runs bislerp's acos and sin in float32, where the
      // difference grows where two vectors are nearly parallel); a wrong tap or neighbour is off by 0.01 or more.
      expect(worst).toBeLessThan(c.method === 'bislerp' ? 1e-5 : 2e-6)
    })
  }

  it("crops as common_upscale does, Python's round taking halves to even", () => {
    // (7 - 7 * (1 / 1.4)) / 2 = 1: one column off each side.
    expect(centreCropBox(7, 5, 9, 9)).toEqual({ x: 1, y: 0, width: 5, height: 5 })
    // (5 - 5 * ((7/5) / (16/6))) / 2 = 1.1875 -> 1 row off each side.
    expect(centreCropBox(7, 5, 16, 6)).toEqual({ x: 0, y: 1, width: 7, height: 3 })
    // (101 - 101 * (50/101)) / 2 = 25.5: halves to even, 26 off each side (a floor would cut 25).
    expect(centreCropBox(101, 50, 50, 50)).toEqual({ x: 26, y: 0, width: 49, height: 50 })
    expect(centreCropBox(8, 8, 16, 16)).toEqual({ x: 0, y: 0, width: 8, height: 8 })
  })

  it('leaves a latent of the asked size as it is', () => {
    const input = planes('small')
    expect(upscalePlanes(input, 7, 5, 'bicubic', 'center')).toBe(input)
  })
})
