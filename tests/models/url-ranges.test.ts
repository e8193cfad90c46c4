// Range reads of model files over HTTP (UrlFileSource.readRange), against Vite's dev server (`npm run dev`, which
// answers Range requests, as `npm start`'s server does: tests/tooling/serve.test.ts) and a static server that ignores
// them: a large safetensors file is opened header-first and read tensor by tensor instead of whole, once per range.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSafetensorsFile } from '../../src/models/safetensors/file-source.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'
import { UrlFileSource, DEFAULT_MODEL_CACHE } from '../../src/models/url-files.js'
import { serveStatic, type StaticServer } from '../browser/static-server.js'
import { ROOT } from '../helpers/tiny-host.js'

const LORA = 'models/loras/hyper-shapes-4step.safetensors'
const loraBytes = readFileSync(join(ROOT, 'public', LORA))
let vite: ViteDevServer
let viteUrl = ''
let plain: StaticServer

beforeAll(async () => {
  vite = await createServer({ configFile: false, root: join(ROOT, 'public'), publicDir: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null } })
  await vite.listen()
  viteUrl = vite.resolvedUrls!.local[0]!
  plain = await serveStatic(join(ROOT, 'public'))
})
afterAll(async () => Promise.all([vite?.close(), plain?.close()]))

/** fetch that records what was asked and how many body bytes came back. */
function countingFetch() {
  const requests: { url: string; range: string | null; status: number; bytes: number }[] = []
  const impl: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    const range = new Headers(init?.headers).get('range')
    const record = { url: String(input), range, status: response.status, bytes: 0 }
    requests.push(record)
    if (!response.body || init?.method === 'HEAD') return response
    const body = new Uint8Array(await response.arrayBuffer())
    record.bytes = body.byteLength
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
  return { impl, requests }
}

/** The Cache Storage subset UrlFileSource uses (Node has none). */
function memoryCaches(): Map<string, Response> {
  const store = new Map<string, Response>()
  const cache = {
    match: async (url: string) => store.get(url)?.clone(),
    put: async (url: string, response: Response) => void store.set(url, response),
    delete: async (url: string) => store.delete(url),
  }
  Object.defineProperty(globalThis, 'caches', { value: { open: async () => cache, delete: async () => true }, configurable: true })
  return store
}

describe('range reads of model files over HTTP', () => {
  it('opens a safetensors file header-first and reads one tensor with two small ranges, not the whole file', async () => {
    const { impl, requests } = countingFetch()
    const files = new UrlFileSource(viteUrl, { cacheName: null, fetch: impl })
    const opened = await openSafetensorsFile(files, LORA)
    const reference = readSafetensors(new Uint8Array(loraBytes), LORA)
    expect([...opened.tensors.keys()]).toEqual([...reference.tensors.keys()])
    const name = [...reference.tensors.keys()][0]!
    expect((await opened.readFloats(name)).data).toEqual((await reference.readFloats(name)).data)
    const gets = requests.filter((r) => r.range !== null)
    expect(gets.length).toBeGreaterThanOrEqual(2)
    expect(gets.every((r) => r.status === 206)).toBe(true)
    expect(requests.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThan(loraBytes.byteLength / 4)
  })

  it('slices ranges from the cache copy without asking the server', async () => {
    const store = memoryCaches()
    const { impl, requests } = countingFetch()
    const files = new UrlFileSource(viteUrl, { fetch: impl })
    expect(Buffer.from(await files.readBytes(LORA)).equals(loraBytes)).toBe(true)
    expect([...store.keys()]).toEqual([`${viteUrl}${LORA}`])
    const asked = requests.length
    expect(await files.readRange(LORA, 100, 4100)).toEqual(new Uint8Array(loraBytes.subarray(100, 4100)))
    expect(requests.length).toBe(asked)
    await expect(files.readRange(LORA, 0, loraBytes.byteLength + 1)).rejects.toThrow(`${viteUrl}${LORA}: bytes 0..${loraBytes.byteLength + 1} asked, but the cached file has ${loraBytes.byteLength}`)
    Reflect.deleteProperty(globalThis, 'caches')
    expect(DEFAULT_MODEL_CACHE).toBe('hypersd-models-v2')
  })

  it('reads the whole file once from a server that ignores Range, and slices the next ranges from its cache copy', async () => {
    memoryCaches()
    const { impl, requests } = countingFetch()
    const files = new UrlFileSource(plain.url, { fetch: impl })
    expect(await files.readRange(LORA, 8, 16)).toEqual(new Uint8Array(loraBytes.subarray(8, 16)))
    expect(await files.readRange(LORA, 2000, 2100)).toEqual(new Uint8Array(loraBytes.subarray(2000, 2100)))
    expect(requests.filter((r) => r.range === null && r.bytes === loraBytes.byteLength)).toHaveLength(1)
    Reflect.deleteProperty(globalThis, 'caches')
  })

  it('names the file when it is not there', async () => {
    const files = new UrlFileSource(viteUrl, { cacheName: null })
    await expect(files.readRange('models/loras/missing.safetensors', 0, 8)).rejects.toThrow(`${viteUrl}models/loras/missing.safetensors: file not found`)
    await expect(new UrlFileSource(plain.url, { cacheName: null }).readRange('models/loras/missing.safetensors', 0, 8)).rejects.toThrow('missing.safetensors: file not found')
  })
})
