// This tab's draft and the others: which draft to restore on start, the draft that could not be opened (kept, never
// overwritten), autosave failures (shown until a save succeeds) and the recent drafts of other tabs.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { claimDraftId, newDraftId, type ClaimedDraftId } from './draft-id.js'
import { LEGACY_DRAFT_ID, deleteDrafts, pruneDrafts, readDrafts, writeDraft, type AutosaveRecord, type StoredDraft } from './persistence.js'

export interface UnreadableDraft {
  readonly id: string
  readonly name: string
  readonly at: number
  readonly reason: string
  readonly raw: string
}

export interface DraftSummary {
  readonly id: string
  readonly name: string
  readonly at: number
}

export const useDrafts = defineStore('drafts', () => {
  const unreadable = shallowRef<UnreadableDraft | null>(null)
  const autosaveWarning = ref<string | null>(null)
  const recent = shallowRef<DraftSummary[]>([])
  let claimed: Promise<ClaimedDraftId> | undefined
  /** The draft this tab writes; replaced by a fresh id when its own draft could not be opened. */
  let ownId: string | undefined
  /** A draft this tab took over (an earlier build's single draft), removed once this tab's own draft is written. */
  let adoptedId: string | undefined
  let pruned = false

  async function draftId(): Promise<string> {
    claimed ??= claimDraftId()
    const claim = await claimed
    ownId ??= claim.id
    return ownId
  }

  /** The draft this tab starts from: its own, the one it was duplicated from, or (in a new tab) an earlier build's. */
  async function draftToRestore(): Promise<StoredDraft | undefined> {
    const id = await draftId()
    const claim = await claimed!
    const drafts = await readDrafts()
    recent.value = summaries(drafts, id)
    const own = drafts.find((d) => d.id === id) ?? (claim.copyOf ? drafts.find((d) => d.id === claim.copyOf) : undefined)
    if (own) return own
    const legacy = claim.fresh ? drafts.find((d) => d.id === LEGACY_DRAFT_ID) : undefined
    if (legacy) adoptedId = legacy.id
    return legacy
  }

  /**
   * The draft `draft` cannot be opened by this build: it stays stored as it is, this tab writes a new draft from now
   * on, and the reason is shown with a raw download.
   */
  function keepUnreadable(draft: StoredDraft, reason: string): void {
    unreadable.value = { id: draft.id, name: draft.name, at: draft.at, reason, raw: draft.raw }
    if (adoptedId === draft.id) adoptedId = undefined
    if (draft.id === ownId) ownId = newDraftId()
  }

  /** Writes this tab's draft; false (with the warning shown) when IndexedDB refused it. */
  async function save(record: AutosaveRecord): Promise<boolean> {
    try {
      const id = await draftId()
      await writeDraft(id, record)
      autosaveWarning.value = null
      if (adoptedId) {
        const adopted = adoptedId
        adoptedId = undefined
        await deleteDrafts([adopted])
      }
      if (!pruned) {
        pruned = true
        await pruneDrafts(unreadable.value ? [id, unreadable.value.id] : [id])
      }
      return true
    } catch (error) {
      autosaveWarning.value = `Autosave failed: ${describe(error)} Your latest edits are not kept in this browser yet; saving is retried every few seconds and on your next edit.`
      return false
    }
  }

  /**
   * Keeps this tab's draft as it stands (listed under Drafts from now on) and writes a new one: the graph it holds is
   * being replaced by a file the user opened, and its unsaved edits must not be lost.
   */
  async function setAside(): Promise<void> {
    await draftId()
    ownId = newDraftId()
    await refreshRecent()
  }

  /** Reads the other drafts again (they change while other tabs edit). */
  async function refreshRecent(): Promise<void> {
    const id = await draftId()
    recent.value = summaries(await readDrafts(), id)
  }

  async function read(id: string): Promise<StoredDraft | undefined> {
    return (await readDrafts()).find((d) => d.id === id)
  }

  return { unreadable, autosaveWarning, recent, draftToRestore, keepUnreadable, save, setAside, refreshRecent, read }
})

function summaries(drafts: readonly StoredDraft[], ownId: string): DraftSummary[] {
  return drafts.filter((d) => d.id !== ownId).map((d) => ({ id: d.id, name: d.name, at: d.at }))
}

function describe(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : ''
  const message = error instanceof Error || error instanceof DOMException ? error.message : String(error)
  if (name === 'QuotaExceededError') return `the browser's storage for this site is full (${message}). Free some space (e.g. clear the gallery).`
  if (typeof indexedDB === 'undefined') return 'IndexedDB is not available in this browser window (private mode or blocked storage).'
  return `${name && !message.includes(name) ? `${name}: ` : ''}${message}.`
}
