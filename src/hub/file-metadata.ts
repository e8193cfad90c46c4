// Size and sha256 of one file from the `resolve` endpoint's headers, for listings that lack them (a mirror that
// only lists names). As huggingface_hub does: a HEAD without following the redirect, whose X-Linked-Size and
// X-Linked-ETag describe an LFS file's content; a browser cannot read a redirect's headers, so there the final
// response's Content-Length and a sha256-shaped ETag are used.
import { hubFetch, type HubRequest } from './http.js'

export interface FileMetadata {
  readonly size?: number
  readonly sha256?: string
}

const SHA256_ETAG = /^(?:W\/)?"?([0-9a-f]{64})"?$/i

function fromHeaders(headers: Headers, linked: boolean): FileMetadata {
  const size = Number(headers.get(linked ? 'x-linked-size' : 'content-length') ?? NaN)
  const sha = SHA256_ETAG.exec(headers.get(linked ? 'x-linked-etag' : 'etag') ?? '')?.[1]?.toLowerCase()
  return { ...(Number.isSafeInteger(size) && size >= 0 ? { size } : {}), ...(sha ? { sha256: sha } : {}) }
}

export async function fileMetadata(request: HubRequest, url: string, subject: { path: string; repo: string }): Promise<FileMetadata> {
  const headers: Record<string, string> = request.token ? { authorization: `Bearer ${request.token}` } : {}
  const redirect = await request
    .fetch(url, { method: 'HEAD', redirect: 'manual', headers, ...(request.signal ? { signal: request.signal } : {}) })
    .catch(() => undefined)
  if (redirect && redirect.status >= 300 && redirect.status < 400) {
    const linked = fromHeaders(redirect.headers, true)
    if (linked.size !== undefined || linked.sha256 !== undefined) return linked
  }
  // A browser (an opaque redirect), a file served directly, or a failure: the followed answer, failures named.
  const followed = await hubFetch(request, url, { what: subject.path, repo: subject.repo, refuseHtml: !/\.html?$/i.test(subject.path) }, { method: 'HEAD' })
  return fromHeaders(followed.headers, false)
}
