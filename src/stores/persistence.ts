// Autosave: the open graph (and whether it has unsaved changes) in IndexedDB, restored after a reload or crash.

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

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1)
    request.onupgradeneeded = () => request.result.createObjectStore(STORE)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is unavailable'))
  })
}

async function withStore<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb()
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode)
      const request = action(tx.objectStore(STORE))
      tx.oncomplete = () => resolve(request.result as T)
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    })
  } finally {
    db.close()
  }
}

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
