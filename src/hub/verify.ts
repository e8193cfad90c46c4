// Re-checks pulled files against their manifest: each complete file must exist with the listed size and sha256.
import { readManifest, writeManifest, type DownloadManifest } from './manifest.js'
import { Sha256, type Sha256Hasher } from './sha256.js'
import type { RepoStore } from './storage.js'

export interface FileCheck {
  readonly path: string
  readonly ok: boolean
  /** What is wrong ("missing", "size 12 instead of 40", "sha256 mismatch", "incomplete download"). */
  readonly problem?: string
}

export interface VerifyResult {
  readonly manifest: DownloadManifest | undefined
  readonly files: readonly FileCheck[]
  readonly ok: boolean
}

export async function verifyStore(store: RepoStore, createHasher: () => Sha256Hasher = () => new Sha256()): Promise<VerifyResult> {
  const manifest = await readManifest(store)
  if (!manifest) return { manifest, files: [{ path: '.hypersd-download.json', ok: false, problem: 'no download record: not pulled with hypersd, or the pull never started' }], ok: false }
  const files: FileCheck[] = []
  for (const file of manifest.files) {
    const size = await store.completeSize(file.path)
    let problem: string | undefined
    if (file.state !== 'complete') problem = file.state === 'failed' ? `download failed: ${file.error ?? 'unknown error'}` : 'incomplete download'
    else if (size === undefined) problem = 'missing'
    else if (file.size !== undefined && size !== file.size) problem = `size ${size} instead of ${file.size}`
    else if (file.sha256) {
      const hasher = createHasher()
      for await (const chunk of store.readComplete(file.path)) hasher.update(chunk)
      const actual = hasher.hex()
      if (actual !== file.sha256) problem = `sha256 ${actual} instead of ${file.sha256}`
    }
    if (problem && file.state === 'complete') file.state = 'failed'
    files.push({ path: file.path, ok: problem === undefined, ...(problem ? { problem } : {}) })
  }
  const ok = files.every((f) => f.ok)
  if (!ok) await writeManifest(store, manifest)
  return { manifest, files, ok }
}
