// Pulls files of a Hub repository into a RepoStore: lists the repository, picks the pipeline's files (or the
// named ones), skips files already complete with the same content, downloads the rest one at a time with resume,
// and keeps the manifest current after every file, so a reload or a second `pull` continues where this stopped.
import { resolveUrl, type RepoRef } from './endpoint.js'
import { HubError } from './errors.js'
import { downloadFile } from './download.js'
import { fileMetadata } from './file-metadata.js'
import type { HubRequest } from './http.js'
import { listRepoFiles, type RepoFile } from './listing.js'
import { readManifest, writeManifest, type DownloadManifest, type ManifestFile } from './manifest.js'
import { RateMeter } from './progress.js'
import { hasOnnxModel, selectPipelineFiles } from './select.js'
import type { Sha256Hasher } from './sha256.js'
import type { RepoStore } from './storage.js'

export interface PullFileProgress {
  readonly path: string
  readonly loaded: number
  readonly total: number | undefined
  readonly state: 'pending' | 'downloading' | 'complete' | 'failed'
}

export interface PullProgress {
  readonly files: readonly PullFileProgress[]
  readonly loaded: number
  readonly total: number | undefined
  readonly bytesPerSecond: number
  readonly etaSeconds: number | undefined
  /** The file being downloaded, if any. */
  readonly current: string | undefined
}

export interface PullOptions extends HubRequest {
  readonly endpoint: string
  readonly ref: RepoRef
  /** Files to fetch (paths in the repository); empty or absent: the pipeline files of the repository or subfolder. */
  readonly files?: readonly string[]
  readonly store: RepoStore
  readonly onProgress?: (progress: PullProgress) => void
  readonly createHasher?: () => Sha256Hasher
  /** Automatic resumes after a broken connection, per file. */
  readonly retries?: number
}

export interface PullResult {
  readonly manifest: DownloadManifest
  readonly downloaded: readonly string[]
  readonly skipped: readonly string[]
}

function pick(listing: readonly RepoFile[], options: PullOptions): RepoFile[] {
  const { ref } = options
  if (options.files && options.files.length > 0) {
    return options.files.map((name) => {
      const path = ref.subfolder && !name.startsWith(`${ref.subfolder}/`) ? `${ref.subfolder}/${name}` : name
      const found = listing.find((f) => f.path === path)
      if (!found) throw new HubError('not-found', `${path} not found in ${ref.repo}@${ref.revision} (it lists ${listing.length} files)`, { file: path })
      return found
    })
  }
  const selected = selectPipelineFiles(listing, ref.subfolder)
  if (!hasOnnxModel(selected)) {
    const where = `${ref.repo}@${ref.revision}${ref.subfolder ? `/${ref.subfolder}` : ''}`
    throw new HubError('not-found', `${where} has no ONNX model (.onnx) to download; pick a repository or subfolder with an ONNX export, or name the files to fetch`)
  }
  return selected
}

/**
 * Files the listing gave no size for (a mirror that lists names only) get size and sha256 from `resolve` headers.
 * The Hub's tree lists both for LFS files; its small files have no sha256 anywhere (their ETag is a git sha1).
 */
async function withMetadata(files: readonly RepoFile[], options: PullOptions): Promise<RepoFile[]> {
  const out: RepoFile[] = []
  for (const file of files) {
    if (file.size !== undefined) {
      out.push(file)
      continue
    }
    const meta = await fileMetadata(options, resolveUrl(options.endpoint, options.ref.repo, options.ref.revision, file.path), { path: file.path, repo: options.ref.repo })
    const size = file.size ?? meta.size
    const sha256 = file.sha256 ?? meta.sha256
    out.push({ path: file.path, ...(size !== undefined ? { size } : {}), ...(sha256 ? { sha256 } : {}) })
  }
  return out
}

const sameContent = (a: ManifestFile | undefined, b: RepoFile): boolean => a !== undefined && a.size === b.size && a.sha256 === b.sha256

