// The browser's sweep cell store: one IndexedDB record per cell key (its stored record JSON and PNG bytes), so a
// cancelled or interrupted sweep resumes from the cells already done, even after a reload. A small index (key,
// bytes, last use) beside it keeps the store within a cap, dropping the cells least recently used, and lets the
// sweep panel show and clear what is stored without reading the PNGs.
import { cellFromRecord, cellRecordJson, type CellStore } from '../sweep/store.js'
import type { CellResult } from '../sweep/run-cell.js'
import { indexedStore } from '../stores/idb.js'
import { applyCap, type GalleryCap } from '../stores/gallery-cap.js'

interface StoredCell {
  readonly key: string
  readonly record: string
  readonly png: Uint8Array
}

interface CellUse {
  readonly key: string
  readonly bytes: number
  readonly usedAt: number
}

/** 2,000 cells or 256 MB of PNGs, whichever comes first: dozens of sweeps, well within a browser's quota. */
export const SWEEP_CELL_CAP: GalleryCap = { maxCount: 2000, maxBytes: 256 * 1024 * 1024 }

const cells = indexedStore('hypersd-sweep-cells', 'cells', { keyPath: 'key' })
const uses = indexedStore('hypersd-sweep-cell-uses', 'uses', { keyPath: 'key' })

export class IndexedDbCellStore implements CellStore {
  constructor(private readonly cap: GalleryCap = SWEEP_CELL_CAP) {}

  async get(key: string): Promise<CellResult | undefined> {
    const stored = await cells<StoredCell | undefined>('readonly', (s) => s.get(key))
    if (!stored) return undefined
    try {
      const result = cellFromRecord(key, stored.record, new Uint8Array(stored.png), `stored sweep cell ${key}`)
      await uses('readwrite', (s) => s.put({ key, bytes: stored.png.byteLength, usedAt: Date.now() } satisfies CellUse))
      return result
    } catch {
      // A record this version cannot read is computed again (and overwritten).
      return undefined
    }
  }

  async put(result: CellResult): Promise<void> {
    const cell: StoredCell = { key: result.key, record: cellRecordJson(result), png: result.png }
    await cells('readwrite', (s) => s.put(cell))
    await uses('readwrite', (s) => s.put({ key: result.key, bytes: result.png.byteLength, usedAt: Date.now() } satisfies CellUse))
    await this.enforceCap()
  }

  /** Drops the least recently used cells beyond the cap. */
  private async enforceCap(): Promise<void> {
    const all = await uses<CellUse[]>('readonly', (s) => s.getAll())
    const { dropped } = applyCap([...all].sort((a, b) => b.usedAt - a.usedAt), this.cap)
    if (dropped.length === 0) return
    await cells('readwrite', (s) => Promise.all(dropped.map((d) => s.delete(d.key))))
    await uses('readwrite', (s) => Promise.all(dropped.map((d) => s.delete(d.key))))
  }
}

/** How many cells are stored and their PNG bytes, for the sweep panel. */
export async function storedCellsSummary(): Promise<{ count: number; bytes: number }> {
  const all = await uses<CellUse[]>('readonly', (s) => s.getAll())
  return { count: all.length, bytes: all.reduce((sum, c) => sum + c.bytes, 0) }
}

/** Forgets every stored cell: the next sweep computes all its cells again. */
export async function clearStoredCells(): Promise<void> {
  await cells('readwrite', (s) => s.clear())
  await uses('readwrite', (s) => s.clear())
}
