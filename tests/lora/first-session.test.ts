// A live LoRA's first session merged at its scales where the host can build later (the browser's engine), the live
// session built then and used from then on; real onnxruntime-node sessions on the synthetic torch-shaped model.
import { afterAll, describe, expect, it } from 'vitest'
import { createNodeBackend } from '../../src/runtime/node.js'
import { SessionCache } from '../../src/runtime/session-cache.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor, ModelLoader } from '../../src/runtime/types.js'
import { FIRST_MERGE_MODEL_BYTES } from '../../src/lora/first-session.js'
import { loraSessionKey, prepareModelWithLoras } from '../../src/lora/session.js'
import type { BackgroundSessionProvider, BaseModel, LoraBindingLike, LoraDeps } from '../../src/lora/session.js'
import { makeLora, random, rng, SYNTHETIC_LAYERS, syntheticModel } from './synthetic-model.js'
import { maxAbs, maxAbsDiff } from '../helpers/arrays.js'

const next = rng(7)
const feeds: Record<string, HostTensor> = {
  tokens: { dtype: 'float32', dims: [1, 4, 8], data: random(32, next, 2) },
  image: { dtype: 'float32', dims: [1, 3, 5, 5], data: random(75, next, 2) },
}
const lora = makeLora({ rank: 2, alpha: 1, seed: 11, layers: SYNTHETIC_LAYERS, format: 'kohya' })
const other = makeLora({ rank: 3, seed: 12, layers: SYNTHETIC_LAYERS, format: 'peft' })
const files: Record<string, Uint8Array> = { 'a.safetensors': lora.bytes, 'b.safetensors': other.bytes }
const { source } = syntheticModel('fp32')
const model = (bytes = source.bytes.byteLength): BaseModel => ({ key: source.key, load: async () => source, fileBytes: async () => bytes })
const live = (scale: number, name = 'a.safetensors'): LoraBindingLike[] => [{ name, scale, mode: 'live' }]

const caches: SessionCache[] = []
afterAll(() => Promise.all(caches.map((c) => c.dispose())))

/** A host with a session cache and a queue of idle work that the test runs by hand. */
function host() {
  const cache = new SessionCache(createNodeBackend())
  caches.push(cache)
  const idle: ((background: BackgroundSessionProvider) => Promise<void>)[] = []
  const background: BackgroundSessionProvider = {
    has: (key) => cache.has(key),
    release: (keys) => cache.release(keys),
    getOrCreate: (key: string, load: ModelLoader) => cache.getOrCreate(key, load),
  }
  const deps: LoraDeps = { sessions: cache, readLora: async (name) => files[name]!, later: (task) => void idle.push(task) }
  const runIdle = async () => {
    for (const task of idle.splice(0)) await task(background)
  }
  return { cache, deps, idle, runIdle }
}

const out = (result: Record<string, HostTensor>): Float32Array => toFloat32(result['out_tokens']!)
const liveKey = (name = 'a.safetensors') => loraSessionKey(source.key, 'unet', live(1, name))

