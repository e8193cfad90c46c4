// One IndexedDB object store, opened per use and closed after it: the autosave and the model catalog each keep one.

export type StoreAction = (store: IDBObjectStore) => IDBRequest

/** A function running one request in its own transaction on `storeName` of database `dbName` (version 1). */
export function indexedStore(dbName: string, storeName: string, options?: IDBObjectStoreParameters): <T>(mode: IDBTransactionMode, action: StoreAction) => Promise<T> {
  const open = (): Promise<IDBDatabase> =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(dbName, 1)
      request.onupgradeneeded = () => request.result.createObjectStore(storeName, options)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error(`IndexedDB "${dbName}" is unavailable`))
    })
  return async <T>(mode: IDBTransactionMode, action: StoreAction): Promise<T> => {
    const db = await open()
    try {
      return await new Promise<T>((resolve, reject) => {
        const tx = db.transaction(storeName, mode)
        const request = action(tx.objectStore(storeName))
        tx.oncomplete = () => resolve(request.result as T)
        tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB "${dbName}": transaction failed`))
        tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB "${dbName}": transaction aborted`))
      })
    } finally {
      db.close()
    }
  }
}
