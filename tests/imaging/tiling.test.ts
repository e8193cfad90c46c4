import { describe, expect, it } from 'vitest'
import { decodeTiled, encodeTiled, planTiles, tileStarts, type DecodedTile } from '../../src/imaging/tiling.js'

/** A decoder with no spatial context: each latent cell becomes a scale x scale block of colour. */
function pointwise(scale: number) {
  return async (latent: Float32Array, tile: { height: number; width: number }): Promise<DecodedTile> => {
    const height = tile.height * scale
    const width = tile.width * scale
    const data = new Float32Array(3 * height * width)
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const cell = Math.floor(y / scale) * tile.width + Math.floor(x / scale)
          data[(c * height + y) * width + x] = latent[c * tile.height * tile.width + cell]! * (c + 1) + latent[3 * tile.height * tile.width + cell]!
        }
      }
    }
    return { data, channels: 3, height, width }
  }
}

const latentOf = (h: number, w: number) => Float32Array.from({ length: 4 * h * w }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 7)

describe('tiled decoding', () => {
  it('lays tiles a stride apart with the last one flush with the edge', () => {
    expect(tileStarts(8, 8, 2)).toEqual([0])
    expect(tileStarts(5, 8, 2)).toEqual([0])
    expect(tileStarts(16, 8, 2)).toEqual([0, 6, 8])
    expect(tileStarts(20, 8, 0)).toEqual([0, 8, 12])
    expect(planTiles(16, 9, { tile: 8, overlap: 2 })).toHaveLength(3 * 2)
    expect(planTiles(4, 4, { tile: 8, overlap: 2 })).toEqual([{ y: 0, x: 0, height: 4, width: 4 }])
    expect(() => tileStarts(16, 8, 8)).toThrow('overlap must be an integer in [0, 7], got 8')
    expect(() => tileStarts(16, 0, 0)).toThrow('tile size must be a positive integer')
  })

  it('equals the whole decode exactly when the decoder has no spatial context', async () => {
    const [h, w, scale] = [13, 21, 4]
    const latent = latentOf(h, w)
    const whole = await pointwise(scale)(latent, { height: h, width: w })
    const seen: number[] = []
    const tiled = await decodeTiled(latent, { channels: 4, height: h, width: w }, { tile: 6, overlap: 2, scale }, (tileLatent, tile, index, count) => {
      seen.push(index)
      expect(count).toBe(tileStarts(h, 6, 2).length * tileStarts(w, 6, 2).length)
      return pointwise(scale)(tileLatent, tile)
    })
    expect(seen.length).toBeGreaterThan(6)
    expect([tiled.channels, tiled.height, tiled.width]).toEqual([3, h * scale, w * scale])
    for (let i = 0; i < whole.data.length; i++) expect(tiled.data[i]).toBeCloseTo(whole.data[i]!, 5)
  })

  it('feathers seams: where tiles disagree, the overlap ramps from one to the other', async () => {
    // Each tile adds its own offset (10 x its index): outside overlaps a pixel shows its own tile's offset,
    // inside an overlap a weighted mix that moves monotonically across the seam.
    const scale = 2
    const latent = new Float32Array(4 * 4 * 12)
    const out = await decodeTiled(latent, { channels: 4, height: 4, width: 12 }, { tile: 8, overlap: 4, scale }, async (_l, tile, index) => {
      const data = new Float32Array(3 * tile.height * scale * tile.width * scale).fill(10 * index)
      return { data, channels: 3, height: tile.height * scale, width: tile.width * scale }
    })
    const row = Array.from(out.data.subarray(0, out.width))
    expect(row.slice(0, 8)).toEqual(new Array(8).fill(0)) // tile 0 alone (x 0-3 latent)
    expect(row.slice(16)).toEqual(new Array(8).fill(10)) // tile 1 alone (x 8-11 latent)
    const seam = row.slice(8, 16)
    for (let i = 1; i < seam.length; i++) expect(seam[i]!).toBeGreaterThan(seam[i - 1]!)
    expect(seam[0]!).toBeGreaterThan(0)
    expect(seam[7]!).toBeLessThan(10)
  })

  it('rejects a decoder that returns the wrong size', async () => {
    const run = decodeTiled(latentOf(8, 8), { channels: 4, height: 8, width: 8 }, { tile: 4, overlap: 1, scale: 8 }, async () => ({ data: new Float32Array(3 * 16 * 16), channels: 3, height: 16, width: 16 }))
    await expect(run).rejects.toThrow('decoder turned a 4x4 latent tile into 16x16 px, expected 32x32')
  })
})

describe('tiled encoding', () => {
  /** An "encoder" that averages each 8x8 block: linear and local, so blended tiles give exactly the whole result. */
  const pool = (image: Float32Array, channels: number, height: number, width: number) => {
    const out = new Float32Array(channels * (height / 8) * (width / 8))
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[(c * (height / 8) + Math.floor(y / 8)) * (width / 8) + Math.floor(x / 8)]! += image[(c * height + y) * width + x]! / 64
    }
    return { data: out, channels, height: height / 8, width: width / 8 }
  }

  it('blends tiles of a local encoder into its whole result, visiting each tile once', async () => {
    const image = Float32Array.from({ length: 3 * 80 * 48 }, (_, i) => Math.sin(i * 0.37))
    const whole = pool(image, 3, 80, 48)
    const seen: string[] = []
    const tiled = await encodeTiled(image, { channels: 3, height: 80, width: 48 }, { tile: 4, overlap: 2, scale: 8 }, async (tile, at) => {
      seen.push(`${at.y},${at.x}`)
      return pool(tile, 3, at.height * 8, at.width * 8)
    })
    expect([tiled.height, tiled.width]).toEqual([10, 6])
    expect(seen).toEqual(['0,0', '0,2', '2,0', '2,2', '4,0', '4,2', '6,0', '6,2'])
    expect(Array.from(tiled.data).every((v, i) => Math.abs(v - whole.data[i]!) < 1e-6)).toBe(true)
  })

  it('rejects an encoder that returns the wrong size', async () => {
    const run = encodeTiled(new Float32Array(3 * 64 * 64), { channels: 3, height: 64, width: 64 }, { tile: 4, overlap: 1, scale: 8 }, async () => ({ data: new Float32Array(4 * 2 * 2), channels: 4, height: 2, width: 2 }))
    await expect(run).rejects.toThrow('encoder turned a 32x32 px tile into a 2x2 latent, expected 4x4')
  })
})
