// Model downloads in the browser's file source, against a real HTTP server that misbehaves the ways the hostile-input
// battery found (issue 14 §3): a connection cut half way, an HTML page served as octet-stream, a body that does not
// match the sha256 the server states, and plain-http URLs. Only complete, checked files may reach the cache.
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { UrlFileSource, clearCachedModel, DEFAULT_MODEL_CACHE } from '../../src/models/url-files.js'
import { modelUrlProblem } from '../../src/models/url-download-checks.js'

const MODEL = new Uint8Array(4000).map((_, i) => (i * 7) % 251)
const SHA = createHash('sha256').update(MODEL).digest('hex')
let server: Server
let base = ''
/** Bytes /grows/model.onnx adds at each request: a file replaced on the server between two reads. */
let grown = 0
/** Every request the server got, as "METHOD /path". */
const requests: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? ''
    requests.push(`${req.method} ${path}`)
    const send = (headers: Record<string, string>, body: Uint8Array | string): void => {
      res.writeHead(200, headers)
      res.end(body)
    }
    if (path === '/good/model.onnx') send({ 'content-type': 'application/octet-stream', 'content-length': String(MODEL.length), 'x-linked-etag': `"${SHA}"` }, MODEL)
    else if (path === '/cut/model.onnx') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(MODEL.length) })
      res.write(MODEL.subarray(0, 2000))
      setTimeout(() => res.destroy(), 50)
    } else if (path === '/html/model.onnx') send({ 'content-type': 'application/octet-stream' }, '<!DOCTYPE html><html><body>Sign in</body></html>')
    else if (path === '/grows/model.onnx') send({ 'content-type': 'application/octet-stream', 'content-length': String(MODEL.length + grown) }, new Uint8Array(MODEL.length + grown++))
    else if (path === '/tampered/model.onnx') send({ 'content-type': 'application/octet-stream', 'x-linked-etag': `"${'0'.repeat(64)}"` }, MODEL)
    else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** The Cache Storage subset the source uses (Node has none): records what was stored. */
class MemoryCaches {
  readonly stores = new Map<string, Map<string, Response>>()
  async open(name: string): Promise<Cache> {
    const store = this.stores.get(name) ?? new Map<string, Response>()
    this.stores.set(name, store)
    const cache = {
      match: async (url: string) => store.get(url)?.clone(),
      put: async (url: string, response: Response) => void store.set(url, response),
      delete: async (url: string | Request) => store.delete(typeof url === 'string' ? url : url.url),
      keys: async () => [...store.keys()].map((url) => new Request(url)),
    }
    return cache as unknown as Cache
  }
  async has(name: string): Promise<boolean> {
    return this.stores.has(name)
  }
  async delete(name: string): Promise<boolean> {
    return this.stores.delete(name)
  }
}

function withCaches(): MemoryCaches {
  const caches = new MemoryCaches()
  Object.defineProperty(globalThis, 'caches', { value: caches, configurable: true })
  return caches
}

describe('model downloads keep only complete, checked files', () => {
  it('keeps a complete download whose sha256 matches', async () => {
    const caches = withCaches()
    const files = new UrlFileSource(base)
    await expect(files.readBytes('good/model.onnx')).resolves.toEqual(MODEL)
    expect([...caches.stores.get(DEFAULT_MODEL_CACHE)!.keys()]).toEqual([`${base}good/model.onnx`])
  })

  it('refuses a connection cut half way, saying how far it got, and caches nothing', async () => {
    const caches = withCaches()
    const progress: number[] = []
    const error = await new UrlFileSource(base).readBytes('cut/model.onnx', (loaded) => progress.push(loaded)).catch((e: Error) => e)
    expect(String(error)).toMatch(/cut\/model\.onnx: the download stopped after 2000 of 4000 bytes/)
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size ?? 0).toBe(0)
  })

  it('refuses an HTML page served in place of a model file', async () => {
    const caches = withCaches()
    await expect(new UrlFileSource(base).readBytes('html/model.onnx')).rejects.toThrow(/html\/model\.onnx: the server sent an HTML page instead of the file/)
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size ?? 0).toBe(0)
  })

  it('refuses a body whose sha256 is not the one the server states', async () => {
    const caches = withCaches()
    await expect(new UrlFileSource(base).readBytes('tampered/model.onnx')).rejects.toThrow(`sha256 ${SHA} does not match`)
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size ?? 0).toBe(0)
  })

  it('drops an HTML page an older build cached, and downloads the file again', async () => {
    const caches = withCaches()
    const cache = await caches.open(DEFAULT_MODEL_CACHE)
    await cache.put(`${base}good/model.onnx`, new Response('<html><body>oops</body></html>'))
    await expect(new UrlFileSource(base).readBytes('good/model.onnx')).resolves.toEqual(MODEL)
  })

  it('says what failed when nothing answers', async () => {
    withCaches()
    const closed = new UrlFileSource('http://127.0.0.1:9/')
    await expect(closed.readBytes('m/model.onnx')).rejects.toThrow(/127\.0\.0\.1:9\/m\/model\.onnx: no response \(.+\): the server is down or unreachable/)
  })

  it('refuses plain-http model URLs except to this machine', async () => {
    withCaches()
    expect(modelUrlProblem('http://models.example/m/unet/model.onnx')).toMatch(/must use https/)
    expect(modelUrlProblem('https://models.example/m/unet/model.onnx')).toBeUndefined()
    expect(modelUrlProblem('http://localhost:8000/m/model.onnx')).toBeUndefined()
    expect(modelUrlProblem('http://127.0.0.1:8000/m/model.onnx')).toBeUndefined()
    await expect(new UrlFileSource(base).readBytes('http://models.example/m/unet/model.onnx')).rejects.toThrow(/must use https/)
  })

  it('clears one model\'s cached files and leaves the others', async () => {
    const caches = withCaches()
    const cache = await caches.open(DEFAULT_MODEL_CACHE)
    for (const url of ['https://h/a/unet/model.onnx', 'https://h/a/vae/model.onnx', 'https://h/ab/unet/model.onnx']) await cache.put(url, new Response('x'))
    await expect(clearCachedModel('https://h/a')).resolves.toBe(2)
    expect([...caches.stores.get(DEFAULT_MODEL_CACHE)!.keys()]).toEqual(['https://h/ab/unet/model.onnx'])
  })
})

