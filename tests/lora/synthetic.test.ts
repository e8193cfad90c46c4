// merge / live / independently merged weights agree on a torch-export-shaped graph, fp32 inline and fp16 external.
import { afterAll, describe, expect, it } from 'vitest'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor } from '../../src/runtime/types.js'
import { buildModel, prepareModelWithLoras } from '../../src/lora/session.js'
import { decodeModel } from '../../src/models/onnx/codec.js'
import type { LoraBindingLike } from '../../src/lora/session.js'
import { LoraMatchError } from '../../src/lora/match.js'
import { makeLora, random, rng, SYNTHETIC_LAYERS, syntheticModel } from './synthetic-model.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'

const cache = new SessionCache(createNodeBackend())
afterAll(() => cache.dispose())

const next = rng(99)
const inputs = (dtype: 'fp32' | 'fp16'): Record<string, HostTensor> => {
  void dtype
  return {
    tokens: { dtype: 'float32', dims: [1, 4, 8], data: random(32, next, 2) },
    image: { dtype: 'float32', dims: [1, 3, 5, 5], data: random(75, next, 2) },
  }
}

const loraA = makeLora({ rank: 2, alpha: 1, seed: 5, layers: SYNTHETIC_LAYERS, format: 'kohya' })
const loraB = makeLora({ rank: 3, seed: 6, layers: SYNTHETIC_LAYERS, format: 'peft' })
const files: Record<string, Uint8Array> = { 'a.safetensors': loraA.bytes, 'b.safetensors': loraB.bytes }
const deps = { sessions: cache, readLora: async (name: string) => files[name]! }

/** W + sum_i s_i * up_i @ down_i in float64, torch layout. */
function independentMerge(applied: { lora: typeof loraA; scale: number }[]) {
  return (layer: string, w: Float32Array): Float32Array => {
    const out = SYNTHETIC_LAYERS[layer]![0]!
    const cols = w.length / out
    const merged = Float64Array.from(w)
    for (const { lora, scale } of applied) {
      const f = lora.factors.get(layer)!
      const rank = f.up.length / out
      for (let o = 0; o < out; o++)
        for (let c = 0; c < cols; c++) {
          let sum = 0
          for (let r = 0; r < rank; r++) sum += f.up[o * rank + r]! * f.down[r * cols + c]!
          merged[o * cols + c]! += scale * f.scale * sum
        }
    }
    return Float32Array.from(merged)
  }
}

async function run(dtype: 'fp32' | 'fp16', loras: LoraBindingLike[], feedsIn = inputs(dtype)) {
  const { source } = syntheticModel(dtype)
  const prepared = await prepareModelWithLoras({ key: source.key, load: async () => source }, loras, 'unet', deps)
  const out = await prepared.session.run({ ...feedsIn, ...prepared.feeds })
  return { out, prepared }
}

async function runIndependent(dtype: 'fp32' | 'fp16', applied: { lora: typeof loraA; scale: number }[], feeds: Record<string, HostTensor>) {
  const { source } = syntheticModel(dtype, independentMerge(applied))
  const session = await cache.getOrCreate(`${source.key}-independent-${JSON.stringify(applied.map((a) => a.scale))}-${applied.length}`, async () => source)
  return session.run(feeds)
}

function maxDiff(a: Record<string, HostTensor>, b: Record<string, HostTensor>): number {
  let m = 0
  for (const name of ['out_tokens', 'out_image']) {
    m = Math.max(m, maxAbsDiff(toFloat32(a[name]!), toFloat32(b[name]!)))
  }
  return m
}

const magnitude = (a: Record<string, HostTensor>) => maxAbs(toFloat32(a['out_tokens']!))

