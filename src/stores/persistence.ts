// Autosave: the open graph (and whether it has unsaved changes) in IndexedDB, restored after a reload or crash.
import { indexedStore } from './idb.js'

const DB_NAME = 'hypersd-studio'
const STORE = 'autosave'
const KEY = 'current'

export interface AutosaveRecord {
  /** Graph file JSON text. */
  readonly graph: string
  readonly name: string
  /** Snapshot of the last explicit save/open, to keep the unsaved-changes indicator across reloads. */
  readonly savedGraph: string | null
  readonly at: number
}

const withStore = indexedStore(DB_NAME, STORE)

export function writeAutosave(record: AutosaveRecord): Promise<void> {
  return withStore<void>('readwrite', (store) => store.put(record, KEY))
}

export async function readAutosave(): Promise<AutosaveRecord | undefined> {
  const value = await withStore<unknown>('readonly', (store) => store.get(KEY))
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Partial<AutosaveRecord>
  if (typeof record.graph !== 'string' || typeof record.name !== 'string') return undefined
  return { graph: record.graph, name: record.name, savedGraph: typeof record.savedGraph === 'string' ? record.savedGraph : null, at: Number(record.at) || 0 }
}

export function clearAutosave(): Promise<void> {
  return withStore<void>('readwrite', (store) => store.delete(KEY))
}
