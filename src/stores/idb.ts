// One IndexedDB object store, opened per use and closed after it (the `idb` library does the request plumbing): the
// drafts, the gallery, the model catalog and the sweep cells each keep one. Closing after each use keeps no connection
// open that would block another tab's upgrade.
import { openDB, type IDBPObjectStore } from 'idb'

/** The store as an action sees it; `readonly` actions simply do not call the writing methods. */
export type Store = IDBPObjectStore<unknown, ArrayLike<string>, string, 'readwrite'>
export type StoreAction = (store: Store) => Promise<unknown>

/** A function running one action in its own transaction on `storeName` of database `dbName` (version 1). */
export function indexedStore(dbName: string, storeName: string, options?: IDBObjectStoreParameters): <T>(mode: IDBTransactionMode, action: StoreAction) => Promise<T> {
  return async <T>(mode: IDBTransactionMode, action: StoreAction): Promise<T> => {
    const db = await openDB(dbName, 1, { upgrade: (upgrading) => void upgrading.createObjectStore(storeName, options) })
    try {
      const tx = db.transaction(storeName, mode === 'readonly' ? 'readonly' : 'readwrite')
      const done = tx.done
      try {
        const result = await action(tx.objectStore(storeName) as Store)
        await done
        return result as T
      } catch (error) {
        // A failed request (a quota error, say) leaves nothing half-written, and its abort is not reported twice.
        done.catch(() => undefined)
        try {
          tx.abort()
        } catch {
          // already finished
        }
        throw error
      }
    } finally {
      db.close()
    }
  }
}