describe('a live LoRA on a host that can build later', () => {
  it('serves the first request from the LoRA merged at its scale, then the live session once idle work has built it', async () => {
    const { cache, deps, idle, runIdle } = host()
    const first = await prepareModelWithLoras(model(), live(0.8), 'unet', deps)
    expect(first.sessionKey).toMatch(/#lora\(unet\)\[0:merge:a\.safetensors@0\.8\]#first$/)
    expect(first.session.inputs.map((i) => i.name)).not.toContain('lora_scale_0')
    expect(first.feeds).toEqual({})
    expect(cache.has(liveKey())).toBe(false)
    expect(idle).toHaveLength(1)
    const merged = out(await first.session.run(feeds))

    // The same scale again before the idle work: the merged session, no second one and no second task.
    const again = await prepareModelWithLoras(model(), live(0.8), 'unet', deps)
    expect(again.session).toBe(first.session)
    expect(idle).toHaveLength(1)

    await runIdle()
    expect(cache.has(liveKey())).toBe(true)
    expect(cache.has(first.sessionKey)).toBe(false)
    const creates = cache.stats.creates
    const atSameScale = await prepareModelWithLoras(model(), live(0.8), 'unet', deps)
    expect(atSameScale.sessionKey).toBe(liveKey())
    const liveOut = out(await atSameScale.session.run({ ...feeds, ...atSameScale.feeds }))
    // The merged first image and the live one agree to float rounding.
    expect(maxAbsDiff(merged, liveOut)).toBeLessThan(1e-5 * Math.max(1, maxAbs(liveOut)))
    // Scale changes now reuse the live session: a new feed, no new session.
    const tuned = await prepareModelWithLoras(model(), live(0.3), 'unet', deps)
    expect(tuned.session).toBe(atSameScale.session)
    expect(Array.from(tuned.feeds['lora_scale_0']!.data as Float32Array)).toEqual([Math.fround(0.3)])
    expect(cache.stats.creates).toBe(creates)
    expect(idle).toHaveLength(0)
  })

  it('builds the live session at once when the scale changes before the idle work ran, and the idle work then builds nothing', async () => {
    const { cache, deps, runIdle } = host()
    const first = await prepareModelWithLoras(model(), live(1), 'unet', deps)
    expect(first.sessionKey.endsWith('#first')).toBe(true)
    const tuned = await prepareModelWithLoras(model(), live(0.5), 'unet', deps)
    expect(tuned.sessionKey).toBe(liveKey())
    expect(tuned.feeds['lora_scale_0']).toBeDefined()
    const creates = cache.stats.creates
    await runIdle()
    expect(cache.stats.creates).toBe(creates)
    expect(cache.has(first.sessionKey)).toBe(false)
    expect(cache.has(liveKey())).toBe(true)
  })

  it('builds no live session for a LoRA whose merged first session was released before the idle work (another LoRA chosen)', async () => {
    const { cache, deps, runIdle } = host()
    const first = await prepareModelWithLoras(model(), live(1), 'unet', deps)
    await cache.release([first.sessionKey])
    const second = await prepareModelWithLoras(model(), live(1, 'b.safetensors'), 'unet', deps)
    expect(second.sessionKey).toMatch(/\[0:merge:b\.safetensors@1\]#first$/)
    await runIdle()
    expect(cache.has(liveKey())).toBe(false)
    expect(cache.has(liveKey('b.safetensors'))).toBe(true)
  })

  it('keeps the live session from the start for a large model, for a host that cannot build later, for a LoRA with no weights for the model, and for merge-mode LoRAs', async () => {
    const large = host()
    const big = await prepareModelWithLoras(model(FIRST_MERGE_MODEL_BYTES + 1), live(1), 'unet', large.deps)
    expect(big.sessionKey).toBe(liveKey())
    expect(large.idle).toHaveLength(0)

    const cli = host()
    const { later: _, ...noLater } = cli.deps
    const now = await prepareModelWithLoras(model(), live(1), 'unet', noLater)
    expect(now.sessionKey).toBe(liveKey())

    // A LoRA with UNet weights only, on a text encoder: nothing to merge, so nothing to build later either.
    const encoder = host()
    const untouched = await prepareModelWithLoras(model(), live(1), 'te1', encoder.deps)
    expect(untouched.sessionKey).toBe(loraSessionKey(source.key, 'te1', live(1)))
    expect(encoder.idle).toHaveLength(0)

    const merging = host()
    const mergeOnly = await prepareModelWithLoras(model(), [{ name: 'a.safetensors', scale: 1, mode: 'merge' }], 'unet', merging.deps)
    expect(mergeOnly.sessionKey.endsWith('#first')).toBe(false)
    expect(merging.idle).toHaveLength(0)
  })
})
