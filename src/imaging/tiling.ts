// Tiled VAE decoding and encoding: run overlapping tiles one at a time and feather them together, so a 1024x1024
// decode or encode needs the activations of one tile, not of the whole image. Pure: the model is a callback.

/** One tile: where it starts in the latent and how big it is, in latent cells. */
export interface LatentTile {
  readonly y: number
  readonly x: number
  readonly height: number
  readonly width: number
}

export interface TilingOptions {
  /** Tile edge in latent cells (the decoder's output is this times the VAE scale factor). */
  readonly tile: number
  /** Overlap between neighbouring tiles in latent cells; the decoded overlap is feathered linearly. */
  readonly overlap: number
}

/** A decoded tile: `channels` planes of height x width floats (NCHW with N = 1). */
export interface DecodedTile {
  readonly data: Float32Array
  readonly channels: number
  readonly height: number
  readonly width: number
}

/** Start offsets along one axis: tiles `tile` long, `tile - overlap` apart, the last one flush with the end. */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (!Number.isInteger(tile) || tile < 1) throw new RangeError(`tile size must be a positive integer, got ${tile}`)
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile) throw new RangeError(`overlap must be an integer in [0, ${tile - 1}], got ${overlap}`)
  if (length <= tile) return [0]
  const stride = tile - overlap
  const starts: number[] = []
  for (let start = 0; start + tile < length; start += stride) starts.push(start)
  starts.push(length - tile)
  return starts
}

export function planTiles(height: number, width: number, options: TilingOptions): LatentTile[] {
  const rows = tileStarts(height, options.tile, options.overlap)
  const cols = tileStarts(width, options.tile, options.overlap)
  return rows.flatMap((y) => cols.map((x) => ({ y, x, height: Math.min(options.tile, height), width: Math.min(options.tile, width) })))
}

/** Copies one tile out of a [channels, height, width] latent. */
export function cropLatent(latent: Float32Array, channels: number, height: number, width: number, tile: LatentTile): Float32Array {
  if (latent.length !== channels * height * width) throw new RangeError(`latent has ${latent.length} values, expected ${channels}x${height}x${width}`)
  const out = new Float32Array(channels * tile.height * tile.width)
  for (let c = 0; c < channels; c++) {
    for (let row = 0; row < tile.height; row++) {
      const from = c * height * width + (tile.y + row) * width + tile.x
      out.set(latent.subarray(from, from + tile.width), (c * tile.height + row) * tile.width)
    }
  }
  return out
}

/**
 * Feather weights along one axis of a tile: a linear ramp over `blend` pixels on each side that meets another
 * tile, 1 elsewhere. Ramps start above 0 so every pixel has weight from at least one tile.
 */
function axisWeights(size: number, blend: number, rampStart: boolean, rampEnd: boolean): Float32Array {
  const weights = new Float32Array(size).fill(1)
  for (let i = 0; i < Math.min(blend, size); i++) {
    const ramp = (i + 0.5) / blend
    if (rampStart) weights[i] = Math.min(weights[i]!, ramp)
    if (rampEnd) weights[size - 1 - i] = Math.min(weights[size - 1 - i]!, ramp)
  }
  return weights
}

/**
 * Runs `runTile` over overlapping tiles of a [channels, height, width] input and blends its outputs. Tiles are
 * planned on a grid of cells (latent cells): a cell is `inScale` input pixels and `outScale` output pixels, and
 * neighbouring outputs are feathered over `overlap * outScale` pixels.
 */
