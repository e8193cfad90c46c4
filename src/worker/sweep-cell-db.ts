// The browser's sweep cell store: one IndexedDB record per cell key (its stored record JSON and PNG bytes), so a
// cancelled or interrupted sweep resumes from the cells already done, even after a reload.
import { cellFromRecord, cellRecordJson, type CellStore } from '../sweep/store.js'
import type { CellResult } from '../sweep/run-cell.js'
import { indexedStore } from '../stores/idb.js'

interface StoredCell {
  readonly key: string
  readonly record: string
  readonly png: Uint8Array
}

const store = indexedStore('hypersd-sweep-cells', 'cells', { keyPath: 'key' })

export class IndexedDbCellStore implements CellStore {
  async get(key: string): Promise<CellResult | undefined> {
    const stored = await store<StoredCell | undefined>('readonly', (s) => s.get(key))
    if (!stored) return undefined
    try {
      return cellFromRecord(key, stored.record, new Uint8Array(stored.png), `stored sweep cell ${key}`)
    } catch {
      // A record this version cannot read is computed again (and overwritten).
      return undefined
    }
  }

  async put(result: CellResult): Promise<void> {
    const cell: StoredCell = { key: result.key, record: cellRecordJson(result), png: result.png }
    await store('readwrite', (s) => s.put(cell))
  }
}
