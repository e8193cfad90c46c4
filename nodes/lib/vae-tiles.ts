// The VAE decoder rewritten for tiles that share GroupNorm statistics (src/models/group-norm-sync.ts): its sessions,
// one per rewrite a pass needs, and one tile's run through them.
import type { NodeContext } from '../../src/engine/index.js'
import type { SyncedTileRequest, SyncedTileResult, TileSums } from '../../src/imaging/synced-tiles.js'
import { GROUP_NORM_SYNC, groupNormLoader, type GroupNormRewrite } from '../../src/models/group-norm-sync.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import type { NodeServices } from '../services.js'
import type { LazyModel } from '../types.js'
import { float32 } from './run-model.js'

export interface SyncedDecoder {
  /** Groups per GroupNorm, in the decoder's order. */
  readonly groups: readonly number[]
  session(rewrite: GroupNormRewrite): Promise<ModelSession>
}

const SUMS_ONLY: GroupNormRewrite = { sums: true, given: false }

/**
 * A decoder over `open`, which gives the session of each rewrite (the sums rewrite is opened first, for the groups).
 * `drop`, when given, is called for the sums rewrite once the decoding pass asks for its session: each onnxruntime
 * session keeps its own arena at the size of its largest run, so two decoder sessions held twice the memory of a
 * tiled decode (5.7 against 2.3 GiB for the full-size decoder at 1024x1024; 3.5 GiB with the drop).
 */
export async function syncedDecoderFrom(
  open: (rewrite: GroupNormRewrite) => Promise<ModelSession>,
  drop?: (rewrite: GroupNormRewrite) => Promise<void>,
): Promise<SyncedDecoder> {
  let sums: ModelSession | undefined = await open(SUMS_ONLY)
  const groups: number[] = []
  for (let k = 0; ; k++) {
    const output = sums.outputs.find((o) => o.name === GROUP_NORM_SYNC.sum(k))
    if (!output) break
    groups.push(Number(output.shape[1]))
  }
  return {
    groups,
    async session(rewrite) {
      if (rewrite.sums && !rewrite.given) return (sums ??= await open(SUMS_ONLY))
      if (!rewrite.sums && sums && drop) {
        sums = undefined
        await drop(SUMS_ONLY)
      }
      return open(rewrite)
    },
  }
}

/**
 * The rewritten decoder's sessions, cached like any model's and kept with the node's result; the statistics pass's
 * is dropped when the decoding pass starts, where the host can (see syncedDecoderFrom).
 */
export function syncedDecoder(ctx: NodeContext<NodeServices>, decoder: LazyModel): Promise<SyncedDecoder> {
  const { sessions } = ctx.services
  return syncedDecoderFrom(
    async (rewrite) => {
      const { key, loader } = groupNormLoader(decoder, rewrite)
      ctx.retain(key) // the statistics session too: a host without evict releases it with the node's result
      const session = await sessions.getOrCreate(key, loader)
      if (session.notice) ctx.warn(session.notice)
      return session
    },
    sessions.evict ? (rewrite) => sessions.evict!(groupNormLoader(decoder, rewrite).key) : undefined,
  )
}

const statisticsTensor = (values: Float64Array): HostTensor => ({ dtype: 'float32', dims: [values.length], data: Float32Array.from(values) })

function sumsOf(outputs: Record<string, HostTensor>, layers: number): TileSums[] {
  return Array.from({ length: layers }, (_, k) => {
    const count = outputs[GROUP_NORM_SYNC.count(k)]?.data
    return {
      sum: float32(GROUP_NORM_SYNC.sum(k), outputs[GROUP_NORM_SYNC.sum(k)]),
      sumOfSquares: float32(GROUP_NORM_SYNC.sumOfSquares(k), outputs[GROUP_NORM_SYNC.sumOfSquares(k)]),
      count: count instanceof BigInt64Array ? Number(count[0]) : Number(count?.[0] ?? 0),
    }
  })
}

/** Decodes one tile with the given statistics (or its own), with its core's sums when asked for. */
export async function decodeSyncedTile(decoder: SyncedDecoder, request: SyncedTileRequest): Promise<SyncedTileResult> {
  const { tile, core, statistics } = request
  const rewrite = { sums: request.sums || statistics === undefined, given: statistics !== undefined }
  const feeds: Record<string, HostTensor> = { latent_sample: { dtype: 'float32', dims: [1, 4, tile.height, tile.width], data: request.latent } }
  if (rewrite.sums) feeds[GROUP_NORM_SYNC.core] = { dtype: 'int64', dims: [4], data: BigInt64Array.from(core, BigInt) }
  statistics?.forEach((layer, k) => {
    feeds[GROUP_NORM_SYNC.mean(k)] = statisticsTensor(layer.mean)
    feeds[GROUP_NORM_SYNC.variance(k)] = statisticsTensor(layer.variance)
  })
  const outputs = await (await decoder.session(rewrite)).run(feeds)
  const sample = outputs.sample
  const [, channels = 0, height = 0, width = 0] = sample?.dims ?? []
  return { decoded: { data: float32('sample', sample), channels, height, width }, sums: request.sums ? sumsOf(outputs, decoder.groups.length) : [] }
}
