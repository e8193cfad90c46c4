// Sweep messages between the UI thread and the engine worker (joined into ToWorker / FromWorker in protocol.ts).
// A cell's result travels as its stored record (plain JSON) and its PNG, the same form the cell store keeps.
// protocol.ts imports this file, so SessionStats' shape is written out here rather than imported.

export type SweepToWorker =
  /** Runs every cell of the definition (sweep.json text) on the worker's engine; stored cells are reused. */
  | { readonly type: 'sweep-run'; readonly sweepId: string; readonly definitionJson: string }
  /** Stops after the cell at work (its run is aborted); cells done stay stored. */
  | { readonly type: 'sweep-cancel'; readonly sweepId: string }

export interface SweepCellMessage {
  readonly index: number
  /** cellRecordJson of the result. */
  readonly record: string
  readonly png: Uint8Array
  readonly reused: boolean
}

export type SweepFromWorker =
  | {
      readonly type: 'sweep-progress'
      readonly sweepId: string
      readonly done: number
      readonly total: number
      readonly computed: number
      readonly reused: number
      readonly etaMs: number | undefined
      readonly cell: SweepCellMessage
    }
  | {
      readonly type: 'sweep-done'
      readonly sweepId: string
      readonly cancelled: boolean
      readonly computed: number
      readonly reused: number
      /** Model sessions created and reused over the whole sweep (live LoRA scale changes create none). */
      readonly sessions: { readonly created: readonly string[]; readonly reused: readonly string[]; readonly released: readonly string[] }
    }
  | { readonly type: 'sweep-error'; readonly sweepId: string; readonly message: string }
