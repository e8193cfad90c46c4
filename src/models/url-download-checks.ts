// What a model download must pass before it is used or cached: an allowed URL (https, or http only to this machine),
// every byte the server announced, no HTML page in place of a model file, and the sha256 the server states (the
// Hugging Face Hub's X-Linked-ETag for LFS files). Errors name the URL and what went wrong.

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Why an absolute model URL is refused, or undefined when it may be fetched. */
export function modelUrlProblem(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${url}: not a valid URL`
  }
  if (parsed.protocol === 'https:') return undefined
  if (parsed.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname)) return undefined
  return `${url}: model URLs must use https (plain http only to localhost), so a download cannot be altered on the way`
}

/** Bytes the response announces, when that is the body's size (not when the body was compressed in transit). */
export function announcedLength(response: Response): number | undefined {
  const encoding = (response.headers.get('content-encoding') ?? 'identity').toLowerCase()
  if (encoding !== 'identity') return undefined
  const value = response.headers.get('content-length')
  if (value === null || !/^\d+$/.test(value.trim())) return undefined
  return Number(value)
}

/** A sha256 the response states for its body: the Hub's X-Linked-ETag (or an ETag) of 64 hex digits. */
export function announcedSha256(response: Response): string | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const value = response.headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase()
    if (value && /^[0-9a-f]{64}$/.test(value)) return value
  }
  return undefined
}

const HTML_START = /^\s*<(!doctype\s+html|html[\s>])/i

/** True when a file that is not HTML arrived as an HTML page (a login, error or dev-server fallback page). */
export function looksLikeHtmlPage(path: string, bytes: Uint8Array): boolean {
  if (/\.html?$/i.test(path)) return false
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).replace(/^\uFEFF/, '')
  return HTML_START.test(head)
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Throws, naming the URL, when a downloaded body is not the complete, genuine file. */
export async function checkDownload(url: string, path: string, response: Response, bytes: Uint8Array): Promise<void> {
  const expected = announcedLength(response)
  if (expected !== undefined && bytes.byteLength !== expected) {
    throw new Error(`${url}: incomplete download: ${bytes.byteLength} of ${expected} bytes arrived (the connection was cut?); nothing was kept, try again`)
  }
  if (looksLikeHtmlPage(path, bytes)) {
    throw new Error(`${url}: the server sent an HTML page instead of the file (a login, error or missing-file page); nothing was kept`)
  }
  const sha = announcedSha256(response)
  if (sha !== undefined) {
    const actual = await sha256Hex(bytes)
    if (actual !== sha) throw new Error(`${url}: sha256 ${actual} does not match the ${sha} the server states; nothing was kept, try again`)
  }
}
