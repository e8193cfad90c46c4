// Helpers of the models store: plain copies of entries (Vue proxies neither clone nor store), detection of an
// entry's files through its mount, and the state an entry restored from IndexedDB starts in.
import { toRaw } from 'vue'
import { detectModel, type DetectedModel } from '../models/catalog/detect.js'
import type { ModelEntry, ModelState } from '../models/catalog/types.js'
import { readPermission } from '../models/browser/fs-access.js'
import { sourceForMount, type ModelMount } from '../models/browser/mounts.js'
import type { FileSource } from '../models/files.js'
import { UrlFileSource } from '../models/url-files.js'
import type { StoredModel } from './model-db.js'

/** A deep plain copy without undefined fields: safe to structured-clone into IndexedDB. */
export function plainEntry(entry: ModelEntry): ModelEntry {
  const raw = toRaw(entry)
  const copy: Record<string, unknown> = {
    id: raw.id,
    name: raw.name,
    kind: raw.kind,
    origin: raw.origin,
    location: raw.location,
    state: raw.state,
  }
  if (raw.detail !== undefined) copy['detail'] = raw.detail
  if (raw.bytes !== undefined) copy['bytes'] = raw.bytes
  if (raw.error !== undefined) copy['error'] = raw.error
  if (raw.progress !== undefined) {
    const p = toRaw(raw.progress)
    copy['progress'] = { loaded: p.loaded, total: p.total, bytesPerSecond: p.bytesPerSecond, ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}) }
  }
  if (raw.contents !== undefined) {
    copy['contents'] = toRaw(raw.contents).map((c) => {
      const item = toRaw(c)
      return { path: item.path, kind: item.kind, ...(item.detail !== undefined ? { detail: item.detail } : {}), ...(item.bytes !== undefined ? { bytes: item.bytes } : {}) }
    })
  }
  return copy as unknown as ModelEntry
}

/** The entry with `patch` applied; a field patched to undefined is removed. */
export function patchedEntry(entry: ModelEntry, patch: Partial<ModelEntry>): ModelEntry {
  const merged: Record<string, unknown> = { ...plainEntry(entry) }
  for (const key of Object.keys(patch) as (keyof ModelEntry)[]) {
    const value = patch[key]
    if (value === undefined) delete merged[key]
    else merged[key] = value
  }
  return plainEntry(merged as unknown as ModelEntry)
}

/** Where detection reads an entry: its mount, or the bundled models/ URL; the path inside and the file name hint. */
function detectionTarget(entry: ModelEntry, mount: ModelMount | undefined, modelsBase: string): { files: FileSource; path: string; fileName: string } | undefined {
  if (mount) {
    // A Hub file can live inside its repository's folder mount ("OWNER/REPO" holding "OWNER/REPO/x.safetensors").
    const path = entry.name === mount.name ? '' : entry.name.startsWith(`${mount.name}/`) ? entry.name.slice(mount.name.length + 1) : ''
    return { files: sourceForMount(mount), path, fileName: mount.kind === 'file' ? mount.file.name : path }
  }
  if (entry.origin === 'bundled') return { files: new UrlFileSource(modelsBase), path: entry.name, fileName: entry.name }
  return undefined
}

function isPermissionError(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined
  const names = [err, cause].map((e) => (e instanceof Error ? e.name : ''))
  return names.includes('NotAllowedError') || names.includes('SecurityError')
}

function withDetection(entry: ModelEntry, found: DetectedModel): ModelEntry {
  return patchedEntry(entry, {
    kind: found.kind,
    detail: found.detail,
    // A URL cannot list a folder: keep the size the manifest gave.
    bytes: found.bytes ?? entry.bytes,
    contents: found.contents,
    state: entry.state === 'downloading' || entry.state === 'partial' ? entry.state : 'ready',
    error: undefined,
  })
}

/** The entry after reading what its files are; a failure is kept on the entry (state and error), not thrown. */
export async function detectedEntry(entry: ModelEntry, mount: ModelMount | undefined, modelsBase: string): Promise<ModelEntry> {
  const target = detectionTarget(entry, mount, modelsBase)
  if (!target) return patchedEntry(entry, { state: 'failed', error: lostAccessMessage(entry) })
  try {
    return withDetection(entry, await detectModel(target.files, target.path, target.fileName))
  } catch (err) {
    const state: ModelState = isPermissionError(err) ? 'needs-permission' : 'failed'
    return patchedEntry(entry, { state, error: err instanceof Error ? err.message : String(err) })
  }
}

function lostAccessMessage(entry: ModelEntry): string {
  return `the browser kept no access to "${entry.location}" (large files added without folder access last for one session): add it again`
}

/** The handle whose read permission an entry needs, if any (File objects need none). */
export function handleOf(mount: ModelMount | undefined): FileSystemHandle | undefined {
  if (!mount) return undefined
  if (mount.kind === 'directory') return mount.handle
  if (mount.kind === 'file' && !(mount.file instanceof File)) return mount.file
  return undefined
}

/** The entry as it starts after a reload: interrupted downloads are partial, handles may need permission again. */
export async function restoredEntry(record: StoredModel): Promise<ModelEntry> {
  let entry = plainEntry(record.entry)
  if (entry.state === 'downloading') entry = patchedEntry(entry, { state: 'partial', progress: undefined })
  if (!record.mount) return entry.origin === 'local' ? patchedEntry(entry, { state: 'failed', error: lostAccessMessage(entry) }) : entry
  const handle = handleOf(record.mount)
  if (!handle) return entry
  const permission = await readPermission(handle).catch(() => 'prompt' as const)
  if (permission !== 'granted') return patchedEntry(entry, { state: 'needs-permission', error: `access to "${entry.location}" must be granted again after a reload` })
  return entry.state === 'needs-permission' ? patchedEntry(entry, { state: 'ready', error: undefined }) : entry
}