export async function pullRepo(options: PullOptions): Promise<PullResult> {
  const { store, ref } = options
  const listing = await listRepoFiles(options, options.endpoint, ref)
  const selected = await withMetadata(pick(listing, options), options)
  const previous = await readManifest(store).catch(() => undefined)
  const before = new Map((previous?.files ?? []).map((f) => [f.path, f]))
  const manifestFiles: ManifestFile[] = selected.map((f) => {
    const old = before.get(f.path)
    const state = sameContent(old, f) && old!.state === 'complete' ? 'complete' : 'pending'
    return { path: f.path, ...(f.size !== undefined ? { size: f.size } : {}), ...(f.sha256 ? { sha256: f.sha256 } : {}), state }
  })
  // Files of an earlier pull that are not part of this one stay listed (a LoRA pulled before next to a new one).
  for (const old of previous?.files ?? []) if (!manifestFiles.some((f) => f.path === old.path)) manifestFiles.push(old)
  const manifest: DownloadManifest = { format: 1, endpoint: options.endpoint, repo: ref.repo, revision: ref.revision, ...(ref.subfolder ? { subfolder: ref.subfolder } : {}), updatedAt: '', files: manifestFiles }
  await writeManifest(store, manifest)

  const progress = new Map<string, PullFileProgress>(selected.map((f) => [f.path, { path: f.path, loaded: 0, total: f.size, state: 'pending' }]))
  const meter = new RateMeter()
  let receivedTotal = 0
  const total = selected.every((f) => f.size !== undefined) ? selected.reduce((sum, f) => sum + f.size!, 0) : undefined
  const emit = (current: string | undefined): void => {
    const files = [...progress.values()]
    const loaded = files.reduce((sum, f) => sum + f.loaded, 0)
    meter.record(receivedTotal)
    const rate = meter.sample(total === undefined ? undefined : total - loaded)
    options.onProgress?.({ files, loaded, total, current, ...rate })
  }

  const downloaded: string[] = []
  const skipped: string[] = []
  for (const file of selected) {
    const entry = manifestFiles.find((f) => f.path === file.path)!
    if (entry.state === 'complete' && (await store.completeSize(file.path)) === file.size) {
      progress.set(file.path, { path: file.path, loaded: file.size ?? 0, total: file.size, state: 'complete' })
      skipped.push(file.path)
      emit(undefined)
      continue
    }
    // A resumed file starts from the bytes kept, so a pull stopped before its first new byte still counts them.
    progress.set(file.path, { path: file.path, loaded: await store.partial(file.path).size(), total: file.size, state: 'downloading' })
    await downloadWithRetries(options, file, (loaded, received) => {
      progress.set(file.path, { path: file.path, loaded, total: file.size, state: 'downloading' })
      receivedTotal += received
      emit(file.path)
    }).catch(async (error: unknown) => {
      entry.state = 'failed'
      entry.error = error instanceof Error ? error.message : String(error)
      // A file of the wrong size or hash was deleted; any other failure keeps what arrived, to resume from.
      const deleted = error instanceof HubError && (error.kind === 'size-mismatch' || error.kind === 'hash-mismatch')
      progress.set(file.path, { ...progress.get(file.path)!, ...(deleted ? { loaded: 0 } : {}), state: 'failed' })
      await writeManifest(store, manifest)
      emit(undefined)
      throw error
    })
    entry.state = 'complete'
    delete entry.error
    progress.set(file.path, { path: file.path, loaded: file.size ?? 0, total: file.size, state: 'complete' })
    downloaded.push(file.path)
    await writeManifest(store, manifest)
    emit(undefined)
  }
  return { manifest, downloaded, skipped }
}

async function downloadWithRetries(options: PullOptions, file: RepoFile, onBytes: (loaded: number, receivedNow: number) => void): Promise<void> {
  const retries = options.retries ?? 2
  for (let attempt = 0; ; attempt++) {
    let lastReceived = 0
    try {
      await downloadFile({
        ...options,
        url: resolveUrl(options.endpoint, options.ref.repo, options.ref.revision, file.path),
        expected: { path: file.path, repo: options.ref.repo, ...(file.size !== undefined ? { size: file.size } : {}), ...(file.sha256 ? { sha256: file.sha256 } : {}) },
        target: options.store.partial(file.path),
        onProgress: (p) => {
          onBytes(p.loaded, p.received - lastReceived)
          lastReceived = p.received
        },
      })
      return
    } catch (error) {
      const retryable = error instanceof HubError && error.kind === 'network' && !options.signal?.aborted
      if (!retryable || attempt >= retries) throw error
      await new Promise((resume) => setTimeout(resume, 500 * (attempt + 1)))
    }
  }
}
