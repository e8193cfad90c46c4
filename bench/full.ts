// `npm run bench:full [-- sd15|sdxl] [--steps N] [--size PX] [--only text|text2|unet|vae|vae-tiled|vae-tiled-synced|lora-merge|lora-live|lora-live-delta]`:
// the full-size twin (`npm run models -- --full ...`)
// through the product's own loading path on onnxruntime-node: per component, the bytes read, session creation
// time, per-run time and the process's peak RSS against the file size. Not a CI test: minutes and gigabytes.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { decodeSyncedTile, syncedDecoderFrom, type SyncedDecoder } from '../nodes/lib/vae-tiles.js'
import { decodeTiledSynced } from '../src/imaging/synced-tiles.js'
import { decodeTiled } from '../src/imaging/tiling.js'
import { groupNormLoader } from '../src/models/group-norm-sync.js'
import { prepareModelWithLoras, type LoraMode } from '../src/lora/index.js'
import { readPipelineFolder } from '../src/models/pipeline.js'
import { NodeFileSource } from '../src/models/node-files.js'
import { createNodeBackend } from '../src/runtime/node.js'
import { SessionCache } from '../src/runtime/session-cache.js'
import { toFloat32 } from '../src/runtime/tensor.js'
import type { HostTensor, ModelSession } from '../src/runtime/types.js'

const args = process.argv.slice(2)
const name = args.find((a) => a === 'sd15' || a === 'sdxl') ?? 'sd15'
const option = (flag: string, fallback: number) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback)
const steps = option('--steps', name === 'sd15' ? 4 : 1)
const size = option('--size', name === 'sd15' ? 512 : 1024)
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
const wanted = (part: string) => only === undefined || only === part
const root = resolve('.models')
if (!existsSync(resolve(root, `full-${name}`))) {
  console.error(`.models/full-${name} is missing: run npm run models -- --full ${name}`)
  process.exit(2)
}

let peakRss = 0
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
const GiB = 2 ** 30
const highWaterMark = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024
const fmt = (bytes: number) => `${(bytes / GiB).toFixed(2)} GiB`
const float = (dims: number[], f: (i: number) => number): HostTensor => ({ dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) })

async function measure(label: string, load: () => Promise<{ bytes: number; session: ModelSession }>, feeds: Record<string, HostTensor>, runs: number, run = (session: ModelSession, f: Record<string, HostTensor>) => session.run(f)): Promise<void> {
  peakRss = process.memoryUsage().rss
  const t0 = performance.now()
  const { bytes, session } = await load()
  const created = performance.now() - t0
  const times: number[] = []
  // CPU seconds per run (all of onnxruntime's threads): steadier than wall time on a shared machine.
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    const used = process.cpuUsage()
    await run(session, feeds)
    times.push(performance.now() - t)
    const spent = process.cpuUsage(used)
    cpu.push((spent.user + spent.system) / 1e6)
  }
  await session.dispose()
  // The sampler can miss short peaks; the kernel's high-water mark cannot (it covers the whole process so far,
  // so run one component per process with --only for a clean figure).
  peakRss = Math.max(peakRss, highWaterMark())
  const per = times.map((t) => (t / 1000).toFixed(1)).join(', ')
  console.log(`| ${label} | ${fmt(bytes)} | ${(created / 1000).toFixed(1)} s | ${per} s (CPU ${cpu.map((c) => c.toFixed(1)).join(', ')} s) | ${fmt(peakRss)} (${(peakRss / bytes).toFixed(1)}x file) |`)
}

