// The model catalog: the bundled models (from models/index.json), local folders and files the user added, and
// entries other code registers (Hugging Face downloads), each with the mount the worker reads it through. Local
// and registered entries persist in IndexedDB; the worker is told the ready mounts whenever they change.
import { defineStore } from 'pinia'
import { markRaw, ref } from 'vue'
import { bundledEntry, BUNDLED_MANIFEST, parseBundledManifest } from '../models/catalog/bundled.js'
import { entryForName, isMissingModel, modelChoices } from '../models/catalog/lookup.js'
import { modelNamePathProblem, modelNameProblem, uniqueModelName } from '../models/catalog/names.js'
import type { ModelEntry, ModelHint, ModelKind } from '../models/catalog/types.js'
import { fileListTree } from '../models/browser/file-list-source.js'
import { isFileHandle, readPermission } from '../models/browser/fs-access.js'
import { mountLocation, mountStoredBytes, type ModelMount } from '../models/browser/mounts.js'
import { deleteStoredModel, readStoredModels, writeStoredModel } from './model-db.js'
import { detectedEntry, handleOf, patchedEntry, plainEntry, restoredEntry } from './model-entries.js'

/** Runs before an entry is removed (a Hub download's hook deletes its OPFS files); throwing keeps the entry. */
export type RemoveHook = (entry: ModelEntry, mount: ModelMount | undefined) => void | Promise<void>

/** What an `update` may change: the name goes through `rename`, id and origin never change. */
export type ModelPatch = Partial<Omit<ModelEntry, 'id' | 'origin' | 'name'>>

export interface StorageFigures {
  readonly usage: number
  readonly quota: number
}

/**
 * File objects are copied into IndexedDB when kept; beyond this a File-based entry lasts for the session only
 * (handles, which browsers with folder access give, are kept whatever the size).
 */
const PERSIST_FILE_BYTES_LIMIT = 256 * 1024 * 1024

function newId(): string {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  return `local:${random}`
}

