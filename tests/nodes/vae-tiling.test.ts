import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { addNodes, decodeModel, encodeModel, makeNode } from '../../src/models/onnx/index.js'
import { rgbDifference } from '../helpers/arrays.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

// The tiny twin with an Identity between each GroupNorm's Reshape and InstanceNormalization: the same decoder, but not
// in the form torch exports, which the statistics rewrite looks for.
const unusual = join(mkdtempSync(join(tmpdir(), 'hypersd-vae-unusual-')), 'tiny-sd15')
cpSync(join(ROOT, 'public', 'models', 'tiny-sd15'), unusual, { recursive: true })
const decoderPath = join(unusual, 'vae_decoder', 'model.onnx')
const decoderModel = decodeModel(readFileSync(decoderPath))
const decoderGraph = decoderModel.graph!
for (const norm of decoderGraph.node.filter((n) => n.opType === 'InstanceNormalization')) {
  const reshaped = norm.input[0]!
  norm.input[0] = `${reshaped}/identity`
  addNodes(decoderGraph, [makeNode({ opType: 'Identity', name: `${norm.name}/Identity`, input: [reshaped], output: [`${reshaped}/identity`] })], norm)
}
writeFileSync(decoderPath, encodeModel(decoderModel))

const host = createTestHost()
const unusualHost = createTestHost(new Map([['tiny-sd15', unusual]]))
afterAll(async () => Promise.all([host.dispose(), unusualHost.dispose()]))
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
    // The VAE's GroupNorms see one tile at a time, so tiles cannot match exactly; measured: mean 0.69, max 6.
    expect(d.mean).toBeGreaterThan(0)
    expect(d.mean).toBeLessThan(1.5)
    expect(d.max).toBeLessThan(12)
  })

  it('with tile_norm synced, tiles share the whole image\'s GroupNorm statistics and come far closer to the whole decode', async () => {
    const whole = await decode(['5.tiling=off'])
    const perTile = rgbDifference(whole.images[0]!, (await decode(['5.tiling=on', '5.tile_size=256', '5.tile_overlap=64'])).images[0]!)
    const synced = rgbDifference(whole.images[0]!, (await decode(['5.tiling=on', '5.tile_norm=synced', '5.tile_size=256', '5.tile_overlap=64'])).images[0]!)
    // Measured: mean 0.026 and at most 2 of 255, against 0.685 and 6 per tile.
    expect(synced.mean).toBeLessThan(0.1)
    expect(synced.max).toBeLessThanOrEqual(3)
    expect(synced.mean).toBeLessThan(perTile.mean / 5)
    // One tile covering the image: its own statistics are the image's, so it is the whole decode to float rounding.
    const single = rgbDifference(whole.images[0]!, (await decode(['5.tiling=on', '5.tile_norm=synced', '5.tile_size=512'])).images[0]!)
    expect(single.max).toBeLessThanOrEqual(1)
  })

  it('falls back to per-tile statistics, and says why, for a decoder the rewrite cannot take', async () => {
    const warnings: string[] = []
    const overrides = ['3.width=512', '3.height=512', '4.steps=1', '5.tiling=on', '5.tile_size=256', '5.tile_overlap=64']
    const run = async (extra: string[]) =>
      (await unusualHost.engine.run(withOverrides(graph, [...overrides, ...extra]), { onEvent: (e) => void (e.type === 'node-warning' && warnings.push(e.message)) })).outputs.get('5')!.image as ImageBatch
    const perTile = await run([])
    const fallback = await run(['5.tile_norm=synced'])
    expect(warnings).toEqual(['tile_norm synced: the VAE decoder cannot share statistics between tiles (InstanceNormalization "/decoder/mid_block/resnets.0/norm1/InstanceNormalization" does not follow a Reshape (not a GroupNorm as torch exports it)); its tiles use their own'])
    expect(rgbDifference(perTile.images[0]!, fallback.images[0]!).max).toBe(0)
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
