// Drafts: each tab's open graph (and whether it has unsaved changes) in IndexedDB, one record per tab keyed by the
// tab's draft id, restored after a reload or crash. The key "current" is the single draft of earlier builds.
import { indexedStore } from './idb.js'

const DB_NAME = 'hypersd-studio'
const STORE = 'autosave'
/** The one draft key that builds before per-tab drafts wrote. */
export const LEGACY_DRAFT_ID = 'current'
/** Drafts kept: the most recent ones (the open tab's own is always kept). */
export const MAX_DRAFTS = 10

export interface AutosaveRecord {
  /** Graph file JSON text. */
  readonly graph: string
  readonly name: string
  /** Snapshot of the last explicit save/open, to keep the unsaved-changes indicator across reloads. */
  readonly savedGraph: string | null
  readonly at: number
}

/** A stored draft as found: `record` is undefined when the stored value is not a draft at all (kept, never overwritten). */
export interface StoredDraft {
  readonly id: string
  readonly record: AutosaveRecord | undefined
  /** The stored value as text, for "download raw": the graph text when there is one. */
  readonly raw: string
  readonly name: string
  readonly at: number
}

const withStore = indexedStore(DB_NAME, STORE)

export function writeDraft(id: string, record: AutosaveRecord): Promise<void> {
  return withStore<void>('readwrite', (store) => store.put(record, id))
}

/** Every stored draft, newest first. */
export async function readDrafts(): Promise<StoredDraft[]> {
  const [keys, values] = await withStore<[IDBValidKey[], unknown[]]>('readonly', (store) => Promise.all([store.getAllKeys(), store.getAll()]))
  return keys
    .map((key, index) => storedDraftOf(String(key), values[index]))
    .sort((a, b) => b.at - a.at)
}

export function deleteDrafts(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return Promise.resolve()
  return withStore<void>('readwrite', (store) => Promise.all(ids.map((id) => store.delete(id))))
}

/** Removes all but the `MAX_DRAFTS` most recent drafts, never those in `keepIds` (which count towards the cap). */
export async function pruneDrafts(keepIds: readonly string[]): Promise<void> {
  const drafts = await readDrafts()
  const others = drafts.filter((d) => !keepIds.includes(d.id))
  const room = Math.max(0, MAX_DRAFTS - drafts.length + others.length)
  await deleteDrafts(others.slice(room).map((d) => d.id))
}

function storedDraftOf(id: string, value: unknown): StoredDraft {
  const record = recordOf(value)
  if (record) return { id, record, raw: record.graph, name: record.name, at: record.at }
  const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  const field = (key: string): unknown => (object && Object.hasOwn(object, key) ? object[key] : undefined)
  const graph = field('graph')
  const name = field('name')
  return {
    id,
    record: undefined,
    raw: typeof graph === 'string' ? graph : safeStringify(value),
    name: typeof name === 'string' ? name : 'unnamed draft',
    at: Number(field('at')) || 0,
  }
}

function recordOf(value: unknown): AutosaveRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const object = value as Record<string, unknown>
  const own = (key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined)
  const graph = own('graph')
  const name = own('name')
  const savedGraph = own('savedGraph')
  if (typeof graph !== 'string' || typeof name !== 'string') return undefined
  return { graph, name, savedGraph: typeof savedGraph === 'string' ? savedGraph : null, at: Number(own('at')) || 0 }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
