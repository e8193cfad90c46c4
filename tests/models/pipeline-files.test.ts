// The FileSources the pipeline reader runs on: node:fs (CLI) and fetch + Cache API (browser).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { NodeFileSource } from '../../src/models/node-files.js'
import { UrlFileSource, clearModelCache } from '../../src/models/url-files.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'
import { serveStatic } from '../browser/static-server.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hypersd-files-'))
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub/data.bin'), Uint8Array.from({ length: 1000 }, (_, i) => i % 251))
  writeFileSync(join(dir, 'text.json'), '{"é": 1}')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('NodeFileSource', () => {
  it('reads bytes and text, with progress', async () => {
    const files = new NodeFileSource(dir)
    const progress: [number, number][] = []
    const bytes = await files.readBytes('sub/data.bin', (loaded, total) => progress.push([loaded, total]))
    expect(bytes.length).toBe(1000)
    expect(bytes[252]).toBe(1)
    expect(progress[0]).toEqual([0, 1000])
    expect(progress.at(-1)).toEqual([1000, 1000])
    expect(await files.readText('text.json')).toBe('{"é": 1}')
    expect(await files.exists('sub/data.bin')).toBe(true)
    expect(await files.exists('sub/nope.bin')).toBe(false)
  })

  it('names the path in errors', async () => {
    const files = new NodeFileSource(dir)
    await expect(files.readBytes('sub/nope.bin')).rejects.toThrow(`${join(dir, 'sub/nope.bin')}: file not found`)
    await expect(files.readText('sub')).rejects.toThrow(`${join(dir, 'sub')}: is a folder, not a file`)
    await expect(files.readBytes('sub', () => undefined)).rejects.toThrow(`${join(dir, 'sub')}: is a folder, not a file`)
  })
})

/** A fake server: path -> body; other paths 404 unless `spaFallback`, which answers with an HTML page. */
function fakeFetch(files: Record<string, Uint8Array | string>, options: { spaFallback?: boolean } = {}) {
  const calls: string[] = []
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input)
    calls.push(`${init?.method ?? 'GET'} ${url}`)
    const path = new URL(url).pathname
    const body = Object.hasOwn(files, path) ? files[path] : undefined
    if (body === undefined) {
      if (options.spaFallback) return new Response('<!doctype html><title>app</title>', { headers: { 'content-type': 'text/html' } })
      return new Response('missing', { status: 404, statusText: 'Not Found' })
    }
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
    // Two chunks, to exercise progress over a streamed body.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, bytes.length >> 1))
        controller.enqueue(bytes.slice(bytes.length >> 1))
        controller.close()
      },
    })
    const headers = { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' }
    return new Response(init?.method === 'HEAD' ? null : stream, { headers })
  }
  return { fetchImpl: fetchImpl as typeof fetch, calls }
}

/** Minimal Cache API stand-in (node has none). */
class FakeCacheStorage {
  readonly stores = new Map<string, Map<string, Response>>()
  async open(name: string) {
    let store = this.stores.get(name)
    if (!store) this.stores.set(name, (store = new Map()))
    const entries = store
    return {
      match: async (url: string) => entries.get(url)?.clone(),
      put: async (url: string, response: Response) => {
        entries.set(url, response)
      },
    }
  }
  async delete(name: string) {
    return this.stores.delete(name)
  }
}