export const useModels = defineStore('models', () => {
  const entries = ref<ModelEntry[]>([])
  const loaded = ref(false)
  const loadError = ref<string | null>(null)
  const storage = ref<StorageFigures | null>(null)
  /** Bumped after every storage estimate, so views (and tests) can tell a refresh happened. */
  const storageRevision = ref(0)
  /** Bumped when the mounts the worker should read change. */
  const mountsRevision = ref(0)
  /** Model names someone asked to download (the Hub download UI reads them). */
  const wantedDownloads = ref<string[]>([])
  /** Mounts by entry id, outside Vue's reactivity: handles must reach IndexedDB and the worker unproxied. */
  const mounts = new Map<string, ModelMount>()
  const removeHooks = new Set<RemoveHook>()
  let loading: Promise<void> | undefined

  const modelsBase = (): string => new URL('models/', document.baseURI).href
  const names = (): string[] => entries.value.map((e) => e.name)
  const find = (id: string): ModelEntry | undefined => entries.value.find((e) => e.id === id)

  function require(id: string): ModelEntry {
    const entry = find(id)
    if (!entry) throw new Error(`no model with id "${id}" in the catalog`)
    return entry
  }

  function put(entry: ModelEntry): void {
    const index = entries.value.findIndex((e) => e.id === entry.id)
    if (index < 0) entries.value = [...entries.value, entry]
    else entries.value = entries.value.map((e, i) => (i === index ? entry : e))
  }

  /** Loads the bundled manifest and the stored entries once; every action waits for it. */
  function load(): Promise<void> {
    loading ??= loadNow()
    return loading
  }

  async function loadNow(): Promise<void> {
    const problems: string[] = []
    const bundled = await readBundled().catch((err: unknown) => {
      problems.push(`The bundled model list could not be read: ${messageOf(err)}`)
      return []
    })
    const stored = await readStoredModels().catch((err: unknown) => {
      problems.push(`Your added models could not be read from IndexedDB: ${messageOf(err)}`)
      return []
    })
    const restored: ModelEntry[] = []
    // IndexedDB returns records by id (random): list them by name instead.
    stored.sort((a, b) => (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0))
    for (const record of stored) {
      if (record.mount) mounts.set(record.entry.id, markRaw(record.mount))
      restored.push(await restoredEntry(record))
    }
    // Entries registered while loading (none wait for it today) are kept after the loaded ones.
    const later = entries.value.filter((e) => !restored.some((r) => r.id === e.id))
    entries.value = [...bundled, ...restored, ...later]
    loadError.value = problems.length > 0 ? problems.join('; ') : null
    loaded.value = true
    mountsRevision.value++
    void refreshStorage()
  }

  async function readBundled(): Promise<ModelEntry[]> {
    const url = new URL(BUNDLED_MANIFEST, modelsBase()).href
    const response = await fetch(url, { cache: 'no-cache' })
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
    return parseBundledManifest(await response.text(), url).map(bundledEntry)
  }

  async function persist(id: string): Promise<void> {
    const entry = find(id)
    if (!entry || entry.origin === 'bundled') return
    const mount = mounts.get(id)
    const keepMount = mount && mountStoredBytes(mount) <= PERSIST_FILE_BYTES_LIMIT
    try {
      await writeStoredModel(keepMount ? { entry: plainEntry(entry), mount } : { entry: plainEntry(entry) })
    } catch (err) {
      loadError.value = `"${entry.name}" could not be kept for the next visit: ${messageOf(err)}`
    }
  }

  function mountsChanged(): void {
    mountsRevision.value++
    void refreshStorage()
  }

  async function refreshStorage(): Promise<void> {
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined)
    storage.value = estimate ? { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null
    storageRevision.value++
  }

  /** Adds one mount as a local entry: a free name from `baseName`, then detection of what it holds. */
  async function addMounted(baseName: string, mountNamed: (name: string) => ModelMount): Promise<ModelEntry> {
    const name = uniqueModelName(baseName, names())
    const mount = markRaw(mountNamed(name))
    const id = newId()
    mounts.set(id, mount)
    // Listed (and its name taken) at once; detection fills in the kind.
    const provisional: ModelEntry = { id, name, kind: 'unknown', origin: 'local', location: mountLocation(mount), state: 'ready' }
    put(provisional)
    const entry = await detectedEntry(provisional, mount, modelsBase())
    put(entry)
    await persist(id)
    mountsChanged()
    return entry
  }

  /** The local entry already reading this handle, so adding the same folder or file twice keeps one entry. */
  async function entryOfHandle(handle: FileSystemHandle): Promise<ModelEntry | undefined> {
    for (const [id, mount] of mounts) {
      const other = handleOf(mount)
      if (other && other.kind === handle.kind && (await other.isSameEntry(handle).catch(() => false))) return find(id)
    }
    return undefined
  }

  async function addDirectory(handle: FileSystemDirectoryHandle): Promise<ModelEntry> {
    await load()
    return (await entryOfHandle(handle)) ?? addMounted(handle.name, (name) => ({ name, kind: 'directory', handle }))
  }

  /** Adds model files (.safetensors, .onnx): handles where the browser gives them, else File objects. */
  async function addFiles(items: readonly (File | FileSystemFileHandle)[]): Promise<ModelEntry[]> {
    await load()
    const added: ModelEntry[] = []
    for (const item of items) {
      const existing = isFileHandle(item) ? await entryOfHandle(item) : undefined
      added.push(existing ?? (await addMounted(item.name, (name) => ({ name, kind: 'file', file: item }))))
    }
    return added
  }

  /** Adds the folder(s) of an <input webkitdirectory> File list, read in place (not copied). */
  async function addFileList(files: readonly File[]): Promise<ModelEntry[]> {
    await load()
    const added: ModelEntry[] = []
    for (const { folder, files: list } of fileListTree(files)) {
      added.push(await addMounted(folder || 'folder', (name) => ({ name, kind: 'file-list', folder, files: list })))
    }
    return added
  }

  /** Why `id` cannot be renamed to `name`, or null when it can. */
  function renameProblem(id: string, name: string): string | null {
    const entry = find(id)
    if (!entry) return 'the model is no longer in the catalog'
    if (entry.origin === 'bundled') return 'bundled models keep their names'
    const mount = mounts.get(id)
    if (mount && mount.name !== entry.name) return `it is read inside "${mount.name}"; rename that instead`
    return modelNameProblem(name, names().filter((n) => n !== entry.name))
  }

  async function rename(id: string, name: string): Promise<ModelEntry> {
    await load()
    const entry = require(id)
    if (name === entry.name) return entry
    const problem = renameProblem(id, name)
    if (problem) throw new Error(`Cannot rename "${entry.name}" to "${name}": ${problem}`)
    const mount = mounts.get(id)
    if (mount) mounts.set(id, markRaw({ ...mount, name }))
    const renamed = patchedEntry(entry, { name })
    put(renamed)
    await persist(id)
    mountsChanged()
    return renamed
  }

  async function remove(id: string): Promise<void> {
    await load()
    const entry = require(id)
    if (entry.origin === 'bundled') throw new Error(`"${entry.name}" is bundled with the app and cannot be deleted`)
    const mount = mounts.get(id)
    for (const hook of removeHooks) await hook(plainEntry(entry), mount)
    entries.value = entries.value.filter((e) => e.id !== id)
    mounts.delete(id)
    await deleteStoredModel(id).catch((err: unknown) => {
      loadError.value = `"${entry.name}" was removed, but IndexedDB still holds it: ${messageOf(err)}`
    })
    mountsChanged()
  }

  /** Reads the entry's files again: kind, detail, size and state. A download in progress is left to its owner. */
  async function reverify(id: string): Promise<ModelEntry> {
    await load()
    const entry = require(id)
    if (entry.state === 'downloading') return entry
    const mount = mounts.get(id)
    const handle = handleOf(mount)
    if (handle && (await readPermission(handle).catch(() => 'prompt')) !== 'granted') {
      const waiting = patchedEntry(entry, { state: 'needs-permission', error: `access to "${entry.location}" must be granted` })
      put(waiting)
      return waiting
    }
    const checked = await detectedEntry(entry, mount, modelsBase())
    put(checked)
    await persist(id)
    mountsChanged()
    return checked
  }

  /** Asks the browser for read access to the entry's handle (call it from a click: it needs a user gesture). */
  async function requestAccess(id: string): Promise<ModelEntry> {
    const entry = require(id)
    const handle = handleOf(mounts.get(id))
    if (!handle) return reverify(id)
    const permission = await readPermission(handle, true).catch(() => 'denied')
    if (permission === 'granted') return reverify(id)
    const refused = patchedEntry(entry, { state: 'needs-permission', error: `access to "${entry.location}" was not granted` })
    put(refused)
    return refused
  }

  /** Adds or replaces an entry other code manages (a Hub download) and the mount its files are read through. */
  async function register(entry: ModelEntry, mount?: ModelMount): Promise<ModelEntry> {
    await load()
    if (entry.origin === 'bundled') throw new Error(`"${entry.name}": bundled models come from the manifest, not register()`)
    const problem = modelNamePathProblem(entry.name)
    if (problem) throw new Error(`Model "${entry.name}": ${problem}`)
    const clash = entries.value.find((e) => e.name === entry.name && e.id !== entry.id)
    if (clash) throw new Error(`Model "${entry.name}": the name is taken by ${clash.origin === 'bundled' ? 'a bundled model' : `"${clash.location}"`}`)
    if (mount) mounts.set(entry.id, markRaw(mount))
    const plain = plainEntry(entry)
    put(plain)
    await persist(entry.id)
    mountsChanged()
    return plain
  }

  /** Changes an entry's fields (state, progress, error, kind...); progress-only changes are not written to disk. */
  async function update(id: string, patch: ModelPatch): Promise<ModelEntry> {
    const entry = require(id)
    const next = patchedEntry(entry, patch)
    put(next)
    if (Object.keys(patch).some((key) => key !== 'progress')) await persist(id)
    if (patch.state !== undefined && patch.state !== entry.state) mountsChanged()
    return next
  }

  /** Registers a hook run before any entry is removed; returns the function that unregisters it. */
  function removeHook(hook: RemoveHook): () => void {
    removeHooks.add(hook)
    return () => removeHooks.delete(hook)
  }

  /** Records that a graph wants `name` and nobody has it: the Hub download UI offers to fetch it. */
  function requestDownload(name: string): void {
    const trimmed = name.trim()
    if (trimmed !== '' && !wantedDownloads.value.includes(trimmed)) wantedDownloads.value = [...wantedDownloads.value, trimmed]
  }

  function forgetDownloadRequest(name: string): void {
    wantedDownloads.value = wantedDownloads.value.filter((n) => n !== name)
  }

  /** The ready entries' mounts for the worker (raw objects, first of a name wins). */
  function workerMounts(): ModelMount[] {
    const seen = new Set<string>()
    const out: ModelMount[] = []
    for (const entry of entries.value) {
      const mount = entry.state === 'ready' ? mounts.get(entry.id) : undefined
      if (mount && !seen.has(mount.name)) {
        seen.add(mount.name)
        out.push(mount)
      }
    }
    return out
  }

  const byKind = (kind: ModelKind): ModelEntry[] => entries.value.filter((e) => e.kind === kind)
  const choices = (hint: ModelHint): string[] => modelChoices(entries.value, hint)
  const entryFor = (name: string): ModelEntry | undefined => entryForName(entries.value, name)
  /** False until the catalog is loaded, so a graph shown at startup does not flash every model as missing. */
  const isMissing = (name: string): boolean => loaded.value && isMissingModel(entries.value, name)
  const mountOf = (id: string): ModelMount | undefined => mounts.get(id)

  return {
    entries,
    loaded,
    loadError,
    storage,
    storageRevision,
    mountsRevision,
    wantedDownloads,
    load,
    addDirectory,
    addFiles,
    addFileList,
    rename,
    renameProblem,
    remove,
    reverify,
    requestAccess,
    refreshStorage,
    register,
    update,
    removeHook,
    requestDownload,
    forgetDownloadRequest,
    workerMounts,
    byKind,
    choices,
    entryFor,
    isMissing,
    mountOf,
  }
})

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
