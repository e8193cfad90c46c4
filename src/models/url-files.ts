// FileSource over fetch for the browser: download progress from the streamed response body, and a copy in the
// Cache API (when the context has one) so a model is downloaded once. Errors name the URL.

import { joinPath, type FileSource } from './files.js'

export interface UrlFileSourceOptions {
  /** Cache API cache name; `null` disables caching. */
  readonly cacheName?: string | null
  /** Injected fetch (tests); defaults to globalThis.fetch. */
  readonly fetch?: typeof fetch
}

export const DEFAULT_MODEL_CACHE = 'hypersd-models-v1'

/** Reads a response body in chunks, reporting progress against Content-Length (0 when unknown). */
async function readBody(response: Response, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const total = Number(response.headers.get('content-length') ?? 0) || 0
  if (!response.body || !onProgress) return new Uint8Array(await response.arrayBuffer())
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let loaded = 0
  onProgress(0, total)
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    loaded += value.byteLength
    onProgress(loaded, Math.max(total, loaded))
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(loaded)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

const ABSOLUTE_URL = /^https?:\/\//i

export class UrlFileSource implements FileSource {
  private readonly fetchImpl: typeof fetch
  private readonly cacheName: string | null

  constructor(
    readonly baseUrl: string,
    options: UrlFileSourceOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.cacheName = options.cacheName === undefined ? DEFAULT_MODEL_CACHE : options.cacheName
  }

  /** A path under the base URL; an absolute http(s) URL (a model hosted elsewhere, e.g. a hub repo) is kept. */
  describe(path: string): string {
    return ABSOLUTE_URL.test(path) ? path : joinPath(this.baseUrl, path)
  }

  private async cache(): Promise<Cache | undefined> {
    if (this.cacheName === null || typeof caches === 'undefined') return undefined
    try {
      return await caches.open(this.cacheName)
    } catch {
      return undefined // e.g. opaque origins or storage disabled
    }
  }

  /** Fetches `path`; a dev server's HTML fallback page for a non-HTML file counts as "not found". */
  private async request(path: string, method: 'GET' | 'HEAD'): Promise<Response> {
    const url = this.describe(path)
    let response: Response
    try {
      response = await this.fetchImpl(url, { method })
    } catch (err) {
      throw new Error(`${url}: ${(err as Error).message}`, { cause: err })
    }
    const htmlFallback = !/\.html?$/i.test(path) && (response.headers.get('content-type') ?? '').startsWith('text/html')
    if (!response.ok || htmlFallback) {
      throw new Error(`${url}: ${response.status === 404 || htmlFallback ? 'file not found' : `HTTP ${response.status} ${response.statusText}`.trim()}`)
    }
    return response
  }

  async exists(path: string): Promise<boolean> {
    const cache = await this.cache()
    if (cache && (await cache.match(this.describe(path)))) return true
    try {
      await this.request(path, 'HEAD')
      return true
    } catch {
      return false
    }
  }

  async readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const url = this.describe(path)
    const cache = await this.cache()
    const cached = cache ? await cache.match(url) : undefined
    if (cached) return readBody(cached, onProgress)
    const bytes = await readBody(await this.request(path, 'GET'), onProgress)
    if (cache) {
      // Caching is an optimisation: a full quota must not fail the download.
      await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.byteLength) } })).catch(() => undefined)
    }
    return bytes
  }

  async size(path: string): Promise<number | undefined> {
    const cache = await this.cache()
    const cached = cache ? await cache.match(this.describe(path)) : undefined
    try {
      const length = (cached ?? (await this.request(path, 'HEAD'))).headers.get('content-length')
      return length === null ? undefined : Number(length)
    } catch {
      return undefined
    }
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readBytes(path))
  }
}

/** Deletes the downloaded-model cache (e.g. after the models on the server changed). */
export async function clearModelCache(cacheName: string = DEFAULT_MODEL_CACHE): Promise<boolean> {
  return typeof caches === 'undefined' ? false : caches.delete(cacheName)
}
