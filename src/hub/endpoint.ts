// Hugging Face Hub addresses: the endpoint (a mirror or a test server can replace huggingface.co, as
// huggingface_hub's HF_ENDPOINT does), repository ids, and the `resolve` and models-API URLs built from them.
import { HubError } from './errors.js'

export const DEFAULT_ENDPOINT = 'https://huggingface.co'
export const DEFAULT_REVISION = 'main'

/** A repository at a revision, optionally narrowed to a subfolder (e.g. an ONNX export inside a bigger repo). */
export interface RepoRef {
  readonly repo: string
  readonly revision: string
  readonly subfolder?: string
}

const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/

/** The endpoint to use: an explicit one, else HF_ENDPOINT, else huggingface.co; without a trailing slash. */
export function chooseEndpoint(explicit: string | undefined, environment: string | undefined): string {
  const value = (explicit ?? environment ?? DEFAULT_ENDPOINT).trim()
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new HubError('usage', `endpoint "${value}" is not a URL (e.g. ${DEFAULT_ENDPOINT})`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HubError('usage', `endpoint "${value}" must be an http(s) URL`)
  return value.replace(/\/+$/, '')
}

export function checkRepoId(repo: string): string {
  if (!REPO_ID.test(repo) || repo.includes('..')) {
    throw new HubError('usage', `"${repo}" is not a Hugging Face repository id (OWNER/NAME, e.g. ByteDance/Hyper-SD)`)
  }
  return repo
}

/** A path inside a repository: '/'-separated, no empty, '.' or '..' segments. */
export function checkRepoPath(path: string): string {
  const clean = path.replace(/^\/+/, '')
  if (clean === '' || clean.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new HubError('usage', `"${path}" is not a file path inside a repository`)
  }
  return clean
}

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/')

export function resolveUrl(endpoint: string, repo: string, revision: string, path: string): string {
  return `${endpoint}/${checkRepoId(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(checkRepoPath(path))}`
}

export function treeUrl(endpoint: string, ref: RepoRef): string {
  const folder = ref.subfolder ? `/${encodePath(checkRepoPath(ref.subfolder))}` : ''
  return `${endpoint}/api/models/${checkRepoId(ref.repo)}/tree/${encodeURIComponent(ref.revision)}${folder}?recursive=true`
}

export function revisionUrl(endpoint: string, ref: RepoRef): string {
  return `${endpoint}/api/models/${checkRepoId(ref.repo)}/revision/${encodeURIComponent(ref.revision)}`
}

/**
 * Parses "OWNER/REPO", "OWNER/REPO@REVISION" or a Hub URL (https://huggingface.co/OWNER/REPO/tree/REV/SUB or
 * .../resolve/REV/FILE) into a reference and, for a file URL, the file.
 */
export function parseRepoInput(input: string): { ref: RepoRef; file?: string } {
  const text = input.trim()
  const url = /^https?:\/\/[^/]+\/(.+)$/i.exec(text)
  if (url) {
    const parts = url[1]!.replace(/[?#].*$/, '').split('/').map(decodeURIComponent)
    const repo = checkRepoId(parts.slice(0, 2).join('/'))
    const [kind, revision, ...rest] = parts.slice(2)
    if (kind === 'resolve' || kind === 'blob') return { ref: { repo, revision: revision ?? DEFAULT_REVISION }, file: checkRepoPath(rest.join('/')) }
    if (kind === 'tree') return { ref: { repo, revision: revision ?? DEFAULT_REVISION, ...(rest.length ? { subfolder: checkRepoPath(rest.join('/')) } : {}) } }
    return { ref: { repo, revision: DEFAULT_REVISION } }
  }
  const at = text.indexOf('@')
  const repo = checkRepoId(at < 0 ? text : text.slice(0, at))
  const revision = at < 0 ? DEFAULT_REVISION : text.slice(at + 1)
  if (revision === '') throw new HubError('usage', `"${text}": empty revision after @`)
  return { ref: { repo, revision } }
}
