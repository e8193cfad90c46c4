// The VAE decoder rewritten for tiles that share GroupNorm statistics, on real onnxruntime sessions of the bundled
// shapes VAE (trained, so its statistics vary across the image) and the tiny SD1.5 twin's in float16.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeSyncedTile, syncedDecoderFrom, type SyncedDecoder } from '../../nodes/lib/vae-tiles.js'
import { convertGraphToFloat16 } from '../../scripts/models/full/float16-graph.js'
import { decodeTiledSynced, StatisticsAccumulator, tileCores, type GroupStatistics } from '../../src/imaging/synced-tiles.js'
import { decodeTiled, planTiles } from '../../src/imaging/tiling.js'
import { rewriteGroupNorms, GroupNormSyncError, type GroupNormRewrite } from '../../src/models/group-norm-sync.js'
import { decodeModel, encodeModel } from '../../src/models/onnx/codec.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { ModelSession, ModelSource } from '../../src/runtime/types.js'
import { createWebBackend } from '../../src/runtime/web.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'
import { ROOT } from '../helpers/tiny-host.js'

const backend = createNodeBackend()
const opened: ModelSession[] = []
afterAll(async () => Promise.all(opened.map((s) => s.dispose())))

const decoderBytes = (pipeline: string) => readFileSync(join(ROOT, 'public', 'models', pipeline, 'vae_decoder', 'model.onnx'))

async function open(bytes: Uint8Array, key: string, on: { createSession(source: ModelSource): Promise<ModelSession> } = backend): Promise<ModelSession> {
  const session = await on.createSession({ key, bytes })
  opened.push(session)
  return session
}

/** The decoder's base session and its rewrites, each session opened once. */
async function decoders(pipeline: string, options: { half?: boolean; on?: { createSession(source: ModelSource): Promise<ModelSession> } } = {}) {
  const base = decodeModel(decoderBytes(pipeline))
  if (options.half) convertGraphToFloat16(base)
  const baseBytes = encodeModel(base)
  const sessions = new Map<string, Promise<ModelSession>>()
  let layers = 0
  const rewritten = (rewrite: GroupNormRewrite) => {
    const key = `${pipeline}/${rewrite.sums}/${rewrite.given}`
    if (!sessions.has(key)) {
      const model = decodeModel(baseBytes)
      layers = rewriteGroupNorms(model, rewrite)
      sessions.set(key, open(encodeModel(model), key, options.on))
    }
    return sessions.get(key)!
  }
  const decoder: SyncedDecoder = await syncedDecoderFrom(rewritten)
  return { decoder, layers, base: await open(baseBytes, `${pipeline}/base`, options.on) }
}

/** A smooth, structured latent (a trained VAE's statistics then differ from tile to tile). */
function latent(size: number, seed: number): Float32Array {
  const out = new Float32Array(4 * size * size)
  for (let c = 0; c < 4; c++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    out[(c * size + y) * size + x] = Math.sin((x + seed) * 0.37 * (c + 1)) + Math.cos(y * 0.23 * (4 - c)) + (x > size / 2 ? 0.8 : -0.3) * (c - 1.5)
  }
  return out
}

const whole = (size: number) => ({ tile: size, overlap: 0, scale: 8 })
const relativeError = (a: GroupStatistics, b: GroupStatistics) => {
  let worst = 0
  for (let g = 0; g < a.mean.length; g++) {
    worst = Math.max(worst, Math.abs(a.mean[g]! - b.mean[g]!) / Math.sqrt(b.variance[g]!), Math.abs(a.variance[g]! / b.variance[g]! - 1))
  }
  return worst
}
const wholeTile = (size: number) => ({ y: 0, x: 0, height: size, width: size })

/** One tile covering the latent: its image with its own statistics, and those statistics summed up. */
async function ownStatistics(decoder: SyncedDecoder, z: Float32Array, size: number) {
  const own = await decodeSyncedTile(decoder, { latent: z, tile: wholeTile(size), core: [0, 0, size, size], statistics: undefined, sums: true })
  const stats = new StatisticsAccumulator(decoder.groups)
  stats.add(own.sums)
  return { own, statistics: stats.result() }
}

