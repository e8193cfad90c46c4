// A local stand-in for the Hugging Face Hub, for tests: a real HTTP server on 127.0.0.1 that answers the
// tree / revision APIs and `resolve` downloads with the Hub's status codes, headers and CDN redirects
// (reference: huggingface_hub's file_download.py and hf_api.py), plus switchable network faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { COMMON_HEADERS, PREFLIGHT_HEADERS, headerValue, sendBytes, sendJson, sendText, type ByteFaults } from './http-bytes.js'
import { listTree, sha256Hex, storeRepo, wrongHashOf, type StoredFile, type StoredRepo } from './hub-store.js'

export { sha256Hex }

export interface HubFile {
  readonly path: string
  readonly bytes: Uint8Array
  /** stored in LFS (big binaries): served through a CDN redirect with X-Linked-ETag; default: true for .onnx, .onnx_data, .safetensors, .bin, .ckpt, .pb, or > 10 KiB */
  readonly lfs?: boolean
}

export interface HubRepo {
  readonly id: string /* "owner/name" */
  readonly revision?: string /* default 'main' */
  readonly commit?: string /* 40-hex; derived from id+revision when absent */
  readonly files: readonly HubFile[]
  /** 401 for every request to this repo, as the Hub does for a gated repo without a token */
  readonly gated?: boolean
}

export interface HubFaults {
  /** Cut the connection after this many body bytes of this file (repo-relative path, or "owner/name/path"); `times` (default 1) how many requests get cut before it serves normally again. */
  cut?: { readonly file: string; readonly afterBytes: number; readonly times?: number; /** Instead of closing, hold the connection open after those bytes (a stalled transfer) until the client gives up or the hub closes. */ readonly stall?: boolean }[]
  /** Send this Content-Length for the file instead of the real one (a lying server); the body is the real bytes, and the socket is ended after them. */
  lieContentLength?: { readonly file: string; readonly declared: number }[]
  /** Serve this file as an HTML page with status 200 and content-type text/html (a captive portal / login page instead of the file). */
  htmlInstead?: string[]
  /** Ignore Range headers for this file (answer 200 with the whole file), like a server without range support. */
  noRange?: string[]
  /** Answer this file's LFS ETag / X-Linked-ETag / tree `lfs.oid` with a wrong sha256 (hash-mismatch tests). */
  wrongSha?: string[]
  /** A mirror without the tree API: it answers a bare 404 (no X-Error-Code), so clients list the revision's siblings, which carry no sizes or hashes. */
  noTree?: boolean
}

export interface MockHub {
  readonly url: string
  readonly requests: readonly { method: string; url: string; range?: string; status: number }[]
  setFaults(faults: HubFaults): void
  close(): Promise<void>
}

type LoggedRequest = { method: string; url: string; range?: string; status: number }
type RepoLookup = { readonly repo: StoredRepo } | { readonly status: number; readonly code: string; readonly error: string }

const PORTAL_PAGE = '<!doctype html><html><head><title>Sign in to the network</title></head><body><form>Login required</form></body></html>'
const NOT_FOUND_PAGE =
  '<!doctype html><html><head><title>404 – Hugging Face</title></head>' +
  '<body><h1>404</h1><p>Sorry, we can’t find the page you are looking for.</p></body></html>'
const HTML = 'text/html; charset=utf-8'

/** Which faults apply to one file; each `cut` counts down per GET that carries the file's bytes. */
class FaultBook {
  private readonly cutsLeft: number[]
  constructor(private readonly faults: HubFaults) {
    this.cutsLeft = (faults.cut ?? []).map((cut) => cut.times ?? 1)
  }
  private static names(spec: string, repo: StoredRepo, path: string): boolean {
    return spec === path || spec === `${repo.id}/${path}`
  }
  private listed(list: readonly string[] | undefined, repo: StoredRepo, path: string): boolean {
    return list?.some((spec) => FaultBook.names(spec, repo, path)) ?? false
  }
  htmlInstead(repo: StoredRepo, path: string): boolean {
    return this.listed(this.faults.htmlInstead, repo, path)
  }
  get noTree(): boolean {
    return this.faults.noTree ?? false
  }
  wrongSha(repo: StoredRepo, path: string): boolean {
    return this.listed(this.faults.wrongSha, repo, path)
  }
  /** The faults for one response carrying the file's bytes; a GET uses up one of the file's cuts. */
  byteFaults(repo: StoredRepo, path: string, method: string | undefined): ByteFaults {
    const lie = this.faults.lieContentLength?.find((entry) => FaultBook.names(entry.file, repo, path))
    const cutIndex = (this.faults.cut ?? []).findIndex(
      (cut, index) => FaultBook.names(cut.file, repo, path) && (this.cutsLeft[index] ?? 0) > 0,
    )
    const cut = method === 'GET' && cutIndex >= 0 ? this.faults.cut?.[cutIndex] : undefined
    if (cut) this.cutsLeft[cutIndex] = (this.cutsLeft[cutIndex] ?? 1) - 1
    return {
      ...(cut ? (cut.stall ? { stallAfterBytes: cut.afterBytes } : { cutAfterBytes: cut.afterBytes }) : {}),
      ...(lie ? { declaredLength: lie.declared } : {}),
      ignoreRange: this.listed(this.faults.noRange, repo, path),
    }
  }
}

