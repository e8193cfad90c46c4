// VAE Encode in tiles: the image cut into overlapping tiles, each encoded, their outputs (the posterior's parameters
// included) feathered together. Tiles differ from a whole encode (the VAE normalises per tile, and pads each tile's
// edge), less so as tiles grow; auto leaves images no larger than a tile whole.
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent } from '../../nodes/types.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { posteriorPipeline } from '../helpers/shapes-reference.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const base = shippedGraph('shapes-img2img.json')
/** The sketch scaled to 192x128 before VAE Encode: a 24x16 latent. */
const wide: GraphFile = {
  ...base,
  nodes: [
    ...base.nodes.map((n) => (n.type === 'VAEEncode' ? { ...n, inputs: { ...n.inputs, image: { from: ['20', 'image'] as [string, string] } } } : n)),
    { id: '20', type: 'ImageScale', version: 1, inputs: { image: { from: ['3', 'image'] as [string, string] }, method: 'bilinear', width: 192, height: 128, crop: 'disabled' } },
  ],
}

const host = createTestHost()
const posteriorHost = createTestHost(new Map([['hyper-shapes', posteriorPipeline()]]))
afterAll(async () => Promise.all([host.dispose(), posteriorHost.dispose()]))

const encoded = async (h: typeof host, graph: GraphFile, overrides: string[]) => (await h.engine.run(withOverrides(graph, overrides))).outputs.get('12')!.latent as Latent

function meanDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  return a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length
}

describe('VAE Encode in tiles', () => {
  it('auto encodes an image no larger than a tile whole', async () => {
    const auto = await encoded(host, base, [])
    expect(Array.from(auto.data)).toEqual(Array.from((await encoded(host, base, ['12.tiling=off'])).data))
  })

  it('comes closer to the whole encode as tiles grow, and reports progress per tile', async () => {
    const whole = await encoded(host, wide, ['12.tiling=off'])
    const progress: string[] = []
    const result = await host.engine.run(withOverrides(wide, ['12.tiling=on', '12.tile_size=128', '12.tile_overlap=32']), {
      onEvent: (event) => {
        if (event.type === 'progress' && event.nodeId === '12') progress.push(`${event.value}/${event.max}`)
      },
    })
    const large = result.outputs.get('12')!.latent as Latent
    const small = await encoded(host, wide, ['12.tiling=on', '12.tile_size=64', '12.tile_overlap=16'])
    expect(large.dims).toEqual([1, 4, 16, 24])
    // 24 cells wide in tiles of 16: two tiles, at 0 and 8.
    expect(progress).toEqual(['1/2', '2/2'])
    // Measured on the shapes VAE: 0.11 with 128 px tiles, 0.30 with 64 px ones (the latent's mean |value| is 0.87).
    expect(meanDifference(large.data, whole.data)).toBeLessThan(0.15)
    expect(meanDifference(small.data, whole.data)).toBeGreaterThan(meanDifference(large.data, whole.data))
  })

  it("blends the posterior's parameters, from an encoder that exports latent_parameters", async () => {
    const whole = await encoded(posteriorHost, wide, ['12.tiling=off'])
    const tiled = await encoded(posteriorHost, wide, ['12.tiling=on', '12.tile_size=128', '12.tile_overlap=32'])
    expect(tiled.encoded?.posterior).toBeDefined()
    expect(meanDifference(tiled.encoded!.posterior!.mean, whole.encoded!.posterior!.mean)).toBeLessThan(0.15 / 0.18215)
    expect(tiled.encoded!.posterior!.std.every((s) => s > 0)).toBe(true)
  })

  it('names the input for a bad tile size', async () => {
    await expect(encoded(host, wide, ['12.tiling=on', '12.tile_size=128', '12.tile_overlap=128'])).rejects.toThrow('input "tile_overlap": 128 px must be smaller than tile_size (128 px)')
  })
})
