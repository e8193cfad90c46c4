// WebGPU errors around a session's run. A validation or out-of-memory error inside onnxruntime-web's kernels is
// otherwise only a console warning while the run "succeeds" with garbage or stalls; in error scopes it fails the run
// with the model's name and the GPU's own message. Errors outside any scope (between runs) are kept for the
// device-lost message, which is often their consequence.

import type { ModelSession } from './types.js'

/** The part of GPUDevice used here (the WebGPU DOM types are not part of this build's lib). */
export interface GpuErrorDevice {
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void
  popErrorScope(): Promise<{ readonly message: string } | null>
  addEventListener?(type: 'uncapturederror', listener: (event: { readonly error?: { readonly message?: string } }) => void): void
}

export class GpuRunError extends Error {
  override readonly name = 'GpuRunError'
}

const FILTERS = ['internal', 'out-of-memory', 'validation'] as const

/**
 * Runs `work` inside error scopes on `device` and throws a GpuRunError naming `what` if the GPU reported an error
 * during it. The scopes are popped even when `work` throws, so the device's scope stack stays balanced.
 */
export async function inGpuErrorScopes<T>(device: GpuErrorDevice, what: string, work: () => Promise<T>): Promise<T> {
  for (const filter of FILTERS) device.pushErrorScope(filter)
  let result: T | undefined
  let failure: unknown
  let failed = false
  try {
    result = await work()
  } catch (error) {
    failure = error
    failed = true
  }
  // Popped in reverse push order: validation, out-of-memory, internal.
  const errors: string[] = []
  for (const filter of [...FILTERS].reverse()) {
    const error = await device.popErrorScope().catch(() => null)
    if (error) errors.push(`WebGPU ${filter} error: ${error.message.trim()}`)
  }
  if (errors.length > 0) {
    const advice = errors.some((e) => e.startsWith('WebGPU out-of-memory')) ? ' (the GPU ran out of memory: try a smaller image or batch, or the WASM backend)' : ''
    throw new GpuRunError(`${what}: ${errors.join('; ')}${advice}`)
  }
  if (failed) throw failure
  return result as T
}

/** Keeps the latest error no scope caught, for the message when the device is lost afterwards. */
export function watchUncapturedErrors(device: GpuErrorDevice): () => string | undefined {
  let last: string | undefined
  device.addEventListener?.('uncapturederror', (event) => {
    last = event.error?.message?.trim() || last
  })
  return () => last
}

/** A WebGPU session whose runs are checked for GPU errors (see inGpuErrorScopes). */
export class ScopedGpuSession implements ModelSession {
  constructor(
    private readonly session: ModelSession,
    private readonly device: GpuErrorDevice,
    private readonly modelKey: string,
    /** Test hook: issues one invalid WebGPU call inside the scopes of the next run, as a broken kernel would. */
    private readonly takeInjectedError: () => boolean = () => false,
  ) {}

  get backend(): ModelSession['backend'] {
    return this.session.backend
  }
  get inputs(): ModelSession['inputs'] {
    return this.session.inputs
  }
  get outputs(): ModelSession['outputs'] {
    return this.session.outputs
  }

  run(feeds: Parameters<ModelSession['run']>[0], outputNames?: readonly string[]): ReturnType<ModelSession['run']> {
    return inGpuErrorScopes(this.device, `running ${this.modelKey} on WebGPU`, async () => {
      if (this.takeInjectedError()) makeValidationError(this.device)
      return this.session.run(feeds, outputNames)
    })
  }

  runResident(feeds: Parameters<NonNullable<ModelSession['runResident']>>[0], outputNames: readonly string[]): ReturnType<NonNullable<ModelSession['runResident']>> {
    const inner = this.session.runResident
    if (!inner) throw new Error(`${this.modelKey}: this session cannot keep its outputs on the GPU`)
    return inGpuErrorScopes(this.device, `running ${this.modelKey} on WebGPU`, () => inner.call(this.session, feeds, outputNames))
  }

  dispose(): Promise<void> {
    return this.session.dispose()
  }
}

/** MAP_READ may only be combined with COPY_DST: a buffer with MAP_READ | STORAGE is a validation error. */
function makeValidationError(device: GpuErrorDevice): void {
  const MAP_READ = 0x1
  const STORAGE = 0x80
  ;(device as unknown as { createBuffer(d: { size: number; usage: number }): unknown }).createBuffer({ size: 4, usage: MAP_READ | STORAGE })
}
