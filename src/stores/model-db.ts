// The model catalog's own entries (local folders and files, Hub downloads; never the bundled models) in IndexedDB
// "hypersd-models": one record per entry, with its mount (folder and file handles, or File objects) so a reload
// finds the same files again. Records are read back as untrusted data: every field is checked.
import { indexedStore } from './idb.js'
import { MODEL_KINDS, MODEL_ORIGINS, MODEL_STATES, type ContainedModel, type ModelEntry, type ModelKind, type ModelOrigin, type ModelState } from '../models/catalog/types.js'
import type { ModelMount } from '../models/browser/mounts.js'

const DB_NAME = 'hypersd-models'
const STORE = 'entries'

export interface StoredModel {
  readonly entry: ModelEntry
  readonly mount?: ModelMount
}

const withStore = indexedStore(DB_NAME, STORE, { keyPath: 'entry.id' })

export function writeStoredModel(record: StoredModel): Promise<void> {
  return withStore<void>('readwrite', (store) => store.put(record))
}

export function deleteStoredModel(id: string): Promise<void> {
  return withStore<void>('readwrite', (store) => store.delete(id))
}

/** Every stored record that still makes sense; malformed ones are skipped. */
export async function readStoredModels(): Promise<StoredModel[]> {
  const values = await withStore<unknown[]>('readonly', (store) => store.getAll())
  return values.flatMap((value) => {
    const record = storedModelOf(value)
    return record ? [record] : []
  })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

function optionalString(object: Record<string, unknown>, key: string): string | undefined {
  const value = own(object, key)
  return typeof value === 'string' ? value : undefined
}

function optionalBytes(object: Record<string, unknown>, key: string): number | undefined {
  const value = own(object, key)
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

function containedOf(value: unknown): ContainedModel[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value.flatMap((item): ContainedModel[] => {
    if (!isRecord(item)) return []
    const path = optionalString(item, 'path')
    const kind = own(item, 'kind')
    if (path === undefined || !MODEL_KINDS.includes(kind as ModelKind)) return []
    const detail = optionalString(item, 'detail')
    const bytes = optionalBytes(item, 'bytes')
    return [{ path, kind: kind as ModelKind, ...(detail !== undefined ? { detail } : {}), ...(bytes !== undefined ? { bytes } : {}) }]
  })
}

function entryOf(value: unknown): ModelEntry | undefined {
  if (!isRecord(value)) return undefined
  const id = optionalString(value, 'id')
  const name = optionalString(value, 'name')
  const location = optionalString(value, 'location')
  const kind = own(value, 'kind')
  const origin = own(value, 'origin')
  const state = own(value, 'state')
  if (!id || !name || location === undefined) return undefined
  if (!MODEL_KINDS.includes(kind as ModelKind) || !MODEL_ORIGINS.includes(origin as ModelOrigin) || !MODEL_STATES.includes(state as ModelState)) return undefined
  if (origin === 'bundled') return undefined
  const detail = optionalString(value, 'detail')
  const error = optionalString(value, 'error')
  const bytes = optionalBytes(value, 'bytes')
  const contents = containedOf(own(value, 'contents'))
  return {
    id,
    name,
    kind: kind as ModelKind,
    origin: origin as ModelOrigin,
    location,
    state: state as ModelState,
    ...(detail !== undefined ? { detail } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
    ...(contents ? { contents } : {}),
  }
}

function mountOf(value: unknown): ModelMount | undefined {
  if (!isRecord(value)) return undefined
  const name = optionalString(value, 'name')
  if (!name) return undefined
  const kind = own(value, 'kind')
  if (kind === 'directory') {
    const handle = own(value, 'handle')
    return typeof FileSystemDirectoryHandle !== 'undefined' && handle instanceof FileSystemDirectoryHandle ? { name, kind, handle } : undefined
  }
  if (kind === 'file') {
    const file = own(value, 'file')
    const isHandle = typeof FileSystemFileHandle !== 'undefined' && file instanceof FileSystemFileHandle
    return isHandle || file instanceof File ? { name, kind, file } : undefined
  }
  if (kind === 'file-list') {
    const folder = optionalString(value, 'folder')
    const files = own(value, 'files')
    if (folder === undefined || !Array.isArray(files)) return undefined
    const listed = files.flatMap((f) => (isRecord(f) && typeof f['path'] === 'string' && f['file'] instanceof File ? [{ path: f['path'], file: f['file'] }] : []))
    return { name, kind, folder, files: listed }
  }
  return undefined
}

function storedModelOf(value: unknown): StoredModel | undefined {
  if (!isRecord(value)) return undefined
  const entry = entryOf(own(value, 'entry'))
  if (!entry) return undefined
  const mount = mountOf(own(value, 'mount'))
  return mount ? { entry, mount } : { entry }
}
