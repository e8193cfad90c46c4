// FileSource over fetch for the browser: download progress from the streamed response body, and a copy in the
// Cache API (when the context has one) so a model is downloaded once; the engine worker's copies of the app's own
// files are written when it is idle. Only a complete, checked download is kept (url-download-checks.ts). Errors
// name the URL.

import { joinPath, type FileSource } from './files.js'
import { announcedLength, checkDownload, looksLikeHtmlPage, modelUrlProblem } from './url-download-checks.js'
import { ReadAhead, type ReadAheadLimits } from './read-ahead.js'

export interface UrlFileSourceOptions {
  /** Cache API cache name; `null` disables caching. */
  readonly cacheName?: string | null
  /** Injected fetch (tests); defaults to globalThis.fetch. */
  readonly fetch?: typeof fetch
  /** What readAhead may hold (tests); defaults to DEFAULT_READ_AHEAD_LIMITS. */
  readonly readAheadLimits?: ReadAheadLimits
  /**
   * Writes the cache copies of the page's own files up to DEFERRED_CACHE_WRITE_MAX_BYTES at flushCacheWrites() (the
   * engine calls it when idle) instead of as they arrive: writing the default graph's 32 MB into the Cache API during
   * the cold first run slowed it on 2 cores. Other files are written as they arrive, as without this.
   */
  readonly deferCacheWrites?: boolean
}

/** Files up to this size wait for flushCacheWrites(), which fetches them again (from the HTTP cache where it has them). */
export const DEFERRED_CACHE_WRITE_MAX_BYTES = 64 * 1024 * 1024
/** Deferred copies are written after this long even if nobody calls flushCacheWrites(), so they are never lost. */
export const DEFERRED_CACHE_WRITE_LIMIT_MS = 30_000

/** v2: v1 could hold cut or HTML downloads (kept before the checks), so it is dropped rather than trusted. */
export const DEFAULT_MODEL_CACHE = 'hypersd-models-v2'
const RETIRED_CACHES = ['hypersd-models-v1']

/** Reads a response body in chunks, reporting progress against Content-Length (0 when unknown). */
async function readBody(url: string, response: Response, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const total = announcedLength(response) ?? 0
  if (!response.body) return new Uint8Array(await response.arrayBuffer())
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let loaded = 0
  onProgress?.(0, total)
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>
    try {
      step = await reader.read()
    } catch (err) {
      const of = total > 0 ? ` of ${total}` : ''
      throw new Error(`${url}: the download stopped after ${loaded}${of} bytes (${(err as Error).message}); nothing was kept, try again`, { cause: err })
    }
    if (step.done) break
    chunks.push(step.value)
    loaded += step.value.byteLength
    onProgress?.(loaded, Math.max(total, loaded))
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

async function sliceOf(url: string, blob: Blob, start: number, end: number): Promise<Uint8Array> {
  if (end > blob.size) throw new Error(`${url}: bytes ${start}..${end} asked, but the cached file has ${blob.size}`)
  return new Uint8Array(await blob.slice(start, end).arrayBuffer())
}

/** A 206 body, checked against the range asked for (a server may send another, or cut it short). */
async function partialBody(url: string, response: Response, start: number, end: number): Promise<Uint8Array> {
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '')
  if (!range || Number(range[1]) !== start || Number(range[2]) !== end - 1) {
    void response.body?.cancel().catch(() => undefined)
    throw new Error(`${url}: asked for bytes ${start}-${end - 1}, the server sent ${response.headers.get('content-range') ?? 'no Content-Range'}`)
  }
  const bytes = new Uint8Array(await response.arrayBuffer())
  if (bytes.byteLength !== end - start) throw new Error(`${url}: the range ${start}-${end - 1} came with ${bytes.byteLength} bytes, expected ${end - start}`)
  return bytes
}

let retiring: Promise<unknown> | undefined

/** Deletes the caches of older builds, once per page or worker: every read, size and exists check asks for the cache. */
function retireOldCaches(): Promise<unknown> {
  retiring ??= Promise.all(RETIRED_CACHES.map((name) => caches.delete(name))).catch(() => undefined)
  return retiring
}

