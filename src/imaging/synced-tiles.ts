// Tiled decoding with GroupNorm statistics shared by all tiles. A tile normalised with its own statistics differs
// from the whole decode, and from its neighbours. Here every tile reports, for each GroupNorm, sums over its core
// (the cells no other tile owns); added up they are the whole image's statistics, which the next pass feeds to every
// tile. The first pass's are exact for the first GroupNorm only; each further pass makes one more exact (a layer's
// input depends on the layers before) but, measured, takes the later ones further off, so the node runs one
// (README, "Shared GroupNorm statistics"). Pure: the decoder is a callback.
import { cropLatent, decodeTiled, planTiles, type DecodedTile, type LatentTile, type TilingOptions } from './tiling.js'

/** A GroupNorm's statistics per group. */
export interface GroupStatistics {
  readonly mean: Float64Array
  readonly variance: Float64Array
}

/** What one tile's decode reports for each GroupNorm: sums over its core. */
export interface TileSums {
  readonly sum: Float32Array
  readonly sumOfSquares: Float32Array
  /** Values summed, over all groups. */
  readonly count: number
}

/** A tile's core in latent cells, relative to the tile: [top, left, bottom, right). */
export type TileCore = readonly [number, number, number, number]

/** Where neighbouring tiles hand over along one axis: halfway through their overlap. */
function axisCores(starts: readonly number[], tile: number, length: number): [number, number][] {
  return starts.map((start, i) => {
    const from = i === 0 ? 0 : Math.floor((start + starts[i - 1]! + tile) / 2)
    const to = i === starts.length - 1 ? length : Math.floor((starts[i + 1]! + start + tile) / 2)
    return [from - start, Math.min(to, start + tile) - start]
  })
}

/** Each tile's core: the cores partition the latent, each cell owned by the tile whose centre is nearest. */
export function tileCores(tiles: readonly LatentTile[], height: number, width: number): TileCore[] {
  const rowStarts = [...new Set(tiles.map((t) => t.y))]
  const colStarts = [...new Set(tiles.map((t) => t.x))]
  const tileHeight = tiles[0]?.height ?? height
  const tileWidth = tiles[0]?.width ?? width
  const rows = new Map(axisCores(rowStarts, tileHeight, height).map((c, i) => [rowStarts[i]!, c]))
  const cols = new Map(axisCores(colStarts, tileWidth, width).map((c, i) => [colStarts[i]!, c]))
  return tiles.map((t) => {
    const [top, bottom] = rows.get(t.y)!
    const [left, right] = cols.get(t.x)!
    return [top, left, bottom, right]
  })
}

/** Adds up the tiles' sums into each layer's statistics (in float64: float32 sums of squares lose the variance). */
export class StatisticsAccumulator {
  private readonly sums: Float64Array[]
  private readonly squares: Float64Array[]
  private readonly counts: number[]

  constructor(private readonly groups: readonly number[]) {
    this.sums = groups.map((g) => new Float64Array(g))
    this.squares = groups.map((g) => new Float64Array(g))
    this.counts = groups.map(() => 0)
  }

  add(tile: readonly TileSums[]): void {
    if (tile.length !== this.groups.length) throw new Error(`a tile reported ${tile.length} GroupNorms, expected ${this.groups.length}`)
    tile.forEach((layer, k) => {
      const groups = this.groups[k]!
      if (layer.sum.length !== groups || layer.sumOfSquares.length !== groups) throw new Error(`GroupNorm ${k} reported ${layer.sum.length} groups, expected ${groups}`)
      for (let g = 0; g < groups; g++) {
        this.sums[k]![g]! += layer.sum[g]!
        this.squares[k]![g]! += layer.sumOfSquares[g]!
      }
      this.counts[k]! += layer.count / groups
    })
  }

  result(): GroupStatistics[] {
    return this.groups.map((groups, k) => {
      const n = this.counts[k]!
      if (!(n > 0)) throw new Error(`no tile reported values for GroupNorm ${k}`)
      const mean = new Float64Array(groups)
      const variance = new Float64Array(groups)
      for (let g = 0; g < groups; g++) {
        mean[g] = this.sums[k]![g]! / n
        variance[g] = Math.max(0, this.squares[k]![g]! / n - mean[g]! * mean[g]!)
      }
      return { mean, variance }
    })
  }
}

export interface SyncedTileRequest {
  readonly latent: Float32Array
  readonly tile: LatentTile
  readonly core: TileCore
  /** Statistics to normalise with; undefined: the tile's own (the first pass). */
  readonly statistics: readonly GroupStatistics[] | undefined
  /** Whether the core's sums are wanted (not in the decoding pass). */
  readonly sums: boolean
}

export interface SyncedTileResult {
  readonly decoded: DecodedTile
  /** Empty when not asked for. */
  readonly sums: readonly TileSums[]
}

export interface SyncedTilingOptions extends TilingOptions {
  readonly scale: number
  /** Passes that gather statistics before the pass that decodes (at least 1). */
  readonly statisticsPasses: number
  /** Groups per GroupNorm, in the decoder's order. */
  readonly groups: readonly number[]
}

/**
 * Decodes a [channels, height, width] latent in tiles that share GroupNorm statistics: `statisticsPasses` passes
 * gather them, then a last pass decodes with them and blends as decodeTiled does. `onTile` reports progress over
 * all passes.
 */
export async function decodeTiledSynced(
  latent: Float32Array,
  dims: { readonly channels: number; readonly height: number; readonly width: number },
  options: SyncedTilingOptions,
  decodeTile: (request: SyncedTileRequest) => Promise<SyncedTileResult>,
  onTile: (done: number, total: number) => void = () => {},
): Promise<{ image: DecodedTile; statistics: GroupStatistics[] }> {
  if (!Number.isInteger(options.statisticsPasses) || options.statisticsPasses < 1) throw new RangeError(`statistics passes must be a positive integer, got ${options.statisticsPasses}`)
  const { channels, height, width } = dims
  const tiles = planTiles(height, width, options)
  const cores = tileCores(tiles, height, width)
  const total = tiles.length * (options.statisticsPasses + 1)
  let done = 0
  let statistics: GroupStatistics[] | undefined
  for (let pass = 0; pass < options.statisticsPasses; pass++) {
    const accumulator = new StatisticsAccumulator(options.groups)
    for (const [index, tile] of tiles.entries()) {
      const tileLatent = cropLatent(latent, channels, height, width, tile)
      accumulator.add((await decodeTile({ latent: tileLatent, tile, core: cores[index]!, statistics, sums: true })).sums)
      onTile(++done, total)
    }
    statistics = accumulator.result()
  }
  const given = statistics!
  const image = await decodeTiled(latent, dims, options, async (tileLatent, tile, index) => {
    const result = await decodeTile({ latent: tileLatent, tile, core: cores[index]!, statistics: given, sums: false })
    onTile(++done, total)
    return result.decoded
  })
  return { image, statistics: given }
}