describe.each([
  ['fp32', 1e-5, 'live'],
  ['fp16', 2e-2, 'live'],
  ['fp32', 1e-5, 'live-delta'],
  ['fp16', 2e-2, 'live-delta'],
] as const)('LoRA on a synthetic %s model, %s mode', (dtype, tol, liveMode) => {
  const feeds = inputs(dtype)

  it('merge = live = independently merged weights', async () => {
    const base = await run(dtype, [], feeds)
    const merged = await run(dtype, [{ name: 'a.safetensors', scale: 0.8, mode: 'merge' }], feeds)
    const live = await run(dtype, [{ name: 'a.safetensors', scale: 0.8, mode: liveMode }], feeds)
    const independent = await runIndependent(dtype, [{ lora: loraA, scale: 0.8 }], feeds)
    expect(maxDiff(merged.out, independent)).toBeLessThan(tol * magnitude(independent))
    expect(maxDiff(live.out, independent)).toBeLessThan(tol * magnitude(independent))
    // The LoRA really changes the output (far beyond the tolerance).
    expect(maxDiff(base.out, independent)).toBeGreaterThan(Math.max(0.1, 10 * tol) * magnitude(independent))
    expect(merged.prepared.reports[0]!.patchedLayers).toHaveLength(4)
    expect(merged.prepared.reports[0]!.unmatched).toEqual([])
    expect(live.prepared.feeds['lora_scale_0']!.data[0]).toBeCloseTo(0.8)
  })

  it('live scale changes reuse the session; scale 0 gives the base output', async () => {
    const base = await run(dtype, [], feeds)
    const first = await run(dtype, [{ name: 'a.safetensors', scale: 0.3, mode: liveMode }], feeds)
    const creates = cache.stats.creates
    const other = await run(dtype, [{ name: 'a.safetensors', scale: -1.5, mode: liveMode }], feeds)
    const zero = await run(dtype, [{ name: 'a.safetensors', scale: 0, mode: liveMode }], feeds)
    expect(cache.stats.creates).toBe(creates)
    expect(other.prepared.session).toBe(first.prepared.session)
    // All LoRAs at 0: the base session itself, so the base output bit for bit.
    expect(zero.prepared.session).toBe(base.prepared.session)
    expect(maxDiff(zero.out, base.out)).toBe(0)
    // The live graph itself at scale 0 (built because another LoRA is active, here at a negligible scale).
    const liveZero = await run(dtype, [{ name: 'a.safetensors', scale: 0, mode: liveMode }, { name: 'b.safetensors', scale: 1e-30, mode: liveMode }], feeds)
    expect(liveZero.prepared.session).not.toBe(base.prepared.session)
    expect(maxDiff(liveZero.out, base.out)).toBeLessThan(1e-6 * magnitude(base.out))
    const independent = await runIndependent(dtype, [{ lora: loraA, scale: -1.5 }], feeds)
    expect(maxDiff(other.out, independent)).toBeLessThan(tol * magnitude(independent))
    const mergedZero = await run(dtype, [{ name: 'a.safetensors', scale: 0, mode: 'merge' }], feeds)
    expect(mergedZero.prepared.session).toBe(base.prepared.session)
  })

  it('two merged LoRAs (fp32: written into a copy of the model bytes) equal merging both; the base bytes stay', async () => {
    const { source } = syntheticModel(dtype)
    const before = source.bytes.slice()
    const loras = [
      { name: 'a.safetensors', scale: 0.7, mode: 'merge' },
      { name: 'b.safetensors', scale: -0.4, mode: 'merge' },
    ] as const
    const built = await buildModel(source, `${source.key}-two-merged`, loras, 'unet', deps)
    expect(Buffer.compare(source.bytes, before)).toBe(0)
    // fp32 weights are inline: the new model is the copy, as long as the base (no graph change, no re-encoding).
    if (dtype === 'fp32') expect(built.source.bytes.byteLength).toBe(source.bytes.byteLength)
    const session = await cache.getOrCreate(built.source.key, async () => built.source)
    const independent = await runIndependent(dtype, [{ lora: loraA, scale: 0.7 }, { lora: loraB, scale: -0.4 }], feeds)
    expect(maxDiff(await session.run(feeds), independent)).toBeLessThan(tol * magnitude(independent))
  })

  it('stacked LoRAs (live + merge, each with its scale) equal merging both', async () => {
    const stacked = await run(
      dtype,
      [
        { name: 'a.safetensors', scale: 0.7, mode: liveMode },
        { name: 'b.safetensors', scale: -0.4, mode: 'merge' },
      ],
      feeds,
    )
    const bothLive = await run(
      dtype,
      [
        { name: 'a.safetensors', scale: 0.7, mode: liveMode },
        { name: 'b.safetensors', scale: -0.4, mode: liveMode },
      ],
      feeds,
    )
    const independent = await runIndependent(dtype, [{ lora: loraA, scale: 0.7 }, { lora: loraB, scale: -0.4 }], feeds)
    expect(maxDiff(stacked.out, independent)).toBeLessThan(tol * magnitude(independent))
    expect(maxDiff(bothLive.out, independent)).toBeLessThan(tol * magnitude(independent))
    expect(Object.keys(bothLive.prepared.feeds).sort()).toEqual(['lora_scale_0', 'lora_scale_1'])
  })
})

