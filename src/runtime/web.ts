// onnxruntime-web backend for the Web Worker. WebGPU is used when navigator.gpu gives an adapter; otherwise, or when
// a WebGPU session cannot be created, WASM. The onnxruntime build is loaded once the provider is known (ort-entry.ts):
// the CPU-only one on WASM, the one carrying WebGPU (and WASM to fall back to) otherwise.

import type * as OrtWeb from 'onnxruntime-web'
import { loadOrt, type OrtModule, type OrtSettings } from './ort-entry.js'
import { createOrtSession } from './ort-session.js'
import { decodeModel } from '../models/onnx/codec.js'
import { requireGraph } from '../models/onnx/graph.js'
import { DataType } from '../models/onnx/types.js'
import { deviceSupport, OrtDeviceTensor, ReadBackCounter } from './device-tensor.js'
import { estimateSessionBytes, refusalOnEvery, WASM_HEAP_LIMIT } from './preflight.js'
import type { DeviceSupport, HostTensor, InferenceBackend, ModelSession, ModelSource, SessionMemory, SessionOptions } from './types.js'
import { chooseBackend, type AdapterInfoLike, type AdapterProbe, type BackendChoice } from './adapter.js'
import { identityModel } from './warm-up.js'
import { ScopedGpuSession, watchUncapturedErrors, type GpuErrorDevice } from './gpu-errors.js'
import type { GpuBufferLimits } from './gpu-limits.js'

export type WebBackendName = 'webgpu' | 'wasm'

export interface WebBackendOptions {
  readonly preferred?: WebBackendName | 'auto'
  /** Where the ort-wasm-*.wasm/.mjs files are served from (prefix or per-file map), when not next to the bundle. */
  readonly wasmPaths?: OrtWeb.Env.WasmPathPrefix | OrtWeb.Env.WasmFilePaths
  /** WASM threads; default: up to 4 when cross-origin isolated (SharedArrayBuffer), else 1. */
  readonly numThreads?: number
}

interface GpuAdapterLike {
  readonly info?: AdapterInfoLike
  readonly isFallbackAdapter?: boolean
  readonly limits?: Partial<GpuBufferLimits>
  readonly features?: { has(feature: string): boolean }
  requestAdapterInfo?(): Promise<AdapterInfoLike>
}

interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>
}

/** What navigator.gpu gives in this context: nothing, no adapter, or an adapter and its info. */
export async function probeWebGpu(): Promise<AdapterProbe> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu
  if (!gpu) return { kind: 'no-webgpu' }
  try {
    const adapter = await gpu.requestAdapter()
    if (!adapter) return { kind: 'no-adapter' }
    // GPUAdapter.info is current; requestAdapterInfo() is what older Chromium has. isFallbackAdapter moved into info.
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {}
    const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter
    const limits = bufferLimits(adapter.limits)
    return {
      kind: 'adapter',
      info: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, ...(fallback !== undefined ? { isFallbackAdapter: fallback } : {}) },
      ...(limits ? { limits } : {}),
      ...(adapter.features ? { shaderF16: adapter.features.has('shader-f16') } : {}),
    }
  } catch {
    return { kind: 'no-adapter' }
  }
}

/**
 * The adapter's buffer limits, which onnxruntime-web 1.30 requests as they are for its device (see gpu-limits.ts);
 * undefined when the adapter does not state both.
 */
function bufferLimits(limits: Partial<GpuBufferLimits> | undefined): GpuBufferLimits | undefined {
  const { maxBufferSize, maxStorageBufferBindingSize } = limits ?? {}
  return typeof maxBufferSize === 'number' && typeof maxStorageBufferBindingSize === 'number' ? { maxBufferSize, maxStorageBufferBindingSize } : undefined
}

/** Threads are only possible with SharedArrayBuffer, i.e. in a cross-origin isolated context. */
export function defaultWasmThreads(): number {
  if (!globalThis.crossOriginIsolated) return 1
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1
  return Math.max(1, Math.min(4, cores))
}

/** GPUBufferUsage flags (the WebGPU DOM types and constants are not part of this build's lib). */
const GPU_COPY_SRC = 0x04
const GPU_COPY_DST = 0x08
const GPU_STORAGE = 0x80

