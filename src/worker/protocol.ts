// Messages between the UI thread and the engine worker. Everything is structured-cloneable; pixel buffers
// (previews, PNGs) are transferred, not copied.
import type { EngineEvent } from '../engine/events.js'
import type { ExecGraph } from '../engine/graph.js'
import type { ShownOutput } from '../engine/output-values.js'
import type { ImageOutput } from '../../nodes/services.js'
import type { ModelMount } from '../models/browser/mounts.js'
import type { SweepFromWorker, SweepToWorker } from './sweep-protocol.js'

export type BackendPreference = 'auto' | 'webgpu' | 'wasm'

export interface SessionStats {
  /** Sessions created from model bytes during the run, by cache key. */
  readonly created: readonly string[]
  /** Sessions served from the session cache during the run, by cache key. */
  readonly reused: readonly string[]
  /** Sessions freed during the run because no cached node result used them any more, by model key. */
  readonly released: readonly string[]
}

export interface RunIssue {
  readonly message: string
  readonly nodeId?: string
  readonly nodeType?: string
  readonly input?: string
}

export type ToWorker =
  | {
      readonly type: 'init'
      readonly backend: BackendPreference
      readonly modelsBase: string
      /**
       * Int32 slot holding the highest run sequence number the UI cancelled. A busy worker cannot read messages
       * until its run ends, but it reads this slot at every progress event (cross-origin isolated pages only).
       */
      readonly cancelFlag?: SharedArrayBuffer
    }
  | { readonly type: 'run'; readonly runId: string; readonly seq: number; readonly graph: ExecGraph; readonly graphJson: string }
  | { readonly type: 'cancel'; readonly runId: string }
  /** Loads what this graph will need (Engine.warmUp) while the user looks at it; a newer one stops an older one. */
  | { readonly type: 'warm-up'; readonly id: number; readonly graph: ExecGraph }
  /** The catalog's usable local and downloaded models: names resolve through these before the bundled models/ URL. */
  | { readonly type: 'models'; readonly mounts: readonly ModelMount[] }
  | { readonly type: 'clear-cache' }
  /** The user is dragging or zooming the canvas (repeated while it lasts), or has stopped: background work waits meanwhile. */
  | { readonly type: 'interaction'; readonly active: boolean }
  /** Destroys the worker's GPU device, as a driver reset would: checks that the app recovers. */
  | { readonly type: 'lose-device' }
  /** Test hook: the next WebGPU session run meets a real validation error (see gpu-errors.ts). */
  | { readonly type: 'inject-gpu-error' }
  | SweepToWorker

export type FromWorker =
  | {
      readonly type: 'ready'
      readonly backend: string
      /** The backend, adapter and reason in full (the badge's tooltip). */
      readonly detail: string
      /** The badge's short text. */
      readonly badge: string
      /** Why this backend was chosen. */
      readonly reason: string
    }
  | { readonly type: 'init-failed'; readonly message: string }
  /** The GPU device is gone; this worker cannot run on it again, the UI starts a new one. */
  | { readonly type: 'device-lost'; readonly message: string }
  | { readonly type: 'event'; readonly event: EngineEvent }
  | { readonly type: 'images'; readonly runId: string; readonly output: ImageOutput }
  | {
      readonly type: 'run-done'
      readonly runId: string
      readonly ms: number
      readonly nodesRun: readonly string[]
      readonly nodesCached: readonly string[]
      readonly backend: string
      readonly sessions: SessionStats
      /** What output nodes computed besides images (scores, reports), by node id, for drawing on the nodes. */
      readonly values: Readonly<Record<string, readonly ShownOutput[]>>
      /** Device-to-host copies during the run (WebGPU), null where the backend keeps nothing on a device. */
      readonly readBacks: number | null
    }
  | { readonly type: 'run-error'; readonly runId: string; readonly message: string; readonly issues: readonly RunIssue[] }
  | { readonly type: 'run-cancelled'; readonly runId: string }
  /** A warm-up ended, with these sessions built (model keys). */
  | { readonly type: 'warm-up-done'; readonly id: number; readonly sessions: readonly string[] }
  /** Work waiting for the engine to be idle (e.g. a live LoRA's session): how much, and once done, the sessions it built. */
  | { readonly type: 'idle-work'; readonly pending: number; readonly sessions: readonly string[] }
  /** Background work (a warm-up's next step, idle work, cache copies) is waiting for the user to stop interacting, or goes on. */
  | { readonly type: 'background-paused'; readonly paused: boolean }
  | SweepFromWorker
