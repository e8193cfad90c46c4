// ModelSession over an onnxruntime InferenceSession; shared by the node and web backends (both expose the
// onnxruntime-common API). Feeds are converted to the declared input dtypes, outputs are copied to host arrays and
// every ort tensor made or returned for a run is disposed afterwards.

import type { InferenceSession, Tensor } from 'onnxruntime-common'
import { modelFileBytes, refusalForSize, type MemoryBudget, type PreflightError } from './preflight.js'
import { checkModelBytes, ortSessionOptions } from './session-options.js'
import { convertTensor, isDeviceTensor } from './tensor.js'
import { OrtDeviceTensor, readOrtTensor, ReadBackCounter, type OrtTensorConstructor } from './device-tensor.js'
import type { BackendName, DeviceTensor, HostTensor, IOMetadata, LoadRoute, LocalModelFile, ModelSession, ModelSource, RunFeed, SessionOptions, TensorDType } from './types.js'

export type { OrtTensorConstructor }

const KNOWN_DTYPES: readonly TensorDType[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'bool']

function toIOMetadata(meta: InferenceSession.ValueMetadata): IOMetadata {
  if (!meta.isTensor) return { name: meta.name, dtype: 'unknown', shape: [] }
  const dtype = (KNOWN_DTYPES as readonly string[]).includes(meta.type) ? (meta.type as TensorDType) : 'unknown'
  return { name: meta.name, dtype, shape: meta.shape.map((d) => (typeof d === 'number' ? d : d === '' ? -1 : d)) }
}

export class OrtModelSession implements ModelSession {
  readonly inputs: readonly IOMetadata[]
  readonly outputs: readonly IOMetadata[]
  private disposed = false

  constructor(
    /** Names the model in errors (the ModelSource key: file path or URL). */
    readonly modelKey: string,
    readonly backend: BackendName,
    private readonly session: InferenceSession,
    private readonly TensorClass: OrtTensorConstructor,
    /** The backend's count of device-to-host copies. */
    private readonly readBacks: ReadBackCounter = new ReadBackCounter(),
  ) {
    this.inputs = session.inputMetadata.map(toIOMetadata)
    this.outputs = session.outputMetadata.map(toIOMetadata)
  }

  async run(feeds: Readonly<Record<string, HostTensor>>, outputNames?: readonly string[]): Promise<Record<string, HostTensor>> {
    const results = await this.execute(feeds, outputNames)
    const out: Record<string, HostTensor> = {}
    try {
      // Outputs left on the GPU (WebGPU sessions keep them there for runResident) are downloaded here.
      for (const [name, value] of Object.entries(results)) out[name] = await readOrtTensor(name, value, this.readBacks)
    } finally {
      for (const value of Object.values(results)) value.dispose()
    }
    return out
  }

  async runResident(feeds: Readonly<Record<string, RunFeed>>, outputNames: readonly string[]): Promise<Record<string, DeviceTensor>> {
    const results = await this.execute(feeds, outputNames)
    return Object.fromEntries(Object.entries(results).map(([name, value]) => [name, new OrtDeviceTensor(value, this.readBacks, `${this.modelKey} output "${name}"`)]))
  }

