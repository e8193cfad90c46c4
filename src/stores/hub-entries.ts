// How Hub downloads appear in the model catalog: one entry per pulled pipeline (OWNER/REPO[/subfolder]) or file
// (OWNER/REPO/<path>), all read through one mount per repository: its OPFS folder hub/OWNER/REPO.
import type { RepoRef } from '../hub/endpoint.js'
import type { DownloadManifest } from '../hub/manifest.js'
import { HUB_FOLDER } from '../hub/opfs-store.js'
import type { ModelEntry } from '../models/catalog/types.js'
import type { ModelMount } from '../models/browser/mounts.js'

export interface HubTarget {
  readonly id: string
  /** The name graphs use. */
  readonly name: string
  /** The files of the pull this entry needs ([] for a pipeline: the pipeline's files). */
  readonly files: readonly string[]
}

/** The catalog entries a pull creates. */
export function hubTargets(ref: RepoRef, files: readonly string[]): HubTarget[] {
  if (files.length === 0) {
    const name = ref.subfolder ? `${ref.repo}/${ref.subfolder}` : ref.repo
    return [{ id: `hub:${name}`, name, files: [] }]
  }
  return files.map((path) => {
    const full = ref.subfolder && !path.startsWith(`${ref.subfolder}/`) ? `${ref.subfolder}/${path}` : path
    return { id: `hub:${ref.repo}/${full}`, name: `${ref.repo}/${full}`, files: [full] }
  })
}

export function hubEntry(target: HubTarget, ref: RepoRef, state: ModelEntry['state']): ModelEntry {
  return { id: target.id, name: target.name, kind: 'unknown', origin: 'hub', location: `${ref.repo}@${ref.revision}`, state }
}

export async function repoFolderHandle(repo: string): Promise<FileSystemDirectoryHandle> {
  let folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(HUB_FOLDER, { create: true })
  for (const part of repo.split('/')) folder = await folder.getDirectoryHandle(part, { create: true })
  return folder
}

export async function repoMount(repo: string): Promise<ModelMount> {
  return { name: repo, kind: 'directory', handle: await repoFolderHandle(repo) }
}

/** The repository of a Hub entry: its location is "OWNER/REPO@REVISION". */
export function repoOfEntry(entry: ModelEntry): string {
  return entry.location.replace(/@.*$/, '')
}

/** The manifest files a deleted entry owned: its file, or the pipeline's files (minus files other entries hold). */
export function filesOwnedBy(entry: ModelEntry, manifest: DownloadManifest | undefined, otherNames: readonly string[]): string[] {
  if (!manifest) return []
  const repo = repoOfEntry(entry)
  const inside = entry.name === repo ? '' : entry.name.slice(repo.length + 1)
  const othersFiles = new Set(otherNames.filter((n) => n.startsWith(`${repo}/`)).map((n) => n.slice(repo.length + 1)))
  return manifest.files
    .map((f) => f.path)
    .filter((path) => (inside === '' || path === inside || path.startsWith(`${inside}/`)) && !othersFiles.has(path))
}
