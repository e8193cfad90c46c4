// What VAE Decode and VAE Encode share about tiles: the VAE's scale, the tiling modes and the tile sizes' checks.
import { InputError } from '../../src/engine/index.js'

/** Pixels per latent cell of an SD1.5/SDXL VAE. */
export const VAE_SCALE = 8
export const TILING_MODES = ['auto', 'on', 'off'] as const
export type TilingMode = (typeof TILING_MODES)[number]
/** The tile inputs mean nothing when tiling is off. */
export const WHEN_TILING = { input: 'tiling', in: ['auto', 'on'] } as const

/** Tile sizes in pixels, checked and turned into latent cells. */
export function latentTiling(tileSize: number, overlap: number): { tile: number; overlap: number } {
  if (tileSize % VAE_SCALE !== 0) throw new InputError('tile_size', `${tileSize} px is not a multiple of ${VAE_SCALE}`)
  if (overlap % VAE_SCALE !== 0) throw new InputError('tile_overlap', `${overlap} px is not a multiple of ${VAE_SCALE}`)
  if (overlap >= tileSize) throw new InputError('tile_overlap', `${overlap} px must be smaller than tile_size (${tileSize} px)`)
  return { tile: tileSize / VAE_SCALE, overlap: overlap / VAE_SCALE }
}

/** Whether a latent of h x w cells is tiled: always when on, when larger than a tile on either side when auto. */
export function usesTiles(mode: TilingMode, plan: { tile: number }, h: number, w: number): boolean {
  return mode === 'on' || (mode === 'auto' && (h > plan.tile || w > plan.tile))
}
