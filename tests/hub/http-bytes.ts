// Serving bytes the way the Hub and its CDN do (Range, If-Range, 416), and the faulty ways a network can
// serve them (a cut connection, a lying Content-Length, no range support), for the mock Hub.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'

export type Headers = Record<string, string>

/** Headers on every response: the browser app is cross-origin and cross-origin isolated (COEP require-corp). */
export const COMMON_HEADERS: Readonly<Headers> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers':
    'Content-Range, Content-Length, ETag, X-Linked-ETag, X-Linked-Size, X-Repo-Commit, X-Error-Code, Accept-Ranges, Location',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
}

export const PREFLIGHT_HEADERS: Readonly<Headers> = {
  'Access-Control-Allow-Headers': 'Range, If-Range, Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Max-Age': '600',
}

export type RangeDecision =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' }

/**
 * What to answer for a Range request on `total` bytes whose ETag is `etag` (unquoted). Only single ranges
 * are honoured; a malformed or multi-range header is ignored (200), as RFC 9110 allows.
 */
export function decideRange(
  range: string | undefined,
  ifRange: string | undefined,
  etag: string,
  total: number,
): RangeDecision {
  if (range === undefined) return { kind: 'full' }
  // If-Range: resume only if the representation is still the one the client has; otherwise send it all.
  if (ifRange !== undefined && ifRange !== `"${etag}"` && ifRange !== etag) return { kind: 'full' }
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
  if (!match) return { kind: 'full' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'full' }
  if (first === '') {
    const suffixLength = Number(last)
    if (suffixLength === 0 || total === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, total - suffixLength), end: total - 1 }
  }
  const start = Number(first)
  if (start >= total) return { kind: 'unsatisfiable' }
  const end = last === '' ? total - 1 : Math.min(Number(last), total - 1)
  if (end < start) return { kind: 'full' }
  return { kind: 'partial', start, end }
}

export interface ByteFaults {
  /** Close the connection after this many body bytes. */
  readonly cutAfterBytes?: number
  /** Send this many body bytes, then nothing more, leaving the connection open (the client must give up). */
  readonly stallAfterBytes?: number
  /** Content-Length to declare instead of the real one. */
  readonly declaredLength?: number
  /** Answer 200 with everything whatever the Range header says. */
  readonly ignoreRange?: boolean
}

export interface BytesReply {
  readonly bytes: Uint8Array
  /** Unquoted; sent quoted in the ETag header and compared with If-Range. */
  readonly etag: string
  readonly headers: Readonly<Headers>
  readonly faults: ByteFaults
}

/** Serves `reply` for a GET or HEAD; returns the status sent. */
export function sendBytes(request: IncomingMessage, response: ServerResponse, reply: BytesReply): number {
  const total = reply.bytes.byteLength
  const rangeHeader = reply.faults.ignoreRange ? undefined : headerValue(request, 'range')
  const decision = decideRange(rangeHeader, headerValue(request, 'if-range'), reply.etag, total)
  const headers: Headers = {
    ...COMMON_HEADERS,
    ...reply.headers,
    ETag: `"${reply.etag}"`,
    ...(reply.faults.ignoreRange ? {} : { 'Accept-Ranges': 'bytes' }),
  }
  if (decision.kind === 'unsatisfiable') {
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${total}`, 'Content-Length': '0' })
    response.end()
    return 416
  }
  let status = 200
  let body = reply.bytes
  if (decision.kind === 'partial') {
    status = 206
    body = reply.bytes.subarray(decision.start, decision.end + 1)
    headers['Content-Range'] = `bytes ${decision.start}-${decision.end}/${total}`
  }
  headers['Content-Length'] = String(reply.faults.declaredLength ?? body.byteLength)
  const isHead = request.method === 'HEAD'
  if (!isHead && (reply.faults.cutAfterBytes !== undefined || reply.faults.declaredLength !== undefined)) {
    const sentBytes = Math.min(reply.faults.cutAfterBytes ?? body.byteLength, body.byteLength)
    writeRawAndClose(response, status, headers, body.subarray(0, sentBytes))
    return status
  }
  response.writeHead(status, headers)
  if (!isHead && reply.faults.stallAfterBytes !== undefined) {
    response.write(body.subarray(0, Math.min(reply.faults.stallAfterBytes, body.byteLength)))
    return status
  }
  response.end(isHead ? undefined : body)
  return status
}

/**
 * Writes the response straight to the socket, bypassing Node's HTTP layer (which would refuse a body that
 * disagrees with its Content-Length), then closes the connection: the client is left with whatever it got.
 * The socket is ended (FIN) before it is destroyed so the bytes already sent reach the client, and only after a
 * pause: a connection that drops the instant its last bytes leave lets Chromium fail the fetch before it hands the
 * page any of them, which made "bytes kept before the cut" depend on timing. A real cut follows a stall anyway.
 */
const CUT_AFTER_STALL_MS = 300

function writeRawAndClose(response: ServerResponse, status: number, headers: Headers, body: Uint8Array): void {
  const socket = response.socket
  if (!socket) return
  const headerLines = Object.entries({ ...headers, Connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`)
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headerLines.join('')}\r\n`)
  if (body.byteLength > 0) socket.write(body)
  setTimeout(() => socket.end(() => socket.destroy()), CUT_AFTER_STALL_MS)
}

export function sendText(response: ServerResponse, status: number, contentType: string, body: string, headers: Headers = {}): number {
  const bytes = Buffer.from(body, 'utf8')
  response.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'Content-Type': contentType,
    'Content-Length': String(bytes.byteLength),
  })
  response.end(response.req.method === 'HEAD' ? undefined : bytes)
  return status
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Headers = {}): number {
  return sendText(response, status, 'application/json; charset=utf-8', JSON.stringify(value), headers)
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