  private async execute(feeds: Readonly<Record<string, RunFeed>>, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
    if (this.disposed) throw new Error(`${this.modelKey}: session was disposed`)
    const made: Tensor[] = []
    try {
      const ortFeeds: Record<string, Tensor> = {}
      for (const input of this.inputs) {
        const feed = Object.hasOwn(feeds, input.name) ? feeds[input.name] : undefined
        if (!feed) throw new Error(`${this.modelKey}: missing input "${input.name}"`)
        if (isDeviceTensor(feed)) {
          if (!(feed instanceof OrtDeviceTensor)) throw new Error(`${this.modelKey}: input "${input.name}" is a device tensor of another backend`)
          if (input.dtype !== 'unknown' && feed.dtype !== input.dtype) throw new Error(`${this.modelKey}: input "${input.name}" is ${feed.dtype} on the device, the model takes ${input.dtype}`)
          ortFeeds[input.name] = feed.tensor // the caller's: not disposed here
          continue
        }
        const converted = input.dtype === 'unknown' ? feed : convertTensor(feed, input.dtype, `${this.modelKey} input "${input.name}"`)
        const tensor = new this.TensorClass(converted.dtype, converted.data, converted.dims)
        made.push(tensor)
        ortFeeds[input.name] = tensor
      }
      for (const name of Object.keys(feeds)) {
        if (!this.inputs.some((i) => i.name === name)) {
          throw new Error(`${this.modelKey}: unknown input "${name}" (inputs: ${this.inputs.map((i) => i.name).join(', ')})`)
        }
      }
      const fetches = outputNames ? [...outputNames] : undefined
      try {
        return (fetches ? await this.session.run(ortFeeds, fetches) : await this.session.run(ortFeeds)) as Record<string, Tensor>
      } catch (err) {
        throw new Error(`${this.modelKey}: inference failed: ${(err as Error).message}`, { cause: err })
      }
    } finally {
      for (const tensor of made) tensor.dispose()
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    await this.session.release()
  }
}

/** An Error naming the model file, for a model that cannot be loaded (missing, truncated, corrupt). */
export function modelLoadError(modelKey: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  const outOfMemory = /bad_alloc|allocation failed|out of memory/i.test(message)
  const hint = outOfMemory ? '; onnxruntime ran out of memory: use a smaller (fp16) export, the WebGPU backend in the browser, or the CLI' : ''
  return new Error(`${modelKey}: cannot load ONNX model (${message})${hint}`, { cause: err })
}

export interface OrtPackage {
  readonly InferenceSession: { create(model: Uint8Array | string, options: InferenceSession.SessionOptions): Promise<InferenceSession> }
  readonly Tensor: unknown
}

/** The memory a provider may use, for the preflight; undefined: no check. */
export type BudgetFor = (ep: BackendName) => MemoryBudget | undefined

/**
 * Creates a session with the first execution provider in `providers` that works; the error of the last one
 * (with the file named) when none does. A provider the model cannot fit (preflight) is skipped before onnxruntime
 * allocates anything; when every one is refused, the preflight's message is the error.
 */
export async function createOrtSession(
  ort: OrtPackage,
  source: ModelSource,
  options: SessionOptions | undefined,
  providers: readonly BackendName[],
  budgetFor: BudgetFor = () => undefined,
  residency: Residency = {},
): Promise<ModelSession> {
  try {
    checkModelBytes(source)
  } catch (err) {
    throw modelLoadError(source.key, err)
  }
  return firstProvider(
    ort,
    source.key,
    modelFileBytes(source),
    providers,
    budgetFor,
    (ep) => ort.InferenceSession.create(source.bytes, withOutputLocation(ortSessionOptions(source, options, [ep]), ep, residency)),
    'bytes',
    residency.readBacks,
  )
}

/** Where a backend keeps run outputs: WebGPU sessions can leave them in GPU buffers for runResident. */
export interface Residency {
  /** Outputs of WebGPU sessions stay on the GPU; run() downloads them, runResident() keeps them. */
  readonly gpuOutputs?: boolean
  readonly readBacks?: ReadBackCounter
}

function withOutputLocation(options: InferenceSession.SessionOptions, ep: BackendName, residency: Residency): InferenceSession.SessionOptions {
  return ep === 'webgpu' && residency.gpuOutputs ? { ...options, preferredOutputLocation: 'gpu-buffer' } : options
}

/** The same, with onnxruntime reading the file (and the external data next to it) itself: no copy in JS. */
export async function createOrtSessionFromFile(
  ort: OrtPackage,
  modelKey: string,
  file: LocalModelFile,
  options: SessionOptions | undefined,
  providers: readonly BackendName[],
  budgetFor: BudgetFor = () => undefined,
  readBacks?: ReadBackCounter,
): Promise<ModelSession> {
  return firstProvider(ort, modelKey, file.bytes, providers, budgetFor, (ep) => ort.InferenceSession.create(file.path, ortSessionOptions({}, options, [ep])), 'file', readBacks)
}

async function firstProvider(
  ort: OrtPackage,
  modelKey: string,
  fileBytes: number,
  providers: readonly BackendName[],
  budgetFor: BudgetFor,
  create: (ep: BackendName) => Promise<InferenceSession>,
  route: LoadRoute = 'bytes',
  readBacks?: ReadBackCounter,
): Promise<ModelSession> {
  let lastError: unknown
  let refusal: PreflightError | undefined
  for (const ep of providers) {
    const budget = budgetFor(ep)
    const refused = budget && refusalForSize(modelKey, fileBytes, ep, budget, route)
    if (refused) {
      refusal ??= refused
      continue
    }
    try {
      return new OrtModelSession(modelKey, ep, await create(ep), ort.Tensor as OrtTensorConstructor, readBacks)
    } catch (err) {
      lastError = err
    }
  }
  if (refusal && lastError === undefined) throw refusal
  throw modelLoadError(modelKey, lastError)
}