describe('UrlFileSource', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('downloads with streamed progress and names the URL on errors', async () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i)
    const { fetchImpl } = fakeFetch({ '/models/m/unet/model.onnx': data })
    const files = new UrlFileSource('http://host/models/', { fetch: fetchImpl, cacheName: null })
    expect(files.describe('m/unet/model.onnx')).toBe('http://host/models/m/unet/model.onnx')
    const progress: [number, number][] = []
    expect(await files.readBytes('m/unet/model.onnx', (l, t) => progress.push([l, t]))).toEqual(data)
    expect(progress).toEqual([
      [0, 100],
      [50, 100],
      [100, 100],
    ])
    expect(await files.exists('m/unet/model.onnx')).toBe(true)
    expect(await files.exists('m/unet/other.onnx')).toBe(false)
    await expect(files.readBytes('m/vae_decoder/model.onnx')).rejects.toThrow('http://host/models/m/vae_decoder/model.onnx: file not found')
  })

  it("treats a dev server's HTML fallback page as a missing file", async () => {
    const { fetchImpl } = fakeFetch({}, { spaFallback: true })
    const files = new UrlFileSource('http://host/models', { fetch: fetchImpl, cacheName: null })
    expect(await files.exists('tiny/model_index.json')).toBe(false)
    await expect(files.readText('tiny/model_index.json')).rejects.toThrow('http://host/models/tiny/model_index.json: file not found')
  })

  it('reports network failures with the URL', async () => {
    const failing = (async () => {
      throw new TypeError('Failed to fetch')
    }) as typeof fetch
    const files = new UrlFileSource('http://host', { fetch: failing, cacheName: null })
    await expect(files.readBytes('x.onnx')).rejects.toThrow('http://host/x.onnx: no response (Failed to fetch): the server is down or unreachable')
  })

  it('keeps downloads in the Cache API and serves them from there next time', async () => {
    const caches = new FakeCacheStorage()
    vi.stubGlobal('caches', caches)
    const { fetchImpl, calls } = fakeFetch({ '/m/a.bin': Uint8Array.from([1, 2, 3]) })
    const files = new UrlFileSource('http://host/m', { fetch: fetchImpl })
    expect(await files.readBytes('a.bin')).toEqual(Uint8Array.from([1, 2, 3]))
    const again = new UrlFileSource('http://host/m', { fetch: fetchImpl })
    const progress: number[] = []
    expect(await again.readBytes('a.bin', (l) => progress.push(l))).toEqual(Uint8Array.from([1, 2, 3]))
    expect(await again.exists('a.bin')).toBe(true)
    expect(calls).toEqual(['GET http://host/m/a.bin'])
    expect(progress.at(-1)).toBe(3)
    expect(await clearModelCache()).toBe(true)
  })

  it('reads a pipeline folder over HTTP', async () => {
    const { readFileSync, readdirSync, statSync } = await import('node:fs')
    const served: Record<string, Uint8Array> = {}
    const walk = (rel: string): void => {
      for (const name of readdirSync(join('public/models/tiny-sd15', rel))) {
        const path = rel ? `${rel}/${name}` : name
        if (statSync(join('public/models/tiny-sd15', path)).isDirectory()) walk(path)
        else served[`/models/tiny-sd15/${path}`] = readFileSync(join('public/models/tiny-sd15', path))
      }
    }
    walk('')
    const { fetchImpl } = fakeFetch(served)
    const folder = await readPipelineFolder(new UrlFileSource('http://host/models', { fetch: fetchImpl, cacheName: null }), 'tiny-sd15')
    expect(folder.variant).toBe('sd15')
    expect(folder.unet.model.key).toBe('http://host/models/tiny-sd15/unet/model.onnx')
    const unet = await folder.unet.model.load()
    expect(unet.externalData?.[0]?.path).toBe('model.onnx_data')
    await expect(readPipelineFolder(new UrlFileSource('http://host/models', { fetch: fetchImpl, cacheName: null }), 'nope')).rejects.toThrow(
      'http://host/models/nope: model folder not found',
    )
  })

  it('asks for every file of a pipeline folder at once, over a real server, with no existence check before a read', async () => {
    // Each request is a round trip the first image waits for: LoadPipeline asked one by one, a HEAD before each GET.
    const server = await serveStatic('public')
    try {
      const calls: string[] = []
      let inFlight = 0
      let mostInFlight = 0
      const counting: typeof fetch = async (input, init) => {
        calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`)
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        try {
          return await fetch(input, init)
        } finally {
          inFlight--
        }
      }
      const folder = await readPipelineFolder(new UrlFileSource(`${server.url}/models`, { fetch: counting, cacheName: null }), 'tiny-sd15')
      expect(folder.variant).toBe('sd15')
      // HEADs only for the files tiny-sd15 lacks (after their GET found nothing), none for a file that was read.
      expect(calls.filter((c) => c.startsWith('HEAD')).sort()).toEqual(['HEAD /models/tiny-sd15/text_encoder_2/model.onnx', 'HEAD /models/tiny-sd15/tokenizer/tokenizer.json'])
      expect(calls.filter((c) => c.startsWith('GET')).sort()).toEqual(
        ['model_index.json', 'scheduler/scheduler_config.json', 'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json', 'unet/config.json', 'vae_decoder/config.json'].map((f) => `GET /models/tiny-sd15/${f}`),
      )
      // model_index.json, three configs, five tokenizer files and the SDXL check, all before the first answer.
      expect(mostInFlight).toBe(10)
    } finally {
      await server.close()
    }
  })
})
