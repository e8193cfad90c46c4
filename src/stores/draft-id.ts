// This tab's draft id: kept in sessionStorage, so a reload of the tab finds its own draft, and held with a Web Lock
// for the tab's life, so a duplicated tab (which copies sessionStorage) takes a new id instead of sharing the draft.
const SESSION_KEY = 'hypersd-draft-id'
/** How long to wait for the id's lock: a reloading tab's previous page releases it within this. */
const LOCK_WAIT_MS = 1000

export interface ClaimedDraftId {
  readonly id: string
  /** True when this tab had no draft id yet (a new tab, not a reload). */
  readonly fresh: boolean
  /** The id this tab was duplicated from, whose draft it starts from. */
  readonly copyOf?: string
}

export function newDraftId(): string {
  const id = `draft-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`
  try {
    sessionStorage.setItem(SESSION_KEY, id)
  } catch {
    // sessionStorage refused (a sandboxed page): the id lasts until the tab closes or reloads
  }
  return id
}

export async function claimDraftId(): Promise<ClaimedDraftId> {
  let stored: string | null = null
  try {
    stored = sessionStorage.getItem(SESSION_KEY)
  } catch {
    stored = null
  }
  if (!stored) {
    const id = newDraftId()
    await holdLock(id, 0)
    return { id, fresh: true }
  }
  if (await holdLock(stored, LOCK_WAIT_MS)) return { id: stored, fresh: false }
  // Another open tab holds this id: this tab is its duplicate.
  const id = newDraftId()
  await holdLock(id, 0)
  return { id, fresh: false, copyOf: stored }
}

/** Takes the lock named after `id` for the rest of this page's life; false when another tab keeps it past `waitMs`. */
function holdLock(id: string, waitMs: number): Promise<boolean> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  if (!locks) return Promise.resolve(true)
  return new Promise<boolean>((resolve) => {
    const options: LockOptions = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true }
    locks
      .request(`hypersd-draft:${id}`, options, (lock) => {
        resolve(lock !== null)
        // Held until the page goes away.
        return lock ? new Promise<never>(() => undefined) : undefined
      })
      .catch(() => resolve(false))
  })
}
