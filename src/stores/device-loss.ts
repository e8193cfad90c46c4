// What the app does when the worker's GPU device is lost: the first loss restarts the engine on a new device; a
// second loss in the same page means the GPU (or its driver) is not dependable, so runs move to WASM, saying so,
// until the user picks a backend again. Pure: the runs store applies the outcome.

/** Where the loss found the run: the node at work and its step, when it reports steps. */
export interface LossPlace {
  readonly nodeId: string
  readonly nodeType?: string
  readonly step?: { readonly value: number; readonly max: number }
}

export interface LossOutcome {
  /** The message for the error panel and the run's error. */
  readonly message: string
  /** True when the next engine must use WASM instead of WebGPU. */
  readonly fallBackToWasm: boolean
}

/** Losses after which WebGPU is given up for this page. */
export const LOSSES_BEFORE_WASM = 2

export function describePlace(place: LossPlace | null): string {
  if (!place) return ''
  const node = `node ${place.nodeId}${place.nodeType ? ` (${place.nodeType})` : ''}`
  // The step reported is the one finished; the loss struck the next one.
  const step = place.step && place.step.value < place.step.max ? `, step ${place.step.value + 1} of ${place.step.max}` : ''
  return ` in ${node}${step}`
}

/**
 * `lossCount` counts this loss (1 for the first). `during` is where the running run was, or null when no run was
 * going (the loss then only affects the next run).
 */
export function deviceLossOutcome(reason: string, lossCount: number, during: LossPlace | null, runWasGoing: boolean): LossOutcome {
  const fallBackToWasm = lossCount >= LOSSES_BEFORE_WASM
  const where = runWasGoing ? `${describePlace(during)}; the run failed` : ''
  const next = fallBackToWasm
    ? `the GPU device was lost ${lossCount} times, so runs now use WASM (CPU) instead of WebGPU: slower, but dependable; choose WebGPU in Settings to try the GPU again`
    : 'the next run starts on a new GPU device'
  return { message: `${reason}${where}, and ${next} (cached results are recomputed)`, fallBackToWasm }
}
