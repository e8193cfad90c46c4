// VAE decoding: latent -> RGB images, whole or in feathered tiles for large images.
import { combo, InputError, int, output, socket, type NodeContext } from '../src/engine/index.js'
import { latentTiling, TILING_MODES, usesTiles, VAE_SCALE, WHEN_TILING } from './lib/vae-tiling.js'
import { decodedToRgba } from '../src/imaging/decoded-image.js'
import { decodeTiledSynced } from '../src/imaging/synced-tiles.js'
import { decodeTiled, type DecodedTile } from '../src/imaging/tiling.js'
import { GroupNormSyncError } from '../src/models/group-norm-sync.js'
import { defineHostNode } from './define.js'
import { float32, runModel, sessionFor } from './lib/run-model.js'
import { decodeSyncedTile, syncedDecoder, type SyncedDecoder } from './lib/vae-tiles.js'
import type { NodeServices } from './services.js'
import type { VaeModel } from './types.js'

export { VAE_SCALE } from './lib/vae-tiling.js'
const TILE_NORMS = ['per-tile', 'synced'] as const
/**
 * Passes that gather the shared statistics before the decoding pass. One: more make the next GroupNorms exact one
 * at a time but, measured on the shapes VAE, take the later ones further off (README, "Tiled VAE decoding").
 */
const STATISTICS_PASSES = 1

async function decodeWhole(ctx: NodeContext<NodeServices>, vae: VaeModel, latent: Float32Array, h: number, w: number): Promise<DecodedTile> {
  const out = await runModel(ctx, vae.decoder, { latent_sample: { dtype: 'float32', dims: [1, 4, h, w], data: latent } })
  const sample = out.sample
  const data = float32('sample', sample)
  const [, channels = 0, height = 0, width = 0] = sample!.dims
  return { data, channels, height, width }
}

/** The decoder rewritten to share GroupNorm statistics; false (with a warning) when its GroupNorms are not in torch's exported form. */
async function syncedDecoderOrWarn(ctx: NodeContext<NodeServices>, vae: VaeModel): Promise<SyncedDecoder | false> {
  try {
    return await syncedDecoder(ctx, vae.decoder)
  } catch (error) {
    if (!(error instanceof GroupNormSyncError)) throw error
    ctx.warn(`tile_norm synced: the VAE decoder cannot share statistics between tiles (${error.message}); its tiles use their own`)
    return false
  }
}

export const vaeDecode = defineHostNode({
  type: 'VAEDecode',
  version: 1,
  displayName: 'VAE Decode',
  category: 'latent',
  description:
    "Decodes latents into images with the pipeline's VAE decoder (latents are divided by its scaling factor first). Large images are decoded in overlapping tiles blended together, so a 1024x1024 decode fits in the browser's memory.",
  inputs: {
    vae: socket('VAE'),
    latent: socket('LATENT'),
    tiling: combo(TILING_MODES, {
      default: 'auto',
      description: 'auto: tile when the image is larger than tile_size on either side. Tiles differ slightly from a whole decode (the VAE normalises per tile; see tile_norm).',
    }),
    tile_norm: combo(TILE_NORMS, {
      default: 'per-tile',
      description:
        "per-tile: each tile's GroupNorms use the tile's own statistics, as diffusers' tiled decode does. synced: all tiles use the whole image's, gathered in a first pass over the tiles (about twice the decode time); closer to a whole decode, and tiles agree at their seams.",
      advanced: true,
      activeWhen: WHEN_TILING,
    }),
    tile_size: int({ default: 512, min: 64, max: 4096, step: 64, multipleOf: VAE_SCALE, description: 'Tile edge in pixels.', advanced: true, activeWhen: WHEN_TILING }),
    tile_overlap: int({ default: 128, min: 0, max: 1024, step: 8, multipleOf: VAE_SCALE, description: 'Pixels shared by neighbouring tiles, blended linearly.', advanced: true, activeWhen: WHEN_TILING }),
  },
  warmUp: {
    inputs: ['vae'],
    async load({ vae }, ctx) {
      await sessionFor(ctx, vae.decoder)
    },
  },
  outputs: { image: output('IMAGE') },
  async execute({ vae, latent, tiling, tile_norm, tile_size, tile_overlap }, ctx) {
    ctx.stage('Decoding…')
    const [batch, channels, h, w] = latent.dims
    if (channels !== 4) throw new InputError('latent', `expected 4 latent channels, got ${channels}`)
    const plan = latentTiling(tile_size, tile_overlap)
    const tiled = usesTiles(tiling, plan, h, w)
    const plane = channels * h * w
    const images: Uint8ClampedArray[] = []
    let decoder: SyncedDecoder | false | undefined
    let size = { width: w * VAE_SCALE, height: h * VAE_SCALE }
    // One image at a time keeps peak memory flat for large batches, as diffusers' sliced decoding does.
    for (let n = 0; n < batch; n++) {
      ctx.checkCancelled()
      const scaled = new Float32Array(plane)
      const src = latent.data.subarray(n * plane, (n + 1) * plane)
      for (let i = 0; i < plane; i++) scaled[i] = src[i]! / vae.scalingFactor
      const dims = { channels, height: h, width: w }
      const synced = tiled && tile_norm === 'synced' ? (decoder ??= await syncedDecoderOrWarn(ctx, vae)) : undefined
      const decoded = synced
        ? (
            await decodeTiledSynced(
              scaled,
              dims,
              { ...plan, scale: VAE_SCALE, statisticsPasses: STATISTICS_PASSES, groups: synced.groups },
              (request) => {
                ctx.checkCancelled()
                return decodeSyncedTile(synced, request)
              },
              (done, total) => ctx.progress(n * total + done, batch * total),
            )
          ).image
        : tiled
          ? await decodeTiled(scaled, dims, { ...plan, scale: VAE_SCALE }, async (tileLatent, tile, index, count) => {
              ctx.checkCancelled()
              const out = await decodeWhole(ctx, vae, tileLatent, tile.height, tile.width)
              ctx.progress(n * count + index + 1, batch * count)
              return out
            })
          : await decodeWhole(ctx, vae, scaled, h, w)
      const rgba = decodedToRgba(decoded.data, [1, decoded.channels, decoded.height, decoded.width])
      size = { width: rgba.width, height: rgba.height }
      images.push(...rgba.images)
      if (!tiled) ctx.progress(n + 1, batch)
    }
    return { image: { ...size, images, parameters: latent.parameters ?? {} } }
  },
})