describe('cache lookups', () => {
  it('skips them while the browser has no model cache (a fresh profile), and finds the copies once one is written', async () => {
    const caches = withCaches()
    const opened = vi.spyOn(caches, 'open')
    const source = new UrlFileSource(base)
    requests.length = 0
    expect(await source.exists('good/model.onnx')).toBe(true)
    expect(await source.size('good/model.onnx')).toBe(MODEL.length)
    expect(opened).not.toHaveBeenCalled() // two lookups skipped: nothing could be in a cache that is not there
    expect(await source.readBytes('good/model.onnx')).toEqual(MODEL)
    expect(opened).toHaveBeenCalledTimes(1) // to keep the copy
    expect(requests).toEqual(['HEAD /good/model.onnx', 'HEAD /good/model.onnx', 'GET /good/model.onnx'])
    await vi.waitFor(() => expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size).toBe(1))
    // From then on the copy is found, by this source and by a new one, without asking the server.
    expect(await source.readBytes('good/model.onnx')).toEqual(MODEL)
    expect(await new UrlFileSource(base).readBytes('good/model.onnx')).toEqual(MODEL)
    expect(await new UrlFileSource(base).exists('good/model.onnx')).toBe(true)
    expect(requests).toHaveLength(3)
  })
})

// The engine worker's source for the app's own models (host-services.ts) holds their cache copies until the engine is
// idle, then reads each file again and stores it, so the Cache API writes do not compete with the first run.
describe('deferred cache copies of the page\'s own files', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('stores nothing during the read, and the checked file at flushCacheWrites()', async () => {
    const caches = withCaches()
    vi.stubGlobal('location', { origin: new URL(base).origin })
    const files = new UrlFileSource(base, { deferCacheWrites: true })
    await expect(files.readBytes('good/model.onnx')).resolves.toEqual(MODEL)
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size ?? 0).toBe(0)
    expect(files.pendingCacheWrites).toBe(1)
    await files.flushCacheWrites()
    expect(files.pendingCacheWrites).toBe(0)
    const stored = await (await caches.open(DEFAULT_MODEL_CACHE)).match(`${base}good/model.onnx`)
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(MODEL)
    // The next read is served from the copy.
    await expect(new UrlFileSource(base, { deferCacheWrites: true, fetch: () => Promise.reject(new Error('offline')) }).readBytes('good/model.onnx')).resolves.toEqual(MODEL)
  })

  it('writes each copy only once its turn comes (the user has stopped dragging the canvas)', async () => {
    const caches = withCaches()
    vi.stubGlobal('location', { origin: new URL(base).origin })
    const files = new UrlFileSource(base, { deferCacheWrites: true })
    await files.readBytes('good/model.onnx')
    let letGo: () => void = () => undefined
    const flushed = files.flushCacheWrites(() => new Promise<void>((resolve) => (letGo = resolve)))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size ?? 0).toBe(0)
    letGo()
    await flushed
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size).toBe(1)
  })

  it('writes another origin\'s file at once (it is never fetched twice)', async () => {
    const caches = withCaches()
    vi.stubGlobal('location', { origin: 'http://localhost:1' })
    const files = new UrlFileSource(base, { deferCacheWrites: true })
    await files.readBytes('good/model.onnx')
    expect(files.pendingCacheWrites).toBe(0)
    await vi.waitFor(() => expect([...(caches.stores.get(DEFAULT_MODEL_CACHE)?.keys() ?? [])]).toEqual([`${base}good/model.onnx`]))
  })

  it('keeps no copy when the file read again is not the one checked', async () => {
    const caches = withCaches()
    vi.stubGlobal('location', { origin: new URL(base).origin })
    const files = new UrlFileSource(base, { deferCacheWrites: true })
    const first = await files.readBytes('grows/model.onnx')
    await files.flushCacheWrites()
    expect(first.byteLength).toBe(MODEL.length + grown - 2)
    expect(caches.stores.get(DEFAULT_MODEL_CACHE)?.size ?? 0).toBe(0)
  })
})