const files = new NodeFileSource(root)
const pipeline = await readPipelineFolder(files, `full-${name}`)
const backend = createNodeBackend()
// The product's path: the session cache (preflight on file sizes, then onnxruntime-node opening the file itself).
const open = (model: typeof pipeline.unet.model) => async () => {
  const bytes = (await model.fileBytes?.()) ?? 0
  const cache = new SessionCache(backend)
  const session = await cache.get(model)
  return { bytes, session }
}
const latent = size / 8
console.log(`${name} twin, ${size}x${size}, onnxruntime-node CPU, ${steps} UNet run(s)`)
console.log('| component | file | session creation | per run | peak RSS |')
console.log('| --- | --- | --- | --- | --- |')
const ids = { input_ids: { dtype: 'int32', dims: [1, 77], data: Int32Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : 49407)) } } satisfies Record<string, HostTensor>
// SDXL's second text encoder (OpenCLIP bigG, 694.7M parameters) is `text2`.
for (const [index, encoder] of pipeline.textEncoders.entries()) {
  const part = index === 0 ? 'text' : `text${index + 1}`
  if (wanted(part)) await measure(index === 0 ? 'text encoder' : `text encoder ${index + 1}`, open(encoder.model), ids, 1)
}
const context = name === 'sd15' ? 768 : 2048
const unetFeeds: Record<string, HostTensor> = {
  sample: float([1, 4, latent, latent], (i) => Math.sin(i)),
  timestep: { dtype: 'int64', dims: [1], data: BigInt64Array.of(999n) },
  encoder_hidden_states: float([1, 77, context], (i) => Math.cos(i) * 0.5),
  ...(name === 'sdxl' ? { text_embeds: float([1, 1280], () => 0.1), time_ids: float([1, 6], (i) => [size, size, 0, 0, size, size][i]!) } : {}),
}
if (wanted('unet')) await measure(`UNet ${size}px`, open(pipeline.unet.model), unetFeeds, steps)
// The UNet with the twin's Hyper-SD LoRA (`.models/loras/`) in each mode, through the product's LoRA path: the
// session figure includes the build (merge: the weights rewritten; live: branches added; live-delta: weight deltas).
const loraFile = resolve(root, 'loras', name === 'sd15' ? 'Hyper-SD15-4steps-lora.safetensors' : 'Hyper-SDXL-4steps-lora.safetensors')
for (const mode of ['merge', 'live', 'live-delta'] as const satisfies readonly LoraMode[]) {
  if (only !== `lora-${mode}`) continue // minutes each: only when asked for
  await measure(`UNet ${size}px, LoRA ${mode}`, async () => {
    const cache = new SessionCache(backend)
    const prepared = await prepareModelWithLoras(pipeline.unet.model, [{ name: loraFile, scale: 1, mode }], 'unet', {
      sessions: cache,
      readLora: async (path) => new Uint8Array(readFileSync(path)),
    })
    Object.assign(unetFeeds, prepared.feeds)
    return { bytes: (await pipeline.unet.model.fileBytes?.()) ?? 0, session: prepared.session }
  }, unetFeeds, steps)
}
const vaeFeeds = { latent_sample: float([1, 4, latent, latent], (i) => Math.sin(i * 0.1)) }
if (wanted('vae')) await measure(`VAE decoder ${size}px`, open(pipeline.vaeDecoder.model), vaeFeeds, 1)
if (wanted('vae-tiled')) {
  // The VAE Decode node's defaults: 512 px tiles, 128 px feathered overlap.
  const tiles = { tile: 64, overlap: 16, scale: 8 }
  await measure(`VAE decoder ${size}px, 512 px tiles`, open(pipeline.vaeDecoder.model), vaeFeeds, 1, async (session, feeds) => {
    const input = feeds.latent_sample!
    await decodeTiled(input.data as Float32Array, { channels: 4, height: latent, width: latent }, tiles, async (tileLatent, tile) => {
      const out = (await session.run({ latent_sample: { dtype: 'float32', dims: [1, 4, tile.height, tile.width], data: tileLatent } })).sample!
      const data = out.dtype === 'float32' ? (out.data as Float32Array) : toFloat32(out)
      return { data, channels: out.dims[1]!, height: out.dims[2]!, width: out.dims[3]! }
    })
    return {}
  })
}
if (only === 'vae-tiled-synced') {
  // tile_norm synced: a statistics pass over the tiles, then the decoding pass, each through its rewritten decoder
  // (the session figure is the first one's; the second is created at the start of the decoding pass).
  const tiles = { tile: 64, overlap: 16, scale: 8, statisticsPasses: 1 }
  const cache = new SessionCache(backend)
  let synced: SyncedDecoder | undefined
  const load = async () => {
    synced = await syncedDecoderFrom(
      (rewrite) => {
        const { key, loader } = groupNormLoader(pipeline.vaeDecoder.model, rewrite)
        return cache.getOrCreate(key, loader)
      },
      (rewrite) => cache.evict(groupNormLoader(pipeline.vaeDecoder.model, rewrite).key),
    )
    const first = await synced.session({ sums: true, given: false })
    // The sums session is disposed by the decoding pass; disposing goes through the cache, which holds the rest.
    return { bytes: (await pipeline.vaeDecoder.model.fileBytes?.()) ?? 0, session: Object.assign(Object.create(first) as ModelSession, { dispose: () => cache.dispose() }) }
  }
  await measure(`VAE decoder ${size}px, 512 px tiles, synced GroupNorms`, load, vaeFeeds, 1, async (_session, feeds) => {
    const input = feeds.latent_sample!.data as Float32Array
    await decodeTiledSynced(input, { channels: 4, height: latent, width: latent }, { ...tiles, groups: synced!.groups }, (request) => decodeSyncedTile(synced!, request))
    return {}
  })
}
clearInterval(sampler)
