// ModelSession over an onnxruntime InferenceSession; shared by the node and web backends (both expose the
// onnxruntime-common API). Feeds are converted to the declared input dtypes, outputs are copied to host arrays and
// every ort tensor made or returned for a run is disposed afterwards.

import type { InferenceSession, Tensor } from 'onnxruntime-common'
import { modelFileBytes, refusalForSize, type MemoryBudget, type PreflightError } from './preflight.js'
import { checkModelBytes, ortSessionOptions } from './session-options.js'
import { convertTensor, hostTensor } from './tensor.js'
import type { BackendName, HostTensor, IOMetadata, LoadRoute, LocalModelFile, ModelSession, ModelSource, SessionOptions, TensorArray, TensorDType } from './types.js'

/** The Tensor class of the onnxruntime package in use (node and web each have their own). */
export type OrtTensorConstructor = new (type: TensorDType, data: TensorArray, dims: readonly number[]) => Tensor

const KNOWN_DTYPES: readonly TensorDType[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'bool']

function toIOMetadata(meta: InferenceSession.ValueMetadata): IOMetadata {
  if (!meta.isTensor) return { name: meta.name, dtype: 'unknown', shape: [] }
  const dtype = (KNOWN_DTYPES as readonly string[]).includes(meta.type) ? (meta.type as TensorDType) : 'unknown'
  return { name: meta.name, dtype, shape: meta.shape.map((d) => (typeof d === 'number' ? d : d === '' ? -1 : d)) }
}

/**
 * An ort output as a HostTensor. CPU outputs already live in a JS-owned buffer on both onnxruntime-node and
 * onnxruntime-web (each copies out of native or WASM memory once), so they are adopted as they are; only other
 * locations are copied (a slice), so the ort tensor can be disposed. float16 comes back as raw bits even where ort
 * uses Float16Array.
 */
function adoptOutput(name: string, tensor: Tensor): HostTensor {
  const dims = [...tensor.dims]
  const data = tensor.data
  const owned = tensor.location === 'cpu'
  const keep = <T extends { slice(): T }>(array: T): T => (owned ? array : array.slice())
  switch (tensor.type) {
    case 'float32':
      return hostTensor('float32', dims, keep(data as Float32Array))
    case 'float16': {
      const view = data as ArrayBufferView & { length: number }
      const bits = new Uint16Array(view.buffer, view.byteOffset, view.length)
      return hostTensor('float16', dims, keep(bits))
    }
    case 'int32':
      return hostTensor('int32', dims, keep(data as Int32Array))
    case 'int64':
      return hostTensor('int64', dims, keep(data as BigInt64Array))
    case 'uint8':
    case 'bool':
      return hostTensor(tensor.type, dims, keep(data as Uint8Array))
    default:
      throw new Error(`output "${name}" has unsupported type ${tensor.type}`)
  }
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
  ) {
    this.inputs = session.inputMetadata.map(toIOMetadata)
    this.outputs = session.outputMetadata.map(toIOMetadata)
  }

  async run(feeds: Readonly<Record<string, HostTensor>>, outputNames?: readonly string[]): Promise<Record<string, HostTensor>> {
    if (this.disposed) throw new Error(`${this.modelKey}: session was disposed`)
    const ortFeeds: Record<string, Tensor> = {}
    try {
      for (const input of this.inputs) {
        const feed = Object.hasOwn(feeds, input.name) ? feeds[input.name] : undefined
        if (!feed) throw new Error(`${this.modelKey}: missing input "${input.name}"`)
        const converted = input.dtype === 'unknown' ? feed : convertTensor(feed, input.dtype, `${this.modelKey} input "${input.name}"`)
        ortFeeds[input.name] = new this.TensorClass(converted.dtype, converted.data, converted.dims)
      }
      for (const name of Object.keys(feeds)) {
        if (!this.inputs.some((i) => i.name === name)) {
          throw new Error(`${this.modelKey}: unknown input "${name}" (inputs: ${this.inputs.map((i) => i.name).join(', ')})`)
        }
      }
      const fetches = outputNames ? [...outputNames] : undefined
      let results: InferenceSession.OnnxValueMapType
      try {
        results = fetches ? await this.session.run(ortFeeds, fetches) : await this.session.run(ortFeeds)
      } catch (err) {
        throw new Error(`${this.modelKey}: inference failed: ${(err as Error).message}`, { cause: err })
      }
      const out: Record<string, HostTensor> = {}
      try {
        for (const [name, value] of Object.entries(results)) out[name] = adoptOutput(name, value as Tensor)
      } finally {
        for (const value of Object.values(results)) (value as Tensor).dispose()
      }
      return out
    } finally {
      for (const tensor of Object.values(ortFeeds)) tensor.dispose()
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
): Promise<ModelSession> {
  try {
    checkModelBytes(source)
  } catch (err) {
    throw modelLoadError(source.key, err)
  }
  return firstProvider(ort, source.key, modelFileBytes(source), providers, budgetFor, (ep) =>
    ort.InferenceSession.create(source.bytes, ortSessionOptions(source, options, [ep])),
  )
}

/** The same, with onnxruntime reading the file (and the external data next to it) itself: no copy in JS. */
export async function createOrtSessionFromFile(
  ort: OrtPackage,
  modelKey: string,
  file: LocalModelFile,
  options: SessionOptions | undefined,
  providers: readonly BackendName[],
  budgetFor: BudgetFor = () => undefined,
): Promise<ModelSession> {
  return firstProvider(ort, modelKey, file.bytes, providers, budgetFor, (ep) => ort.InferenceSession.create(file.path, ortSessionOptions({}, options, [ep])), 'file')
}

async function firstProvider(
  ort: OrtPackage,
  modelKey: string,
  fileBytes: number,
  providers: readonly BackendName[],
  budgetFor: BudgetFor,
  create: (ep: BackendName) => Promise<InferenceSession>,
  route: LoadRoute = 'bytes',
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
      return new OrtModelSession(modelKey, ep, await create(ep), ort.Tensor as OrtTensorConstructor)
    } catch (err) {
      lastError = err
    }
  }
  if (refusal && lastError === undefined) throw refusal
  throw modelLoadError(modelKey, lastError)
}
