// What a node's `execute` receives besides its inputs.

export interface PreviewImage {
  readonly width: number
  readonly height: number
  /** RGBA, 8 bits per channel, row-major. */
  readonly rgba: Uint8ClampedArray
}

export interface NodeContext<S = unknown> {
  readonly nodeId: string
  readonly nodeType: string
  /** Aborts when the run is cancelled. Long nodes check it between steps through `checkCancelled`. */
  readonly signal: AbortSignal
  /** Host services (model runtime, file access); the engine never looks inside. */
  readonly services: S
  progress(value: number, max: number, preview?: PreviewImage): void
  /** Says what the node is doing now ("Loading UNet…", "Decoding…"); the UI shows it until the next stage or step. */
  stage(text: string): void
  warn(message: string): void
  /** Throws the engine's cancellation error when the run was cancelled. */
  checkCancelled(): void
  /**
   * Declares that this node's result keeps a host resource alive (e.g. a model session, by its cache key). The
   * engine hands resources back through `onRelease` once no cached result retains them.
   */
  retain(resource: string): void
  /**
   * Milliseconds the nodes this one depends on took to compute, each counted once, as measured when it last
   * computed (in this run, or in an earlier one for a cached result): what this node's inputs cost to make.
   */
  upstreamMs(): number
}