describe('tiles with shared GroupNorm statistics', () => {
  it('finds every GroupNorm; the sums leave the decode as it was, and given its own statistics back a tile decodes the same', async () => {
    const { decoder, layers, base } = await decoders('hyper-shapes')
    expect(layers).toBe(21)
    expect(decoder.groups).toHaveLength(21)
    const z = latent(8, 1)
    const expected = (await base.run({ latent_sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: z } })).sample!.data as Float32Array
    const { own, statistics } = await ownStatistics(decoder, z, 8)
    expect(maxAbsDiff(own.decoded.data, expected)).toBe(0)
    const given = await decodeSyncedTile(decoder, { latent: z, tile: wholeTile(8), core: [0, 0, 8, 8], statistics, sums: false })
    expect(given.sums).toEqual([])
    expect(maxAbsDiff(given.decoded.data, expected)).toBeLessThan(2e-4)
  })

  it('makes one more GroupNorm exact with each statistics pass, and brings the tiles closer to the whole decode', async () => {
    const { decoder, base } = await decoders('hyper-shapes')
    const size = 24
    const z = latent(size, 2)
    const dims = { channels: 4, height: size, width: size }
    const truth = await decodeTiledSynced(z, dims, { ...whole(size), statisticsPasses: 1, groups: decoder.groups }, (r) => decodeSyncedTile(decoder, r))
    const tiled = async (passes: number) =>
      decodeTiledSynced(z, dims, { tile: 12, overlap: 6, scale: 8, statisticsPasses: passes, groups: decoder.groups }, (r) => decodeSyncedTile(decoder, r))
    // The image: one pass's shared statistics take the tiles far closer to the whole decode than their own do.
    const perTile = await decodeTiled(z, dims, { tile: 12, overlap: 6, scale: 8 }, async (l, t) => {
      const out = (await base.run({ latent_sample: { dtype: 'float32', dims: [1, 4, t.height, t.width], data: l } })).sample!
      return { data: toFloat32(out), channels: 3, height: t.height * 8, width: t.width * 8 }
    })
    const shared = (await tiled(1)).image
    const meanError = (d: Float32Array) => d.reduce((sum, v, i) => sum + Math.abs(v - truth.image.data[i]!), 0) / d.length
    expect(meanError(shared.data)).toBeLessThan(meanError(perTile.data) * 0.5)
    const errors = async (passes: number) => (await tiled(passes)).statistics.map((s, k) => relativeError(s, truth.statistics[k]!))
    const one = await errors(1)
    const two = await errors(2)
    // The first norm sees conv_in's output alone: exact after one pass; the second only once the first is given.
    expect(one[0]).toBeLessThan(1e-4)
    expect(one[1]).toBeGreaterThan(1e-2)
    expect(two[1]).toBeLessThan(1e-4)
  })

  it('rewrites a float16 decoder: float32 sums and statistics, the decode in float16', async () => {
    const { decoder, base } = await decoders('tiny-sd15', { half: true })
    const z = latent(8, 3)
    const expected = (await base.run({ latent_sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: z } })).sample!
    expect(expected.dtype).toBe('float16')
    const { own, statistics } = await ownStatistics(decoder, z, 8)
    expect(maxAbsDiff(own.decoded.data, toFloat32(expected))).toBe(0)
    expect(own.sums.every((s) => s.sum.every(Number.isFinite) && s.sumOfSquares.every(Number.isFinite) && s.count > 0)).toBe(true)
    const given = await decodeSyncedTile(decoder, { latent: z, tile: wholeTile(8), core: [0, 0, 8, 8], statistics, sums: false })
    expect(maxAbsDiff(given.decoded.data, toFloat32(expected))).toBeLessThan(2e-2)
  })

  it('runs on onnxruntime-web (WASM) as on onnxruntime-node, int64 core input included', async () => {
    const web = await createWebBackend({ preferred: 'wasm', numThreads: 1 })
    const onWeb = await decoders('hyper-shapes', { on: web })
    const onNode = await decoders('hyper-shapes')
    const z = latent(12, 4)
    const first = { latent: z, tile: wholeTile(12), core: [2, 3, 9, 12] as const, statistics: undefined, sums: true }
    const [a, b] = [await decodeSyncedTile(onNode.decoder, first), await decodeSyncedTile(onWeb.decoder, first)]
    expect((await onWeb.decoder.session({ sums: true, given: false })).backend).toBe('wasm')
    expect(maxAbsDiff(b.sums[20]!.sumOfSquares, a.sums[20]!.sumOfSquares) / maxAbs(a.sums[20]!.sumOfSquares)).toBeLessThan(1e-4)
    expect(b.sums.map((s) => s.count)).toEqual(a.sums.map((s) => s.count))
    const stats = new StatisticsAccumulator(onNode.decoder.groups)
    stats.add(a.sums)
    const given = { latent: z, tile: wholeTile(12), core: [0, 0, 12, 12] as const, statistics: stats.result(), sums: false }
    expect(maxAbsDiff((await decodeSyncedTile(onWeb.decoder, given)).decoded.data, (await decodeSyncedTile(onNode.decoder, given)).decoded.data)).toBeLessThan(1e-4)
  })

  it('gives each latent cell to exactly one tile', () => {
    for (const [size, tile, overlap] of [[24, 12, 6], [50, 16, 5], [9, 8, 7], [8, 16, 4]] as const) {
      const tiles = planTiles(size, size, { tile, overlap })
      const owners = new Uint8Array(size * size)
      tileCores(tiles, size, size).forEach(([top, left, bottom, right], i) => {
        const t = tiles[i]!
        expect(top).toBeGreaterThanOrEqual(0)
        expect(bottom).toBeLessThanOrEqual(t.height)
        for (let y = t.y + top; y < t.y + bottom; y++) for (let x = t.x + left; x < t.x + right; x++) owners[y * size + x]!++
      })
      expect(owners.every((n) => n === 1)).toBe(true)
    }
  })

  it('refuses a decoder without torch-style GroupNorms, naming what it found', () => {
    const model = decodeModel(decoderBytes('hyper-shapes'))
    model.graph!.node = model.graph!.node.filter((n) => n.opType !== 'InstanceNormalization')
    expect(() => rewriteGroupNorms(model, { sums: true, given: false })).toThrow(GroupNormSyncError)
    expect(() => rewriteGroupNorms(model, { sums: true, given: false })).toThrow('the decoder has no GroupNorm')
  })
})
