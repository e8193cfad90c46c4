import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { rgbDifference } from '../helpers/arrays.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const host = createTestHost()
afterAll(() => host.dispose())
const graph = shippedGraph('tiny-sd15-4step.json')
// 512x512 on the tiny SD1.5 twin: the sampler's result is cached, so each call below re-runs only the decoder.
const decode = async (overrides: string[]) => {
  const result = await host.engine.run(withOverrides(graph, ['3.width=512', '3.height=512', '4.steps=1', ...overrides]))
  return result.outputs.get('5')!.image as ImageBatch
}

describe('VAE Decode tiling', () => {
  it('decodes in feathered tiles within the stated tolerance of the whole decode (mean < 1.5, max < 12 of 255)', async () => {
    const whole = await decode(['5.tiling=off'])
    const tiled = await decode(['5.tiling=on', '5.tile_size=256', '5.tile_overlap=64'])
    expect([tiled.width, tiled.height]).toEqual([512, 512])
    const d = rgbDifference(whole.images[0]!, tiled.images[0]!)
    // The VAE's GroupNorms see one tile at a time, so tiles cannot match exactly; measured: mean 0.84, max 7.
    expect(d.mean).toBeGreaterThan(0)
    expect(d.mean).toBeLessThan(1.5)
    expect(d.max).toBeLessThan(12)
  })

  it('auto tiles only images larger than tile_size', async () => {
    const whole = await decode(['5.tiling=off'])
    const autoDefault = await decode(['5.tiling=auto'])
    expect(rgbDifference(whole.images[0]!, autoDefault.images[0]!).max).toBe(0)
    const forced = await decode(['5.tiling=on', '5.tile_size=256'])
    const autoSmallTiles = await decode(['5.tiling=auto', '5.tile_size=256'])
    expect(rgbDifference(forced.images[0]!, autoSmallTiles.images[0]!).max).toBe(0)
    expect(rgbDifference(whole.images[0]!, autoSmallTiles.images[0]!).max).toBeGreaterThan(0)
  })

  it('names the input for tile settings the decoder cannot use', async () => {
    await expect(decode(['5.tiling=on', '5.tile_size=256', '5.tile_overlap=256'])).rejects.toThrow('node 5 (VAEDecode), input "tile_overlap": 256 px must be smaller than tile_size (256 px)')
    await expect(decode(['5.tiling=on', '5.tile_size=256', '5.tile_overlap=60'])).rejects.toThrow('input "tile_overlap": 60 is not a multiple of 8')
  })
})
