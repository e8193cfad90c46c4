// Memory preflight: before onnxruntime is handed a model, estimate what the session will need on the chosen
// backend and refuse, with a message naming the file and what to do instead, when it cannot fit. onnxruntime's own
// failure for an oversized model is an abort or an opaque "RangeError: Array buffer allocation failed" after
// gigabytes were already copied.

import type { BackendName, LoadRoute, ModelSource } from './types.js'

const GiB = 2 ** 30

/** wasm32's address space: onnxruntime-web's heap can never exceed it, whatever the machine has. */
export const WASM_HEAP_LIMIT = 4 * GiB

/** Room for activations, the arena and the runtime itself, on top of the weights. */
const WORKING_MARGIN = 0.25 * GiB

export interface MemoryBudget {
  readonly bytes: number
  /** Names the limit in messages: "the 4 GB wasm32 heap", "this machine's 24 GB of memory". */
  readonly what: string
}

/** Bytes of the model file plus its external data. */
export function modelFileBytes(source: Pick<ModelSource, 'bytes' | 'externalData'>): number {
  return source.bytes.byteLength + (source.externalData ?? []).reduce((sum, f) => sum + f.data.byteLength, 0)
}

/**
 * Peak bytes a session needs while it is created, on the side that `budget` limits:
 * - wasm: the file is copied into the heap, parsed, and fp16 weights get float32 copies for the CPU kernels: 4x.
 *   Measured in Chromium (README): the fp16 SDXL text encoder 2 (1.29 GiB) and SD1.5 UNet (1.6 GiB) each failed
 *   alone with std::bad_alloc, so the factor is above 3.1; the 0.23 GiB text encoder loaded;
 * - webgpu: the same staging copy passes through the wasm heap before the weights move to the GPU (1x + margin);
 * - cpu/cuda (onnxruntime-node), measured on the fp16 SD1.5 twin's UNet (README "Full-size twins"): opened from
 *   its path, peak RSS 3.8x the file (onnxruntime's copy plus, as we read it, float32 copies of the fp16 weights
 *   for the CPU provider, which lacks fp16 kernels for most ops); from bytes in JS, 5.1x to 5.2x; built by a LoRA
 *   (`npm run bench:full -- --only lora-<mode>`, base and build held while onnxruntime parses): merge 6.1x to
 *   6.4x, live 6.2x to 6.6x, live-delta 9.4x to 9.5x (its deltas, as large as the patched weights, are held
 *   while the side file is assembled). In the browser the build's copies live outside the wasm heap the budget limits.
 */
const NODE_FACTORS: Readonly<Record<LoadRoute, number>> = { file: 3.9, bytes: 5.2, build: 7, 'build-with-deltas': 10 }

export function estimateSessionBytes(fileBytes: number, backend: BackendName, route: LoadRoute = 'bytes'): number {
  const node = NODE_FACTORS[route]
  const factor = backend === 'wasm' ? 4 : backend === 'webgpu' ? 1 : node
  return factor * fileBytes + WORKING_MARGIN
}

function gb(bytes: number): string {
  return (bytes / GiB).toFixed(bytes < 10 * GiB ? 1 : 0)
}

const INSTEAD: Record<BackendName, string> = {
  wasm: 'use the WebGPU backend (the weights live in GPU memory), a smaller export (fp16 where this one is fp32), or the CLI',
  webgpu: 'use a smaller export (fp16 where this one is fp32) or the CLI (onnxruntime-node has no 4 GB heap limit)',
  cpu: 'use a smaller export (fp16 where this one is fp32) or a machine with more memory',
  cuda: 'use a smaller export (fp16 where this one is fp32) or a machine with more memory',
}

export class PreflightError extends Error {
  override readonly name = 'PreflightError'
}

/** The refusal for `source` on `backend` within `budget`, or undefined when it fits. */
export function preflightRefusal(source: Pick<ModelSource, 'key' | 'bytes' | 'externalData'>, backend: BackendName, budget: MemoryBudget): PreflightError | undefined {
  return refusalForSize(source.key, modelFileBytes(source), backend, budget)
}

/** The first provider's refusal when every provider in `providers` refuses a file of `fileBytes`; else undefined. */
export function refusalOnEvery(
  key: string,
  fileBytes: number,
  providers: readonly BackendName[],
  budgetFor: (ep: BackendName) => MemoryBudget | undefined,
  route: LoadRoute = 'bytes',
): PreflightError | undefined {
  const refusals = providers.map((ep) => {
    const budget = budgetFor(ep)
    return budget && refusalForSize(key, fileBytes, ep, budget, route)
  })
  return refusals.every((r) => r !== undefined) ? refusals[0] : undefined
}

export function refusalForSize(key: string, file: number, backend: BackendName, budget: MemoryBudget, route: LoadRoute = 'bytes'): PreflightError | undefined {
  const needed = estimateSessionBytes(file, backend, route)
  if (needed <= budget.bytes) return undefined
  return new PreflightError(
    `${key}: a ${gb(file)} GB model needs about ${gb(needed)} GB to load on ${backend}, more than ${budget.what}; ${route === 'build-with-deltas' ? "use the LoRA's live or merge mode (live-delta holds more copies while it builds), " : ''}${INSTEAD[backend]}`,
  )
}