/** The part of GPUDevice used here (the WebGPU DOM types are not part of this build's lib). */
interface GpuDeviceLike extends GpuErrorDevice {
  readonly lost: Promise<{ readonly reason?: string; readonly message?: string }>
  destroy(): void
  createBuffer(descriptor: { size: number; usage: number }): { destroy(): void }
  readonly queue: { writeBuffer(buffer: { destroy(): void }, offset: number, data: ArrayBuffer, dataOffset: number, size: number): void }
}

const HEAP = 'the 4 GB wasm32 heap onnxruntime-web loads models through'
const HEAP_BUDGET = { bytes: WASM_HEAP_LIMIT, what: HEAP }

export class WebBackend implements InferenceBackend {
  readonly name = 'onnxruntime-web'

  /** `active` is the provider sessions are created with: 'webgpu' only when an adapter was found. */
  constructor(
    public active: WebBackendName,
    /** How `active` was chosen (the adapter found and why), for the UI's backend badge. */
    readonly choice: BackendChoice = { backend: active, reason: active },
    /** The probed adapter's buffer limits, when it stated them. */
    private readonly adapterLimits?: GpuBufferLimits,
    /** Threads and wasm file paths for onnxruntime; threads default to defaultWasmThreads(). */
    private readonly ortSettings: Partial<OrtSettings> = {},
    /** Whether the adapter has `shader-f16`; without it float16 models run on WASM (see createSession). */
    private readonly shaderF16 = true,
  ) {}

  private loadedOrt: Promise<OrtModule> | undefined

