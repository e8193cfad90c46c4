// The bytes a pull kept when a page reload cut it off: there is no progress report then, only the files and the
// download record (manifest), read back from the store.
import type { ManifestFile } from './manifest.js'
import type { PullFileProgress, PullProgress } from './pull.js'
import type { RepoStore } from './storage.js'

/** Bytes of `path` in the store: the complete file's when it is complete, else the partial file's (0 when none). */
async function keptBytes(store: RepoStore, path: string, complete: boolean): Promise<number> {
  if (complete) return (await store.completeSize(path)) ?? 0
  return store.partial(path).size()
}

/** The files of a download record (the manifest) that `paths` names, with the bytes the store holds of each. */
export async function keptFromManifest(store: RepoStore, files: readonly ManifestFile[], paths: readonly string[]): Promise<PullFileProgress[]> {
  const out: PullFileProgress[] = []
  for (const file of files) {
    if (!paths.includes(file.path)) continue
    const complete = file.state === 'complete'
    out.push({ path: file.path, loaded: await keptBytes(store, file.path, complete), total: file.size, state: file.state })
  }
  return out
}

/** A still figure for files that are not moving: the sums, no rate, no ETA, no current file. */
export function stoppedProgress(files: readonly PullFileProgress[]): PullProgress {
  const total = files.every((f) => f.total !== undefined) ? files.reduce((sum, f) => sum + f.total!, 0) : undefined
  return { files, loaded: files.reduce((sum, f) => sum + f.loaded, 0), total, bytesPerSecond: 0, etaSeconds: undefined, current: undefined }
}
