// The engine worker started by the app's first module is told its backend at once, and the first EngineClient adopts
// it with what it said meanwhile, or replaces it when it wants another backend. A stand-in Worker records messages
// (the real worker's start is what every browser test opens the app with).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FromWorker, ToWorker } from '../../src/worker/protocol.js'

class FakeWorker {
  static made: FakeWorker[] = []
  readonly sent: ToWorker[] = []
  terminated = false
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null = null
  onerror: ((event: ErrorEvent) => void) | null = null
  constructor(readonly url: URL, readonly options: WorkerOptions) {
    FakeWorker.made.push(this)
  }
  postMessage(message: ToWorker): void {
    this.sent.push(message)
  }
  addEventListener(): void {}
  terminate(): void {
    this.terminated = true
  }
  /** The worker posting a message to the page. */
  say(message: FromWorker): void {
    this.onmessage?.({ data: message } as MessageEvent<FromWorker>)
  }
}

const READY: FromWorker = { type: 'ready', backend: 'wasm', detail: 'WASM, 2 threads', badge: 'wasm', reason: 'asked for' }

function pageAt(search: string, stored: Record<string, unknown> = {}): void {
  vi.stubGlobal('Worker', FakeWorker)
  vi.stubGlobal('document', { baseURI: 'http://127.0.0.1:5173/' })
  vi.stubGlobal('location', { search })
  vi.stubGlobal('localStorage', { getItem: () => JSON.stringify(stored) })
}

const MODELS = 'http://127.0.0.1:5173/models/'

/** The page loaded with `stored` settings, the early worker said `ready`, then the app made a WASM client. */
async function wasmClientAfterReady(stored: Record<string, unknown>) {
  pageAt('', stored)
  const { EngineClient } = await import('../../src/worker/client.js')
  const early = FakeWorker.made[0]!
  early.say(READY)
  const got: FromWorker[] = []
  const client = new EngineClient('wasm', MODELS, (m) => got.push(m))
  return { EngineClient, early, got, client }
}

describe('the early engine worker', () => {
  beforeEach(() => {
    vi.resetModules()
    FakeWorker.made = []
  })
  afterEach(() => void vi.unstubAllGlobals())

  it('is started and told its backend when the first module loads, from the URL before the stored setting', async () => {
    pageAt('?backend=wasm', { backend: 'webgpu' })
    await import('../../src/worker/early-worker.js')
    expect(FakeWorker.made).toHaveLength(1)
    expect(FakeWorker.made[0]!.sent).toEqual([{ type: 'init', backend: 'wasm', modelsBase: MODELS }])
  })

  it('is adopted by a client that wants the same backend: no second init, and what it said meanwhile comes first, in order', async () => {
    const { early, got, client } = await wasmClientAfterReady({ backend: 'wasm' })
    client.setModels([])
    expect(FakeWorker.made).toHaveLength(1)
    expect(early.sent.map((m) => m.type)).toEqual(['init', 'models'])
    await Promise.resolve()
    early.say({ type: 'warm-up-done', id: 1, sessions: [] })
    expect(got.map((m) => m.type)).toEqual(['ready', 'warm-up-done'])
  })

  it('is replaced for a client that wants another backend, which then gets a worker of its own and its own init', async () => {
    const { EngineClient, early, got } = await wasmClientAfterReady({ backend: 'webgpu' })
    expect(early.terminated).toBe(true)
    expect(FakeWorker.made).toHaveLength(2)
    expect(FakeWorker.made[1]!.sent).toEqual([{ type: 'init', backend: 'wasm', modelsBase: MODELS }])
    await Promise.resolve()
    expect(got).toEqual([]) // nothing the replaced worker said
    // A later client (e.g. after a GPU device loss) starts a new worker too.
    new EngineClient('auto', MODELS, () => undefined)
    expect(FakeWorker.made).toHaveLength(3)
    expect(FakeWorker.made[2]!.sent.map((m) => m.type)).toEqual(['init'])
  })
})
