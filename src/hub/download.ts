// Downloads one file into a PartialFile: resumes with an HTTP Range request from the bytes already kept, checks the
// server's Content-Range and Content-Length, hashes as it writes, and commits only a file whose size and sha256
// match what the Hub listed. A cut connection keeps what arrived, so the next attempt resumes.
import { HubError } from './errors.js'
import { eagerChunks } from './eager-reader.js'
import { hubFetch, type HubRequest } from './http.js'
import type { PartialFile } from './storage.js'
import { Sha256, type Sha256Hasher } from './sha256.js'

export interface ExpectedFile {
  /** Path in the repository, for messages. */
  readonly path: string
  readonly repo: string
  readonly size?: number
  readonly sha256?: string
}

export interface FileProgress {
  /** Bytes of the file stored so far, resumed ones included. */
  readonly loaded: number
  /** Expected size, when known. */
  readonly total: number | undefined
  /** Bytes received over the network in this attempt. */
  readonly received: number
}

export interface DownloadOptions extends HubRequest {
  readonly url: string
  readonly expected: ExpectedFile
  readonly target: PartialFile
  readonly onProgress?: (progress: FileProgress) => void
  readonly createHasher?: () => Sha256Hasher
}

const SHA256_ETAG = /^(?:W\/)?"?([0-9a-f]{64})"?$/i

function contentRange(response: Response): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '')
  return match ? { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) } : undefined
}

async function hashKept(target: PartialFile, hasher: Sha256Hasher): Promise<number> {
  let bytes = 0
  for await (const chunk of target.read()) {
    hasher.update(chunk)
    bytes += chunk.byteLength
  }
  return bytes
}

/** The expected sha256: the listing's, else an LFS ETag (the Hub's ETag for LFS files is the content's sha256). */
function expectedSha(expected: ExpectedFile, response: Response | undefined): string | undefined {
  if (expected.sha256) return expected.sha256
  const etag = response?.headers.get('x-linked-etag') ?? response?.headers.get('etag') ?? ''
  return SHA256_ETAG.exec(etag)?.[1]?.toLowerCase()
}

async function requestFrom(options: DownloadOptions, offset: number): Promise<Response | 'complete'> {
  const { expected } = options
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {}
  try {
    return await hubFetch(options, options.url, { what: expected.path, repo: expected.repo, refuseHtml: !/\.html?$/i.test(expected.path) }, { headers })
  } catch (error) {
    // 416: nothing left after `offset`; the kept bytes may be the whole file (verified below).
    if (error instanceof HubError && error.details.status === 416 && offset > 0) return 'complete'
    throw error
  }
}

/** Downloads (or resumes) the file and commits it once verified. */
export async function downloadFile(options: DownloadOptions): Promise<void> {
  const { expected, target } = options
  const hasher = (options.createHasher ?? (() => new Sha256()))()
  let kept = await target.size()
  if (expected.size !== undefined && kept > expected.size) {
    await target.discard()
    kept = 0
  }
  let response: Response | undefined
  if (expected.size === undefined || kept < expected.size) {
    const answer = await requestFrom(options, kept)
    if (answer !== 'complete') response = answer
  }
  let offset = kept
  if (response) {
    const range = response.status === 206 ? contentRange(response) : undefined
    if (response.status === 206 && range?.start !== kept) {
      void response.body?.cancel()
      throw new HubError('http', `${expected.path}: the server answered the resume request with the wrong range (${response.headers.get('content-range') ?? 'none'}, wanted from byte ${kept})`, { url: options.url })
    }
    if (response.status !== 206) offset = 0 // the server sent the whole file again
    const total = range?.total ?? (response.status === 200 ? Number(response.headers.get('content-length') ?? NaN) : NaN)
    if (expected.size !== undefined && Number.isFinite(total) && total !== expected.size) {
      void response.body?.cancel()
      await target.discard()
      throw new HubError('size-mismatch', `${expected.path}: the server offers ${total} bytes, the repository lists ${expected.size}`, { url: options.url, file: expected.path })
    }
  }
  const sha = expectedSha(expected, response)
  if (sha && offset > 0) await hashKept(target, hasher)
  if (response) await receive(options, response, offset, hasher)
  await verify(options, hasher, sha)
}

async function receive(options: DownloadOptions, response: Response, offset: number, hasher: Sha256Hasher): Promise<void> {
  const { expected, target } = options
  const declared = Number(response.headers.get('content-length') ?? NaN)
  // Reading starts before the (slow) file opening, so no byte that arrives is left inside a failing stream.
  const chunks = response.body ? eagerChunks(response.body) : undefined
  const writer = await target.writeFrom(offset)
  let received = 0
  const report = (): void => options.onProgress?.({ loaded: offset + received, total: expected.size, received })
  report()
  try {
    if (!chunks) throw new Error('no response body')
    for await (const value of chunks) {
      received += value.byteLength
      if (expected.size !== undefined && offset + received > expected.size) {
        throw new HubError('size-mismatch', `${expected.path}: the server sent more than the ${expected.size} bytes the repository lists`, { url: options.url, file: expected.path })
      }
      hasher.update(value)
      await writer.write(value)
      report()
    }
  } catch (error) {
    await writer.close().catch(() => undefined)
    if (error instanceof HubError) {
      if (error.kind === 'size-mismatch') await target.discard()
      throw error
    }
    if (options.signal?.aborted) throw new HubError('aborted', `${expected.path}: paused after ${offset + received} bytes`, { url: options.url, file: expected.path }, { cause: error })
    throw new HubError('network', `${expected.path}: the connection broke after ${offset + received}${expected.size ? ` of ${expected.size}` : ''} bytes; the bytes so far are kept, resume to continue`, { url: options.url, file: expected.path }, { cause: error })
  }
  await writer.close()
  if (Number.isFinite(declared) && received < declared) {
    throw new HubError('network', `${expected.path}: the server announced ${declared} bytes but sent ${received}; the bytes so far are kept, resume to continue`, { url: options.url, file: expected.path })
  }
}

async function verify(options: DownloadOptions, hasher: Sha256Hasher, sha: string | undefined): Promise<void> {
  const { expected, target } = options
  const size = await target.size()
  if (expected.size !== undefined && size !== expected.size) {
    if (size < expected.size) {
      throw new HubError('network', `${expected.path}: got ${size} of ${expected.size} bytes; the bytes so far are kept, resume to continue`, { url: options.url, file: expected.path })
    }
    await target.discard()
    throw new HubError('size-mismatch', `${expected.path}: ${size} bytes, the repository lists ${expected.size}`, { url: options.url, file: expected.path })
  }
  if (sha) {
    const actual = hasher.hex()
    if (actual !== sha) {
      await target.discard()
      throw new HubError('hash-mismatch', `${expected.path}: sha256 ${actual} does not match the repository's ${sha}; the file was deleted, download it again`, { url: options.url, file: expected.path })
    }
  }
  await target.commit()
}
