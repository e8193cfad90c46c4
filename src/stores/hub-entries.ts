// How Hub downloads appear in the model catalog: one entry per pulled pipeline (OWNER/REPO[/subfolder]) or file
// (OWNER/REPO/<path>), all read through one mount per repository: its OPFS folder hub/OWNER/REPO.
import type { RepoRef } from '../hub/endpoint.js'
import type { DownloadManifest } from '../hub/manifest.js'
import { HUB_FOLDER } from '../hub/opfs-store.js'
import { hyperSdPresets, hubFileName } from '../hub/presets.js'
import type { PullProgress } from '../hub/pull.js'
import type { ModelEntry, ModelKind, ModelProgress } from '../models/catalog/types.js'
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

/**
 * What a Hub model is before its files can be read (downloading, partial or failed), when a preset names it: its base
 * pipeline, or its Hyper-SD file (the 1-step UNet, else a LoRA). Reading the finished files replaces it.
 */
export function expectedHubKind(name: string): { kind: ModelKind; detail?: string } {
  for (const preset of hyperSdPresets()) {
    if (name === preset.base.repo) return { kind: preset.variant === 'sdxl' ? 'sdxl-pipeline' : 'sd15-pipeline' }
    if (name === hubFileName(preset.file)) return { kind: /unet/i.test(preset.file.path) ? 'unet-weights' : 'lora', detail: preset.variant === 'sdxl' ? 'SDXL' : 'SD1.5' }
  }
  return { kind: 'unknown' }
}

export function hubEntry(target: HubTarget, ref: RepoRef, state: ModelEntry['state']): ModelEntry {
  return { id: target.id, name: target.name, ...expectedHubKind(target.name), origin: 'hub', location: `${ref.repo}@${ref.revision}`, state }
}

/**
 * A target's share of a pull's progress: the files it owns (every file of the pull for a pipeline); undefined when
 * it owns none (a file the repository does not list). A total of 0 stands for a size nobody gave. A stopped pull's
 * figure (rate 0) is what the store kept.
 */
export function targetProgress(target: HubTarget, progress: PullProgress): ModelProgress | undefined {
  const owned = target.files.length === 0 ? progress.files : progress.files.filter((f) => target.files.includes(f.path))
  if (owned.length === 0) return undefined
  const loaded = owned.reduce((sum, f) => sum + f.loaded, 0)
  const total = owned.every((f) => f.total !== undefined) ? owned.reduce((sum, f) => sum + f.total!, 0) : 0
  const eta = progress.etaSeconds
  return { loaded, total, bytesPerSecond: progress.bytesPerSecond, ...(eta !== undefined ? { etaSeconds: eta } : {}) }
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
