// One fetch against the Hub, with every failure turned into a HubError that says what happened: offline, a
// network failure, a CORS refusal, a gated repository (401/403), a missing file (404), an HTML page served
// instead of the file, or another HTTP status.
import { HubError } from './errors.js'

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface HubRequest {
  readonly fetch: FetchLike
  /** A Hugging Face token, sent as a Bearer token (gated and private repositories). */
  readonly token?: string
  readonly signal?: AbortSignal
}

/** What the request was for, in messages: "unet/model.onnx" or "the file list of ByteDance/Hyper-SD". */
export interface RequestSubject {
  readonly what: string
  readonly repo: string
  /** The response must not be an HTML page (a file or JSON was asked for). */
  readonly refuseHtml: boolean
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && 'onLine' in navigator && navigator.onLine === false
}

const inBrowser = (): boolean => typeof window !== 'undefined' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'

/**
 * A page cannot tell a CORS refusal from a network failure: both are a TypeError. An opaque `no-cors` request to the
 * same URL tells them apart when it is allowed: it succeeds when the server answered but withheld CORS headers. In a
 * cross-origin isolated page (COEP require-corp, which threaded WASM needs) it is allowed only for servers that send
 * Cross-Origin-Resource-Policy, so a failed probe proves nothing and the message names both causes.
 */
async function reachableWithoutCors(request: HubRequest, url: string): Promise<boolean> {
  if (!inBrowser()) return false
  try {
    const probe = await request.fetch(url, { mode: 'no-cors', method: 'GET', ...(request.signal ? { signal: request.signal } : {}) })
    void probe.body?.cancel()
    return probe.type === 'opaque'
  } catch {
    return false
  }
}

async function errorText(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 2000)
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string') return (parsed as { error: string }).error
    return ''
  } catch {
    return ''
  }
}

async function statusError(response: Response, url: string, subject: RequestSubject): Promise<HubError> {
  const code = response.headers.get('x-error-code') ?? ''
  const detail = await errorText(response)
  const details = { url, file: subject.what, status: response.status, ...(code ? { code } : {}) }
  if (response.status === 401 || response.status === 403) {
    const gated = code === 'GatedRepo' || /gated|restricted/i.test(detail)
    const why = gated
      ? `${subject.repo} is a gated repository: accept its conditions on its Hugging Face page, then add a token with access`
      : `${subject.repo} refused access (HTTP ${response.status}): it is private or gated, or the token lacks access`
    return new HubError('gated', `${why} (while fetching ${subject.what})`, details)
  }
  if (response.status === 404) {
    const missing =
      code === 'RepoNotFound' ? `repository ${subject.repo} not found` : code === 'RevisionNotFound' ? `revision not found in ${subject.repo}` : `${subject.what} not found in ${subject.repo}`
    return new HubError('not-found', `${missing} (HTTP 404 from ${url})`, details)
  }
  return new HubError('http', `${subject.what}: HTTP ${response.status} ${response.statusText}${detail ? `: ${detail}` : ''} (${url})`.trim(), details)
}

/** Fetches `url`; resolves only with an ok response of the right kind. */
export async function hubFetch(request: HubRequest, url: string, subject: RequestSubject, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (request.token) headers.set('authorization', `Bearer ${request.token}`)
  let response: Response
  try {
    response = await request.fetch(url, { ...init, headers, ...(request.signal ? { signal: request.signal } : {}) })
  } catch (error) {
    if (request.signal?.aborted) throw new HubError('aborted', `${subject.what}: stopped`, { url }, { cause: error })
    if (isOffline()) throw new HubError('offline', `${subject.what}: this device is offline`, { url }, { cause: error })
    if (await reachableWithoutCors(request, url)) {
      throw new HubError('cors', `${url} answered, but without CORS headers that let this page read it: use a Hub mirror that sends Access-Control-Allow-Origin, or download with the CLI (hypersd models pull)`, { url }, { cause: error })
    }
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)
    const causes = inBrowser()
      ? ': the server is unreachable, or it answered without the CORS headers (Access-Control-Allow-Origin) that let this page read it; a page cannot tell these apart: check the endpoint in Settings, or pull with the CLI (hypersd models pull)'
      : ''
    throw new HubError('network', `${subject.what}: network error (${reason}) fetching ${url}${causes}`, { url }, { cause: error })
  }
  if (!response.ok && response.status !== 206) throw await statusError(response, url, subject)
  if (subject.refuseHtml && (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) {
    void response.body?.cancel()
    throw new HubError('html', `${subject.what}: the server sent an HTML page instead of the file (a login or error page?) from ${url}`, { url, file: subject.what, status: response.status })
  }
  return response
}
