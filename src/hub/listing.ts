// The files of a repository at a revision, through the Hub's models API: the tree endpoint (sizes and LFS
// sha256), following its Link pagination, or, where a mirror lacks it, the revision endpoint's `siblings`.
import { z } from 'zod'
import { revisionUrl, treeUrl, type RepoRef } from './endpoint.js'
import { HubError } from './errors.js'
import { hubFetch, type HubRequest } from './http.js'

export interface RepoFile {
  /** Path inside the repository. */
  readonly path: string
  /** Size in bytes, when the API gave it. */
  readonly size?: number
  /** The sha256 of the content, for LFS files (the Hub's lfs.oid). */
  readonly sha256?: string
}

const SHA256 = /^[0-9a-f]{64}$/

const treeEntry = z.object({
  type: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative().optional(),
  lfs: z.object({ oid: z.string(), size: z.number().int().nonnegative() }).optional().nullable(),
})
const revisionInfo = z.object({
  sha: z.string().optional(),
  siblings: z.array(z.object({ rfilename: z.string(), size: z.number().int().nonnegative().optional(), lfs: z.object({ sha256: z.string().optional(), size: z.number().optional() }).optional().nullable() })),
})

function nextPage(response: Response): string | undefined {
  const link = response.headers.get('link') ?? ''
  return /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1]
}

async function readJson(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json()
  } catch (error) {
    throw new HubError('http', `${what}: the answer is not JSON (${response.url})`, { url: response.url }, { cause: error })
  }
}

async function listTree(request: HubRequest, endpoint: string, ref: RepoRef): Promise<RepoFile[]> {
  const files: RepoFile[] = []
  const what = `the file list of ${ref.repo}@${ref.revision}${ref.subfolder ? `/${ref.subfolder}` : ''}`
  let url: string | undefined = treeUrl(endpoint, ref)
  for (let page = 0; url && page < 1000; page++) {
    const response = await hubFetch(request, url, { what, repo: ref.repo, refuseHtml: true })
    const parsed = z.array(treeEntry).safeParse(await readJson(response, what))
    if (!parsed.success) throw new HubError('http', `${what}: unexpected answer from ${url}: ${parsed.error.issues[0]?.message ?? ''}`, { url })
    for (const entry of parsed.data) {
      if (entry.type !== 'file') continue
      const sha = entry.lfs?.oid.toLowerCase()
      files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, ...(sha && SHA256.test(sha) ? { sha256: sha } : {}) })
    }
    const next = nextPage(response)
    url = next ? new URL(next, url).toString() : undefined
  }
  return files
}

async function listSiblings(request: HubRequest, endpoint: string, ref: RepoRef): Promise<RepoFile[]> {
  const what = `the file list of ${ref.repo}@${ref.revision}`
  const url = `${revisionUrl(endpoint, ref)}?blobs=true`
  const parsed = revisionInfo.safeParse(await readJson(await hubFetch(request, url, { what, repo: ref.repo, refuseHtml: true }), what))
  if (!parsed.success) throw new HubError('http', `${what}: unexpected answer from ${url}`, { url })
  const prefix = ref.subfolder ? `${ref.subfolder}/` : ''
  return parsed.data.siblings
    .filter((s) => s.rfilename.startsWith(prefix))
    .map((s) => {
      const sha = s.lfs?.sha256?.toLowerCase()
      return { path: s.rfilename, ...(s.lfs?.size ?? s.size) !== undefined ? { size: (s.lfs?.size ?? s.size)! } : {}, ...(sha && SHA256.test(sha) ? { sha256: sha } : {}) }
    })
}

/** Every file of the repository (under the subfolder, when given), with paths relative to the repository root. */
export async function listRepoFiles(request: HubRequest, endpoint: string, ref: RepoRef): Promise<RepoFile[]> {
  try {
    return await listTree(request, endpoint, ref)
  } catch (error) {
    // A mirror without the tree endpoint (a 404 that is not the Hub's "no such repository or revision"): the
    // revision endpoint lists the same files.
    const code = error instanceof HubError ? error.details.code : undefined
    if (error instanceof HubError && error.kind === 'not-found' && code !== 'RepoNotFound' && code !== 'RevisionNotFound') return listSiblings(request, endpoint, ref)
    throw error
  }
}