export class UrlFileSource implements FileSource {
  private readonly fetchImpl: typeof fetch
  private readonly cacheName: string | null
  private readonly ahead: ReadAhead
  private readonly deferCacheWrites: boolean
  private deferredWrites: (() => Promise<void>)[] = []
  private deferredTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly baseUrl: string,
    options: UrlFileSourceOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.cacheName = options.cacheName === undefined ? DEFAULT_MODEL_CACHE : options.cacheName
    this.deferCacheWrites = options.deferCacheWrites ?? false
    this.ahead = new ReadAhead({ size: (path) => this.size(path), readBytes: (path, onProgress) => this.fetchBytes(path, onProgress) }, options.readAheadLimits)
  }

  /** Starts fetching `paths` one after another now; the next readBytes of each takes the bytes (see read-ahead.ts). */
  readAhead(paths: readonly string[]): void {
    this.ahead.start(paths)
  }

  /** A path under the base URL; an absolute http(s) URL (a model hosted elsewhere, e.g. a hub repo) is kept. */
  describe(path: string): string {
    return ABSOLUTE_URL.test(path) ? path : joinPath(this.baseUrl, path)
  }

  /** Whether the cache was absent when first looked for (a fresh profile's): no lookups until this source writes it. */
  private absentOnce: Promise<boolean> | undefined

  /**
   * The cache to look a file up in, or undefined when there can be nothing to find: a browser that has never kept a
   * copy has no cache, and each lookup is two round trips to the browser process (open, match) for every file a
   * first run reads. A copy another tab writes meanwhile is simply not used: the file comes from the server.
   */
  private async lookupCache(): Promise<Cache | undefined> {
    if (this.cacheName === null || typeof caches === 'undefined') return undefined
    const name = this.cacheName
    // A failed check (no caches.has, storage blocked) looks up as before.
    this.absentOnce ??= Promise.resolve()
      .then(() => caches.has(name))
      .then((present) => !present, () => false)
    return (await this.absentOnce) ? undefined : this.cache()
  }

  private async cache(): Promise<Cache | undefined> {
    if (this.cacheName === null || typeof caches === 'undefined') return undefined
    try {
      if (this.cacheName === DEFAULT_MODEL_CACHE) await retireOldCaches()
      // Opened each time, not kept: a Cache held across a clear (clearModelCache) would go on serving deleted copies.
      return await caches.open(this.cacheName)
    } catch {
      return undefined // e.g. opaque origins or storage disabled
    }
  }

  /** Fetches `path`; a dev server's HTML fallback page for a non-HTML file counts as "not found". */
  private async request(path: string, method: 'GET' | 'HEAD', headers?: Record<string, string>): Promise<Response> {
    const url = this.describe(path)
    const refused = ABSOLUTE_URL.test(path) ? modelUrlProblem(url) : undefined
    if (refused) throw new Error(refused)
    let response: Response
    try {
      response = await this.fetchImpl(url, headers ? { method, headers } : { method })
    } catch (err) {
      // fetch says only "Failed to fetch": name the likely causes.
      throw new Error(`${url}: no response (${(err as Error).message}): the server is down or unreachable, or it does not let this page read the file (CORS)`, { cause: err })
    }
    const htmlFallback = !/\.html?$/i.test(path) && (response.headers.get('content-type') ?? '').startsWith('text/html')
    if (!response.ok || htmlFallback) {
      throw new Error(`${url}: ${response.status === 404 || htmlFallback ? 'file not found' : `HTTP ${response.status} ${response.statusText}`.trim()}`)
    }
    return response
  }

  async exists(path: string): Promise<boolean> {
    if (this.ahead.knownSize(path) !== undefined) return true
    const cache = await this.lookupCache()
    if (cache && (await cache.match(this.describe(path)))) return true
    try {
      await this.request(path, 'HEAD')
      return true
    } catch {
      return false
    }
  }

  async readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    return (await this.ahead.claim(path, onProgress)) ?? (await this.fetchBytes(path, onProgress))
  }

  private async fetchBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const url = this.describe(path)
    const lookup = await this.lookupCache()
    const cached = lookup ? await lookup.match(url) : undefined
    if (cached) {
      const bytes = await readBody(url, cached, onProgress)
      if (!looksLikeHtmlPage(path, bytes)) return bytes
      await lookup!.delete(url) // an HTML page an older build cached in place of the file
    }
    // The cache the copy goes to: the one looked in, else opened (created on a fresh profile) beside the request.
    const [response, cache] = await Promise.all([this.request(path, 'GET'), lookup ?? this.cache()])
    const deferred = cache !== undefined && this.defersCopyOf(url, response)
    // The cache gets the server's body through a branch of the same stream: building a Response from the bytes read
    // cost the worker ~0.4 s of copying for the default graph's models on the cold first image.
    const forCache = cache && !deferred ? response.clone() : undefined
    const bytes = await readBody(url, response, onProgress)
    try {
      await checkDownload(url, path, response, bytes)
    } catch (error) {
      void forCache?.body?.cancel().catch(() => undefined)
      throw error
    }
    if (cache && deferred) this.defer(() => this.copyLater(cache, url, bytes.byteLength))
    if (cache && forCache) {
      // Caching is an optimisation: a full quota must not fail the download, and the copy is written while the
      // caller goes on with the bytes. The stored Content-Length must be the body's size, which the server's is not
      // for a compressed transfer: then the branch is rewrapped (read through JS, slower but still off the way).
      const length = String(bytes.byteLength)
      const stored = forCache.headers.get('content-length') === length ? forCache : new Response(forCache.body, { headers: { 'content-length': length } })
      this.absentOnce = Promise.resolve(false)
      void cache.put(url, stored).catch(() => undefined)
    }
    return bytes
  }

  /**
   * Whether this file's cache copy waits for flushCacheWrites(): a file of the page's own origin (fetched again then,
   * from the HTTP cache or the app's server, never from elsewhere), uncompressed, of a known size up to the limit.
   */
  private defersCopyOf(url: string, response: Response): boolean {
    if (!this.deferCacheWrites || typeof location === 'undefined' || new URL(url).origin !== location.origin) return false
    const length = announcedLength(response)
    return length !== undefined && length <= DEFERRED_CACHE_WRITE_MAX_BYTES
  }

  /** The deferred copy: the file read again and stored only when it is the file checked before (same size, no HTML page). */
  private async copyLater(cache: Cache, url: string, size: number): Promise<void> {
    try {
      const again = await this.fetchImpl(url, { cache: 'force-cache' })
      const html = (again.headers.get('content-type') ?? '').startsWith('text/html')
      if (!again.ok || html || announcedLength(again) !== size) {
        void again.body?.cancel().catch(() => undefined)
        return
      }
      this.absentOnce = Promise.resolve(false)
      await cache.put(url, again)
    } catch {
      // Caching is an optimisation: the next visit downloads the file again.
    }
  }

  private defer(write: () => Promise<void>): void {
    this.deferredWrites.push(write)
    this.deferredTimer ??= setTimeout(() => void this.flushCacheWrites(), DEFERRED_CACHE_WRITE_LIMIT_MS)
  }

  /**
   * Writes the held cache copies, one after another, each once `turn` resolves (e.g. when the user is not dragging the
   * canvas); resolves when all are written (or failed: caching is optional).
   */
  async flushCacheWrites(turn: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    clearTimeout(this.deferredTimer)
    this.deferredTimer = undefined
    const writes = this.deferredWrites
    this.deferredWrites = []
    for (const write of writes) {
      await turn()
      await write()
    }
  }

  /** How many cache copies wait for flushCacheWrites(). */
  get pendingCacheWrites(): number {
    return this.deferredWrites.length
  }

  /**
   * Bytes [start, end) of `path`: sliced from the cache copy where there is one (Cache API bodies are read from
   * disk as far as the slice goes), else an HTTP Range request. A server that ignores Range gets one whole read,
   * which leaves the cache copy the next ranges are sliced from.
   */
  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end)) throw new RangeError(`${this.describe(path)}: bad byte range ${start}..${end}`)
    if (start === end) return new Uint8Array(0)
    const url = this.describe(path)
    const cache = await this.lookupCache()
    const cached = cache ? await cache.match(url) : undefined
    if (cached) return sliceOf(url, await cached.blob(), start, end)
    const response = await this.request(path, 'GET', { range: `bytes=${start}-${end - 1}` })
    if (response.status === 206) return partialBody(url, response, start, end)
    void response.body?.cancel().catch(() => undefined)
    const whole = await this.readBytes(path)
    if (end > whole.byteLength) throw new Error(`${url}: bytes ${start}..${end} asked, but the file has ${whole.byteLength}`)
    return whole.subarray(start, end)
  }

  async size(path: string): Promise<number | undefined> {
    const ahead = this.ahead.knownSize(path)
    if (ahead !== undefined) return ahead
    const cache = await this.lookupCache()
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

/** Deletes the cached files of one model: every entry under its folder URL. Returns how many were deleted. */
export async function clearCachedModel(folderUrl: string, cacheName: string = DEFAULT_MODEL_CACHE): Promise<number> {
  if (typeof caches === 'undefined' || !(await caches.has(cacheName))) return 0
  const cache = await caches.open(cacheName)
  const prefix = folderUrl.endsWith('/') ? folderUrl : `${folderUrl}/`
  const doomed = (await cache.keys()).filter((request) => request.url === folderUrl || request.url.startsWith(prefix))
  await Promise.all(doomed.map((request) => cache.delete(request)))
  return doomed.length
}