describe.each(['fp32', 'fp16'] as const)('the live-delta graph of a synthetic %s model', (dtype) => {
  it('adds per patched weight one delta of its shape and dtype, and a Mul and an Add: nothing left to multiply per run', async () => {
    const { source } = syntheticModel(dtype)
    const base = decodeModel(source.bytes).graph!
    const built = await buildModel(source, `${source.key}-delta-structure`, [{ name: 'a.safetensors', scale: 1, mode: 'live-delta' }], 'unet', deps)
    const graph = decodeModel(built.source.bytes).graph!
    const added = graph.node.filter((n) => (n.name ?? '').startsWith('/lora/'))
    const patched = Object.keys(SYNTHETIC_LAYERS).length
    // An fp16 model also gets the scale input cast to fp16, once for all its weights.
    const scaleCasts = dtype === 'fp16' ? ['Cast'] : []
    expect(added.map((n) => n.opType).sort()).toEqual([...Array<string>(patched).fill('Add'), ...scaleCasts, ...Array<string>(patched).fill('Mul')])
    expect(graph.node.length - base.node.length).toBe(2 * patched + scaleCasts.length)
    for (const add of added.filter((n) => n.opType === 'Add')) {
      const weight = base.initializer.find((t) => t.name === add.input[0])!
      const mul = added.find((n) => n.output[0] === add.input[1])!
      const delta = graph.initializer.find((t) => t.name === mul.input[0])!
      expect(delta.dims).toEqual(weight.dims)
      expect(delta.dataType).toBe(weight.dataType)
    }
  })
})

describe('LoRAs that do not fit', () => {
  it('refuses a LoRA of another width with match statistics', async () => {
    const wide = makeLora({
      rank: 2,
      seed: 7,
      format: 'kohya',
      layers: Object.fromEntries(Object.entries(SYNTHETIC_LAYERS).map(([k, s]) => [k, [s[0]! * 2, ...s.slice(1)]])),
    })
    files['wide.safetensors'] = wide.bytes
    const err = await run('fp32', [{ name: 'wide.safetensors', scale: 1, mode: 'merge' }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LoraMatchError)
    expect((err as Error).message).toMatch(/LoRA "wide.safetensors" does not fit the UNet: 0 of 8 tensors matched.*4 modules have other shapes/)
  })

  it('refuses keys of another architecture', async () => {
    const llm = makeLora({ rank: 2, seed: 8, format: 'peft', prefix: 'base_model.model.model.layers.0.', layers: { 'self_attn.q_proj': [8, 8] } })
    files['llm.safetensors'] = llm.bytes
    const err = await run('fp32', [{ name: 'llm.safetensors', scale: 1, mode: 'live' }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LoraMatchError)
    expect((err as LoraMatchError).report.unmatched).toHaveLength(2)
    expect((err as Error).message).toMatch(/0 of 2 tensors matched/)
  })
})