async function runTiled(
  input: Float32Array,
  dims: { readonly channels: number; readonly height: number; readonly width: number },
  options: TilingOptions & { readonly inScale: number; readonly outScale: number; readonly model: 'decoder' | 'encoder' },
  runTile: (tileInput: Float32Array, tile: LatentTile, index: number, count: number) => Promise<DecodedTile>,
): Promise<DecodedTile> {
  const { inScale, outScale } = options
  const height = dims.height / inScale
  const width = dims.width / inScale
  if (!Number.isInteger(height) || !Number.isInteger(width)) throw new RangeError(`input ${dims.width}x${dims.height} is not a multiple of ${inScale}`)
  const tiles = planTiles(height, width, options)
  const outHeight = height * outScale
  const outWidth = width * outScale
  const blend = options.overlap * outScale
  let sum: Float32Array | undefined
  let outChannels = 0
  const weightSum = new Float32Array(outHeight * outWidth)
  for (const [index, tile] of tiles.entries()) {
    const region = { y: tile.y * inScale, x: tile.x * inScale, height: tile.height * inScale, width: tile.width * inScale }
    const out = await runTile(cropLatent(input, dims.channels, dims.height, dims.width, region), tile, index, tiles.length)
    const tileHeight = tile.height * outScale
    const tileWidth = tile.width * outScale
    if (out.height !== tileHeight || out.width !== tileWidth) {
      throw new Error(
        options.model === 'decoder'
          ? `decoder turned a ${region.width}x${region.height} latent tile into ${out.width}x${out.height} px, expected ${tileWidth}x${tileHeight}`
          : `encoder turned a ${region.width}x${region.height} px tile into a ${out.width}x${out.height} latent, expected ${tileWidth}x${tileHeight}`,
      )
    }
    if (!sum) {
      outChannels = out.channels
      sum = new Float32Array(outChannels * outHeight * outWidth)
    }
    const top = tile.y * outScale
    const left = tile.x * outScale
    const wy = axisWeights(tileHeight, blend, tile.y > 0, tile.y + tile.height < height)
    const wx = axisWeights(tileWidth, blend, tile.x > 0, tile.x + tile.width < width)
    for (let row = 0; row < tileHeight; row++) {
      const outRow = (top + row) * outWidth + left
      for (let col = 0; col < tileWidth; col++) {
        const weight = wy[row]! * wx[col]!
        weightSum[outRow + col]! += weight
        for (let c = 0; c < outChannels; c++) {
          sum[c * outHeight * outWidth + outRow + col]! += weight * out.data[(c * tileHeight + row) * tileWidth + col]!
        }
      }
    }
  }
  const plane = outHeight * outWidth
  for (let c = 0; c < outChannels; c++) {
    for (let i = 0; i < plane; i++) sum![c * plane + i]! /= weightSum[i]!
  }
  return { data: sum!, channels: outChannels, height: outHeight, width: outWidth }
}

/**
 * Decodes a [channels, height, width] latent tile by tile and blends the results. `scale` is the decoder's
 * upsampling factor (8 for SD VAEs). Returns the decoded image as [outChannels, height*scale, width*scale].
 */
export function decodeTiled(
  latent: Float32Array,
  dims: { readonly channels: number; readonly height: number; readonly width: number },
  options: TilingOptions & { readonly scale: number },
  decodeTile: (tileLatent: Float32Array, tile: LatentTile, index: number, count: number) => Promise<DecodedTile>,
): Promise<DecodedTile> {
  return runTiled(latent, dims, { ...options, inScale: 1, outScale: options.scale, model: 'decoder' }, decodeTile)
}

/**
 * Encodes a [channels, height, width] image tile by tile and blends the encoder's outputs (in latent cells, so the
 * tile and overlap are the latent's; `scale` is the encoder's downsampling factor). Returns [outChannels,
 * height/scale, width/scale].
 */
export function encodeTiled(
  image: Float32Array,
  dims: { readonly channels: number; readonly height: number; readonly width: number },
  options: TilingOptions & { readonly scale: number },
  encodeTile: (tileImage: Float32Array, tile: LatentTile, index: number, count: number) => Promise<DecodedTile>,
): Promise<DecodedTile> {
  return runTiled(image, dims, { ...options, inScale: options.scale, outScale: 1, model: 'encoder' }, encodeTile)
}
