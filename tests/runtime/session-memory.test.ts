import { describe, expect, it } from 'vitest'
import { SessionCache } from '../../src/runtime/index.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import type { InferenceBackend, ModelSession, ModelSource, SessionMemory } from '../../src/runtime/types.js'
import { buildAffineModel } from './test-models.js'

const node = createNodeBackend()
const x = { dtype: 'float32' as const, dims: [1, 4], data: Float32Array.of(1, 1, 1, 1) }
const source = (key: string) => async (): Promise<ModelSource> => ({ key, bytes: buildAffineModel().model })
/** Room for two sessions: every model is costed at 100 bytes, whatever its file. */
const twoFit: SessionMemory = { bytes: 250, what: 'a 250-byte test budget', estimate: () => 100 }

describe('SessionCache under a memory budget', () => {
  it('evicts the least recently used idle session when the next one would not fit', async () => {
    const cache = new SessionCache(node, undefined, twoFit)
    const a = await cache.getOrCreate('a', source('a'))
    await cache.getOrCreate('b', source('b'))
    await a.run({ x }) // a is now more recently used than b
    await cache.getOrCreate('c', source('c'))
    expect(cache.keys().sort()).toEqual(['a', 'c'])
    expect(cache.stats).toMatchObject({ size: 2, evictions: 1 })
    expect(cache.heldBytes).toBe(200)
    // A hit refreshes recency too: a, then d evicts c.
    await cache.getOrCreate('a', source('a'))
    await cache.getOrCreate('d', source('d'))
    expect(cache.keys().sort()).toEqual(['a', 'd'])
    await cache.dispose()
  })

  it('never evicts a session while it runs', async () => {
    // The real onnxruntime-node sessions, with each run held at a gate until the test opens it.
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const gated: InferenceBackend = {
      name: 'gated onnxruntime-node',
      async createSession(src, options) {
        const inner = await node.createSession(src, options)
        return { ...inner, backend: inner.backend, inputs: inner.inputs, outputs: inner.outputs, run: async (feeds, names) => (await gate, inner.run(feeds, names)), dispose: () => inner.dispose() } satisfies ModelSession
      },
    }
    const cache = new SessionCache(gated, undefined, twoFit)
    const busy = await cache.getOrCreate('busy', source('busy'))
    await cache.getOrCreate('idle', source('idle'))
    const running = busy.run({ x })
    await cache.getOrCreate('new', source('new')) // busy is older, but running: idle goes
    expect(cache.keys().sort()).toEqual(['busy', 'new'])
    open()
    expect(Array.from((await running).y!.data as Float32Array)).toEqual([1.5, 1.5, 13, -6])
    await cache.dispose()
  })

  it('keeps going past the budget when nothing idle is left to evict (the preflight decides about one model alone)', async () => {
    const cache = new SessionCache(node, undefined, { bytes: 50, what: 'a tiny budget', estimate: () => 100 })
    const a = await cache.getOrCreate('a', source('a'))
    expect((await a.run({ x })).y!.dims).toEqual([1, 4])
    await cache.getOrCreate('b', source('b'))
    expect(cache.keys()).toEqual(['b'])
    await cache.dispose()
  })
})
