// The one small interface every onnxruntime backend (node, web: webgpu/wasm) implements.
// Nothing outside src/runtime imports onnxruntime directly.

export type TensorDType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'bool'

export type TensorArray = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array

/** A host-side tensor: plain typed array + dims. float16 is carried as raw Uint16Array bits. */
export interface HostTensor {
  readonly dtype: TensorDType
  readonly dims: readonly number[]
  readonly data: TensorArray
}

export type BackendName = 'webgpu' | 'wasm' | 'cpu' | 'cuda'

export interface SessionOptions {
  /** Preferred execution providers, in order. The backend falls back down the list. */
  readonly executionProviders?: readonly BackendName[]
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'
}

/** Bytes of an ONNX model plus any external-data files it references (by their relative path). */
export interface ModelSource {
  /** Stable identity used for session caching, e.g. the file path or URL plus a content tag. */
  readonly key: string
  readonly bytes: Uint8Array
  readonly externalData?: readonly { readonly path: string; readonly data: Uint8Array }[]
}

/** A model whose bytes are read only when a session is first needed (the UNet is not read to encode a prompt). */
export interface LazyModelSource {
  /** Same identity as the ModelSource it loads. */
  readonly key: string
  load(): Promise<ModelSource>
  /** Bytes `load` would read (model plus external data), from file sizes alone; undefined when unknown. */
  fileBytes?(): Promise<number | undefined>
  /** The model as a local file onnxruntime can read itself (onnxruntime-node), when it is one. */
  localFile?(): Promise<LocalModelFile | undefined>
}

/** A model.onnx on the local disk; external data files sit next to it, where onnxruntime looks for them. */
export interface LocalModelFile {
  readonly path: string
  /** The model file plus its external data. */
  readonly bytes: number
}

/**
 * Reads a model for a new session. `fileBytes`, when given, lets the backend refuse it before anything is read;
 * `localFile` lets a backend that can open files hand onnxruntime the path instead of a copy of the bytes.
 */
export type ModelLoader = (() => Promise<ModelSource>) & {
  /** The base file's size when the loader builds a rewrite of it (`rewrites`), else the model's own. */
  readonly fileBytes?: () => Promise<number | undefined>
  /** The source is rebuilt in JS (a LoRA build), whose copies are held while the session is created. */
  readonly rewrites?: { readonly withDeltas: boolean }
  readonly localFile?: () => Promise<LocalModelFile | undefined>
}


export interface IOMetadata {
  readonly name: string
  readonly dtype: TensorDType | 'unknown'
  /** Symbolic dims are strings, unknown dims -1. */
  readonly shape: readonly (number | string)[]
}

/**
 * A tensor left where a session computed it (a GPU buffer on WebGPU, host memory elsewhere): fed to the next run as it
 * is, copied to the host only by read(), which the backend counts as a read-back. Its owner disposes it.
 */
export interface DeviceTensor {
  readonly location: 'device'
  readonly dtype: TensorDType
  readonly dims: readonly number[]
  read(): Promise<HostTensor>
  dispose(): void
}

export type RunFeed = HostTensor | DeviceTensor

export interface ModelSession {
  readonly backend: BackendName
  /** Something the user should know about how this session runs (e.g. a float16 model moved to WASM), for a warning. */
  readonly notice?: string
  readonly inputs: readonly IOMetadata[]
  readonly outputs: readonly IOMetadata[]
  /** Feeds are converted to each input's declared dtype (e.g. float32 -> float16) by the backend. */
  run(feeds: Readonly<Record<string, HostTensor>>, outputNames?: readonly string[]): Promise<Record<string, HostTensor>>
  /**
   * A run whose outputs stay on the device, for loops that feed them to the next run (see DeviceSupport). Device
   * feeds must already have the input's dtype; host feeds are converted as in run().
   */
  runResident?(feeds: Readonly<Record<string, RunFeed>>, outputNames: readonly string[]): Promise<Record<string, DeviceTensor>>
  dispose(): Promise<void>
}

/** Tensors kept on the device between runs, on backends whose sessions offer runResident. */
export interface DeviceSupport {
  /** 'gpu': outputs stay in GPU buffers (WebGPU); 'host': the device is host memory (the same loop, for checks). */
  readonly kind: 'gpu' | 'host'
  /** Copies a host tensor to the device once (e.g. the conditioning, read by every step). */
  upload(tensor: HostTensor): Promise<DeviceTensor>
  /** Device-to-host copies so far: reads of device tensors and outputs a plain run() brought back. */
  readonly readBacks: number
}

/** How a model reaches onnxruntime: as bytes held in JS, or as a path onnxruntime opens itself. */
/**
 * How a session gets its model: onnxruntime opens the file; JS hands it the bytes; or JS builds them first (a LoRA
 * merge or live branches; `build-with-deltas`: live-delta weights, which hold more copies while they are built).
 */
export type LoadRoute = 'bytes' | 'file' | 'build' | 'build-with-deltas'

/** What sessions on a backend may use together, and what one model costs there (see preflight.ts). */
export interface SessionMemory {
  readonly bytes: number
  /** Names the limit in messages: "the 4 GB wasm32 heap". */
  readonly what: string
  /** Estimated bytes a session needs for a model file (plus external data) of `fileBytes`. */
  estimate(fileBytes: number, route?: LoadRoute): number
}

export interface InferenceBackend {
  readonly name: string
  /**
   * The memory preflight's refusal for a model file of `fileBytes` on every provider this backend would try, or
   * undefined when one can take it. Lets a refusal come before the file is read.
   */
  refusal?(modelKey: string, fileBytes: number, options?: SessionOptions, route?: LoadRoute): Error | undefined
  /** A session read by onnxruntime straight from disk: the process never holds a JS copy of the bytes. */
  createSessionFromFile?(modelKey: string, file: LocalModelFile, options?: SessionOptions): Promise<ModelSession>
  /** When set, the session cache evicts least recently used idle sessions so a new one fits. */
  readonly memory?: SessionMemory
  /** When set, sessions offer runResident and host tensors can be uploaded once. */
  readonly device?: DeviceSupport
  createSession(source: ModelSource, options?: SessionOptions): Promise<ModelSession>
}
