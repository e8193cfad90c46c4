// A live LoRA's first image from a merged session. The live form adds a branch of four nodes per patched layer (the
// bundled UNet: 2,233 nodes against 1,801), and onnxruntime builds its session in about twice the merged one's time:
// on a cold start that is the longest single step before the first image, paid for a run at one scale. Where the host
// can build later (the browser's engine, once idle), a small model's first request gets its live LoRAs merged at the
// current scales, and the live session is built afterwards; from then on requests get the live session, so scale
// changes still reuse one session. A scale change that comes first builds the live session at once.
import { isLiveMode, type LoraMode } from './live.js'

/** What this needs of a LoRA binding. */
interface Binding {
  readonly scale: number
  readonly mode: LoraMode
}

/** Models up to this size (file and external data) get the merged first session: two sessions are held for a while. */
export const FIRST_MERGE_MODEL_BYTES = 64 * 1024 * 1024

/** Suffix of the merged first session's key: its own entry, never one a merge-mode binding at that scale uses. */
const FIRST_SUFFIX = '#first'

/** Sessions as a task run later sees them: what it builds and frees there is not counted as any run's. */
export interface BackgroundSessions {
  has(key: string): boolean
  release(keys: readonly string[]): Promise<void>
}

export interface FirstSessionDeps<S extends BackgroundSessions> {
  /** Whether a session for this key is held or being built. */
  has?(key: string): boolean
  /** Runs `task` once the host is idle (no run and no warm-up going). Absent: live sessions are built when asked for. */
  later?(task: (background: S) => Promise<void>): void
}

export interface FirstSessionPlan<B extends Binding> {
  /** The bindings to build now: the live ones as merges at their scales. */
  readonly loras: readonly B[]
  /** The session key to build them under. */
  readonly key: string
}

interface Pending {
  readonly key: string
}

/** Per session provider (host): live keys whose merged first session exists and whose live session is not built yet. */
const pendingByHost = new WeakMap<object, Map<string, Pending>>()

/**
 * The merged first session to build instead of `liveKey`'s live one, or undefined to build the live one. `mergedKeyOf`
 * gives the session key of bindings (the merge form's), `buildLive` builds and caches the live session.
 */
export async function planFirstSession<B extends Binding, S extends BackgroundSessions>(
  host: object,
  deps: FirstSessionDeps<S>,
  liveKey: string,
  loras: readonly B[],
  modelBytes: () => Promise<number | undefined>,
  mergedKeyOf: (loras: readonly B[]) => string,
  buildLive: (background: S) => Promise<unknown>,
  /** Whether a live LoRA has weights for this model at all (one for the UNet only leaves a text encoder as it is). */
  liveLorasApply: () => Promise<boolean>,
): Promise<FirstSessionPlan<B> | undefined> {
  const { has, later } = deps
  if (!has || !later || has(liveKey)) return undefined
  if (!loras.some((l) => isLiveMode(l.mode) && l.scale !== 0)) return undefined
  let pending = pendingByHost.get(host)
  if (!pending) pendingByHost.set(host, (pending = new Map()))
  const merged: B[] = loras.map((l) => (isLiveMode(l.mode) ? { ...l, mode: 'merge' } : l))
  const key = `${mergedKeyOf(merged)}${FIRST_SUFFIX}`
  const plan = { loras: merged, key }
  // Asked again before the live session was built: the same scales reuse the merged session, others need the live one.
  const sameScales = (known: Pending): FirstSessionPlan<B> | undefined => (known.key === key && has(key) ? plan : undefined)
  const known = pending.get(liveKey)
  if (known) return sameScales(known)
  const bytes = await modelBytes()
  const applies = bytes !== undefined && bytes <= FIRST_MERGE_MODEL_BYTES && (await liveLorasApply())
  const meanwhile = pending.get(liveKey)
  if (meanwhile) return sameScales(meanwhile)
  if (!applies || has(liveKey)) return undefined
  const entries = pending
  entries.set(liveKey, { key })
  later(async (background) => {
    try {
      // Released meanwhile: no cached result uses this model and LoRA any more (e.g. another LoRA was chosen).
      if (background.has(key)) await buildLive(background)
    } catch {
      // The run that asks for the live session builds it again and reports what fails.
    } finally {
      entries.delete(liveKey)
      await background.release([key])
    }
  })
  return plan
}