  /** A float16 model's session on WASM, for an adapter without shader-f16; its notice says why and what to do. */
  private async createFloat16OnWasm(ort: OrtModule, source: ModelSource, options: SessionOptions | undefined): Promise<ModelSession> {
    const adapter = this.choice.adapter ? ` (${this.choice.adapter.name})` : ''
    const why = `${source.key} has float16 weights and this GPU adapter${adapter} has no shader-f16, which onnxruntime's float16 GPU kernels need`
    const session = await createOrtSession(ort, source, withWasmOptimisation(source, options, ['wasm']), ['wasm'], () => HEAP_BUDGET, { readBacks: this.readBacks }).catch((error: unknown) => {
      throw new Error(`${why}; on WASM instead: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    })
    return Object.assign(session, { notice: `${why}: it runs on the CPU (WASM) instead, far slower; use an fp32 export to run it on this GPU` })
  }

  /** The onnxruntime build for the active provider, loaded on first use (and again after a failed load). */
  private ort(): Promise<OrtModule> {
    this.loadedOrt ??= loadOrt(this.active, { ...this.ortSettings, numThreads: this.ortSettings.numThreads ?? defaultWasmThreads() }).catch((error: unknown) => {
      this.loadedOrt = undefined
      throw error
    })
    return this.loadedOrt
  }

  /**
   * The buffer limits one tensor must fit while runs go to WebGPU; undefined on WASM (whose heap the memory preflight
   * covers) or when the adapter did not state them.
   */
  get gpuLimits(): GpuBufferLimits | undefined {
    return this.active === 'webgpu' ? this.adapterLimits : undefined
  }

  /** All sessions share one wasm32 heap (WebGPU sessions stage their weights through it too). */
  get memory(): SessionMemory {
    const active = this.active
    return { bytes: WASM_HEAP_LIMIT, what: HEAP, estimate: (fileBytes) => estimateSessionBytes(fileBytes, active) }
  }

  /** The providers a session tries, in order: those asked for that are usable, else WebGPU (when found) then WASM. */
  private providers(options?: SessionOptions): WebBackendName[] {
    const asked = (options?.executionProviders ?? []).filter((ep): ep is WebBackendName => ep === 'webgpu' || ep === 'wasm')
    const usable = asked.filter((ep) => ep === 'wasm' || this.active === 'webgpu')
    return usable.length > 0 ? usable : this.active === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm']
  }

  refusal(modelKey: string, fileBytes: number, options?: SessionOptions): Error | undefined {
    return refusalOnEvery(modelKey, fileBytes, this.providers(options), () => HEAP_BUDGET)
  }

  /**
   * Calls `onLost` once if the GPU device onnxruntime-web uses is lost (driver reset, GPU process crash, destroy).
   * A lost device cannot come back: the host must start over with a new onnxruntime instance (a new worker).
   */
  watchDevice(onLost: (message: string) => void): void {
    this.onDeviceLost = onLost
  }

  private onDeviceLost: ((message: string) => void) | undefined
  private watching = false

  /** onnxruntime-web makes its device with the first WebGPU session; only then can its loss be watched. */
  private async watchCreatedDevice(): Promise<void> {
    if (this.watching || !this.onDeviceLost) return
    this.watching = true
    const onLost = this.onDeviceLost
    try {
      const device = (await (await this.ort()).env.webgpu.device) as GpuDeviceLike
      const lastUncaptured = watchUncapturedErrors(device)
      this.deviceLost = device.lost.then(() => true)
      void device.lost.then((info) => {
        const before = lastUncaptured()
        onLost(`the GPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''})${before ? `, after the WebGPU error "${before}"` : ''}`)
      })
    } catch {
      this.watching = false // no device to watch (yet)
    }
  }

  /** Resolves (true) when the watched GPU device is lost. */
  private deviceLost: Promise<boolean> | undefined

  /**
   * Whether the GPU device is lost, or is lost within `graceMs`: a run that failed on a dying device (a buffer
   * unmapped under a read-back, say) failed because of the loss, which is reported a moment after its error.
   */
  lostWithin(graceMs: number): Promise<boolean> {
    if (!this.deviceLost) return Promise.resolve(false)
    return Promise.race([this.deviceLost, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs))])
  }

  private injectGpuError = false

  /** Makes the next WebGPU run meet a real validation error inside its error scopes (for checking the message). */
  injectGpuErrorOnNextRun(): void {
    this.injectGpuError = true
  }

  /** Destroys the GPU device, as a driver reset would (for checking that the app recovers). */
  async loseDevice(): Promise<void> {
    if (this.active === 'webgpu') ((await (await this.ort()).env.webgpu.device) as GpuDeviceLike).destroy()
  }

  private readonly readBacks = new ReadBackCounter()

  /**
   * On WebGPU, sessions leave their outputs in GPU buffers (run() downloads them; runResident() keeps them) and host
   * tensors are uploaded into buffers of onnxruntime's device, so a sampling loop never reads back between steps.
   */
  get device(): DeviceSupport | undefined {
    return this.active === 'webgpu' ? this.gpu : undefined
  }

  private readonly gpu = deviceSupport('gpu', this.readBacks, (tensor) => this.upload(tensor))

  private async upload(tensor: HostTensor): Promise<OrtDeviceTensor> {
    // float16 for an fp16 UNet's conditioning (carried as raw bits in a Uint16Array).
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'float16') throw new Error(`only float32 and float16 tensors are uploaded to the GPU, not ${tensor.dtype}`)
    const ort = await this.ort()
    const device = (await ort.env.webgpu.device) as GpuDeviceLike
    const bytes = tensor.data.byteLength
    const padded = Math.max(4, Math.ceil(bytes / 4) * 4)
    const buffer = device.createBuffer({ size: padded, usage: GPU_STORAGE | GPU_COPY_SRC | GPU_COPY_DST })
    // writeBuffer copies whole 4-byte words: an odd count of float16 values goes through a padded copy.
    let data = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, bytes)
    if (bytes !== padded) {
      const whole = new Uint8Array(padded)
      whole.set(data)
      data = whole
    }
    device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength)
    const gpuTensor = ort.Tensor.fromGpuBuffer(buffer as unknown as OrtWeb.Tensor.GpuBufferType, { dataType: tensor.dtype, dims: tensor.dims, dispose: () => buffer.destroy() })
    return new OrtDeviceTensor(gpuTensor, this.readBacks, 'uploaded tensor')
  }

  /** The warm-up in progress or done: sessions wait for it (onnxruntime refuses a second initialisation meanwhile). */
  private warming: Promise<void> = Promise.resolve()

  /**
   * Compiles and starts onnxruntime's WebAssembly now (see warm-up.ts), so the first model load does not pay for it.
   * WASM only: on WebGPU the same step would also create the GPU device, which stays with the first real session.
   * A failure is left for the first real session to report, with a message tied to a model.
   */
  warmUp(): Promise<void> {
    if (this.active !== 'wasm') {
      void this.ort().catch(() => undefined) // the module's code only; its wasm compiles with the first session
      return this.warming
    }
    this.warming = this.ort()
      .then((ort) => ort.InferenceSession.create(identityModel(), { executionProviders: ['wasm'] }))
      .then((session) => session.release())
      .catch(() => undefined)
    return this.warming
  }

  async createSession(source: ModelSource, options?: SessionOptions): Promise<ModelSession> {
    await this.warming
    const ort = await this.ort()
    const providers = this.providers(options)
    // onnxruntime-web creates a float16 model's WebGPU session on an adapter without shader-f16, then fails its first
    // run ("Program GemmNaive requires f16 but the device does not support it"): such a model runs on WASM, and says so.
    if (providers[0] === 'webgpu' && !this.shaderF16 && usesFloat16(source)) return this.createFloat16OnWasm(ort, source, options)
    // WebGPU sessions are staged through the same wasm32 heap, so both providers share its 4 GB limit.
    const session = await createOrtSession(ort, source, withWasmOptimisation(source, options, providers), providers, () => HEAP_BUDGET, {
      gpuOutputs: true,
      readBacks: this.readBacks,
    })
    if (session.backend !== 'webgpu') return session
    await this.watchCreatedDevice()
    const device = (await ort.env.webgpu.device) as GpuDeviceLike
    return new ScopedGpuSession(session, device, source.key, () => {
      const inject = this.injectGpuError
      this.injectGpuError = false
      return inject
    })
  }
}

/** Whether a model has float16 inputs, outputs or weights (an `--fp16` export). */
export function usesFloat16(source: ModelSource): boolean {
  const graph = requireGraph(decodeModel(source.bytes))
  const float16 = (info: { type?: { tensorType?: { elemType?: number } } }) => info.type?.tensorType?.elemType === DataType.FLOAT16
  return graph.input.some(float16) || graph.output.some(float16) || graph.initializer.some((t) => t.dataType === DataType.FLOAT16)
}

/**
 * Up to this size (model and external data), a WASM session is built without graph optimisation. For small models
 * the optimiser is most of the session's creation (the 13 MB text encoder: ~90 ms unoptimised, 0.3 to 4.6 s at
 * 'all', measured on 2 busy cores) and buys nothing measurable per run; large models keep 'all', where fusions pay.
 */
export const UNOPTIMISED_WASM_MODEL_BYTES = 64 * 1024 * 1024

/** The session options with the graph optimisation level this model gets on WASM, unless one was asked for. */
export function withWasmOptimisation(source: ModelSource, options: SessionOptions | undefined, providers: readonly WebBackendName[]): SessionOptions | undefined {
  if (options?.graphOptimizationLevel !== undefined || providers[0] !== 'wasm') return options
  const bytes = source.bytes.byteLength + (source.externalData ?? []).reduce((sum, file) => sum + file.data.byteLength, 0)
  return bytes <= UNOPTIMISED_WASM_MODEL_BYTES ? { ...options, graphOptimizationLevel: 'disabled' } : options
}

export async function createWebBackend(options: WebBackendOptions = {}): Promise<WebBackend> {
  const preferred = options.preferred ?? 'auto'
  // With WASM asked for, no adapter is requested: it would only delay the first run.
  const probe: AdapterProbe = preferred === 'wasm' ? { kind: 'no-adapter' } : await probeWebGpu()
  const choice = chooseBackend(preferred, probe)
  const ortSettings = { ...(options.numThreads !== undefined ? { numThreads: options.numThreads } : {}), ...(options.wasmPaths !== undefined ? { wasmPaths: options.wasmPaths } : {}) }
  return new WebBackend(choice.backend, choice, probe.kind === 'adapter' ? probe.limits : undefined, ortSettings, probe.kind !== 'adapter' || probe.shaderF16 !== false)
}
