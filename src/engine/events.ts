// The typed event stream a run emits. Hosts forward these to the UI (worker) or a terminal (CLI).
import type { PreviewImage } from './context.js'

export type EngineEvent =
  | { type: 'run-started'; runId: string; order: readonly string[] }
  | { type: 'node-started'; runId: string; nodeId: string; nodeType: string }
  | { type: 'node-cached'; runId: string; nodeId: string; nodeType: string }
  | { type: 'progress'; runId: string; nodeId: string; value: number; max: number; preview?: PreviewImage }
  /** What a node is doing now, for stretches without step progress ("Loading text encoder…", "Encoding prompt…"). */
  | { type: 'stage'; runId: string; nodeId: string; stage: string }
  | { type: 'node-warning'; runId: string; nodeId: string; message: string }
  | { type: 'node-finished'; runId: string; nodeId: string; nodeType: string; ms: number }
  | { type: 'node-failed'; runId: string; nodeId: string; nodeType: string; message: string }
  | { type: 'run-finished'; runId: string; ms: number; nodesRun: readonly string[]; nodesCached: readonly string[] }
  | { type: 'run-failed'; runId: string; message: string; nodeId?: string }
  | { type: 'run-cancelled'; runId: string }

export type EngineEventType = EngineEvent['type']
export type EngineEventListener = (event: EngineEvent) => void
