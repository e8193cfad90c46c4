// Messages between the editor and its graph-parse worker (src/editor/parse-worker.ts).
import type { GraphFile } from '../graph/schema.js'

export interface ParseRequest {
  readonly id: number
  readonly text: string
  readonly source: string
}

export type ParseReply =
  | { readonly id: number; readonly kind: 'graph'; readonly graph: GraphFile; readonly warnings: readonly string[] }
  /** Not our format (a ComfyUI workflow): imported on the main thread. */
  | { readonly id: number; readonly kind: 'other' }
  | { readonly id: number; readonly kind: 'error'; readonly message: string }