function contentTypeOf(path: string): string {
  if (path.endsWith('.json')) return 'application/json; charset=utf-8'
  if (/\.(txt|md)$/.test(path)) return 'text/plain; charset=utf-8'
  return 'application/octet-stream'
}

export async function startMockHub(repos: readonly HubRepo[], faults: HubFaults = {}): Promise<MockHub> {
  const stored = repos.map(storeRepo)
  const requests: LoggedRequest[] = []
  let faultBook = new FaultBook(faults)
  let baseUrl = ''

  const lookUp = (id: string, revision: string | undefined): RepoLookup => {
    const candidates = stored.filter((repo) => repo.id === id)
    if (candidates.length === 0) return { status: 404, code: 'RepoNotFound', error: 'Repository not found' }
    if (candidates.some((repo) => repo.gated)) {
      const error = `Access to model ${id} is restricted. You must be authenticated to access it.`
      return { status: 401, code: 'GatedRepo', error }
    }
    // The Hub accepts a branch name or a commit id wherever a revision goes.
    const repo =
      revision === undefined
        ? (candidates.find((candidate) => candidate.revision === 'main') ?? candidates[0])
        : candidates.find((candidate) => candidate.revision === revision || candidate.commit === revision)
    if (!repo) return { status: 404, code: 'RevisionNotFound', error: `Invalid rev id: ${revision ?? ''}` }
    return { repo }
  }
  const sendLookupError = (response: ServerResponse, failure: Exclude<RepoLookup, { repo: StoredRepo }>): number =>
    sendJson(response, failure.status, { error: failure.error }, { 'X-Error-Code': failure.code, 'X-Error-Message': failure.error })

  const answerInfo = (response: ServerResponse, id: string, revision: string | undefined): number => {
    const found = lookUp(id, revision)
    if (!('repo' in found)) return sendLookupError(response, found)
    const siblings = [...found.repo.files.keys()].sort().map((rfilename) => ({ rfilename }))
    const { commit } = found.repo
    return sendJson(response, 200, { id, modelId: id, sha: commit, private: false, gated: false, disabled: false, tags: [], siblings })
  }

  const answerTree = (response: ServerResponse, id: string, revision: string, folder: string, recursive: boolean): number => {
    if (faultBook.noTree) return sendText(response, 404, 'text/plain; charset=utf-8', 'Not Found')
    const found = lookUp(id, revision)
    if (!('repo' in found)) return sendLookupError(response, found)
    const { repo } = found
    const entries = listTree(repo, folder, recursive, (path) => faultBook.wrongSha(repo, path))
    if (!entries) {
      const error = `Entry not found: ${folder} does not exist on "${revision}"`
      return sendJson(response, 404, { error }, { 'X-Error-Code': 'EntryNotFound', 'X-Error-Message': error })
    }
    return sendJson(response, 200, entries, { 'X-Repo-Commit': repo.commit })
  }

  const answerResolve = (request: IncomingMessage, response: ServerResponse, id: string, revision: string, path: string): number => {
    const found = lookUp(id, revision)
    if (!('repo' in found)) return sendLookupError(response, found)
    const { repo } = found
    const file = repo.files.get(path)
    const commitHeader = { 'X-Repo-Commit': repo.commit }
    if (!file) {
      return sendText(response, 404, HTML, NOT_FOUND_PAGE, { ...commitHeader, 'X-Error-Code': 'EntryNotFound', 'X-Error-Message': 'Entry not found' })
    }
    if (faultBook.htmlInstead(repo, path)) return sendText(response, 200, HTML, PORTAL_PAGE)
    const wrongSha = faultBook.wrongSha(repo, path)
    if (!file.lfs) {
      const etag = wrongSha ? wrongHashOf(file.gitOid) : file.gitOid
      const byteFaults = faultBook.byteFaults(repo, path, request.method)
      const headers = { ...commitHeader, 'Content-Type': contentTypeOf(path) }
      return sendBytes(request, response, { bytes: file.bytes, etag, headers, faults: byteFaults })
    }
    const sha = wrongSha ? wrongHashOf(file.sha256) : file.sha256
    const query = new URLSearchParams({ repo: repo.id, revision: repo.revision, file: path })
    // Absolute, like the Hub's redirect to its CDN host: clients must not take it for a same-site rename.
    const location = `${baseUrl}/cdn/${sha}/${encodeURIComponent(baseName(path))}?${query.toString()}`
    return sendText(response, 302, 'text/plain; charset=utf-8', `Found. Redirecting to ${location}`, {
      ...commitHeader,
      Location: location,
      ETag: `"${sha}"`,
      'X-Linked-ETag': `"${sha}"`,
      'X-Linked-Size': String(file.bytes.byteLength),
    })
  }

  const answerCdn = (request: IncomingMessage, response: ServerResponse, url: URL, sha: string): number => {
    const target = findCdnFile(stored, url.searchParams, sha)
    if (!target) return sendText(response, 404, 'text/plain; charset=utf-8', 'Not Found')
    const { repo, file } = target
    if (faultBook.htmlInstead(repo, file.path)) return sendText(response, 200, HTML, PORTAL_PAGE)
    const etag = faultBook.wrongSha(repo, file.path) ? wrongHashOf(file.sha256) : file.sha256
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${baseName(file.path)}"` }
    const byteFaults = faultBook.byteFaults(repo, file.path, request.method)
    return sendBytes(request, response, { bytes: file.bytes, etag, headers, faults: byteFaults })
  }

  const route = (request: IncomingMessage, response: ServerResponse, url: URL): number => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...COMMON_HEADERS, ...PREFLIGHT_HEADERS })
      response.end()
      return 204
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendJson(response, 405, { error: 'Method not allowed' }, { Allow: 'GET, HEAD, OPTIONS' })
    }
    const segments = decodeSegments(url.pathname)
    if (!segments) return sendJson(response, 400, { error: 'Malformed URL encoding' })
    const [first, second, third, fourth, ...rest] = segments
    if (first === 'api' && second === 'models' && third && fourth) {
      const id = `${third}/${fourth}`
      const [kind, revision, ...folder] = rest
      if (kind === undefined) return answerInfo(response, id, undefined)
      if (kind === 'revision' && revision && folder.length === 0) return answerInfo(response, id, revision)
      if (kind === 'tree' && revision) {
        const recursive = ['true', '1'].includes(url.searchParams.get('recursive') ?? '')
        return answerTree(response, id, revision, folder.join('/').replace(/\/+$/, ''), recursive)
      }
    }
    if (first === 'cdn' && second) return answerCdn(request, response, url, second)
    if (first && second && third === 'resolve' && fourth && rest.length > 0) {
      return answerResolve(request, response, `${first}/${second}`, fourth, rest.join('/'))
    }
    return sendText(response, 404, HTML, NOT_FOUND_PAGE)
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    let status: number
    try {
      status = route(request, response, url)
    } catch (error) {
      status = response.headersSent ? response.statusCode : sendJson(response, 500, { error: String(error) })
    }
    const range = headerValue(request, 'range')
    requests.push({ method: request.method ?? '', url: url.pathname + url.search, ...(range === undefined ? {} : { range }), status })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: baseUrl,
    requests,
    setFaults(next: HubFaults): void {
      faultBook = new FaultBook(next)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent)
  } catch {
    return undefined
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The CDN URL names the file in its query; without one, any repo's file with that sha256 will do. */
function findCdnFile(repos: readonly StoredRepo[], query: URLSearchParams, sha: string): { repo: StoredRepo; file: StoredFile } | undefined {
  const repoId = query.get('repo')
  const path = query.get('file')
  if (repoId && path) {
    const revision = query.get('revision')
    const repo = repos.find((candidate) => candidate.id === repoId && (revision === null || candidate.revision === revision))
    const file = repo?.files.get(path)
    if (repo && file) return { repo, file }
  }
  for (const repo of repos) {
    for (const file of repo.files.values()) if (file.lfs && file.sha256 === sha) return { repo, file }
  }
  return undefined
}
