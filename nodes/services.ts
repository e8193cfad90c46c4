// What nodes need from their host (CLI on onnxruntime-node, or the browser worker on onnxruntime-web).
// Nodes depend on this interface only; each host provides an implementation.
import type { FileSource } from '../src/models/files.js'
import type { HostTensor, InferenceBackend, ModelLoader, ModelSession } from '../src/runtime/types.js'

export interface SessionProvider {
  /** Returns the cached session for `key`, or creates it from `load()` once (concurrent callers share it). */
  getOrCreate(key: string, load: ModelLoader): Promise<ModelSession>
  /** Disposes the sessions of `key` now, e.g. a pass's model once the pass is done (its memory goes back). */
  evict?(key: string): Promise<void>
  /** Whether a session for `key` is held or being built. */
  has?(key: string): boolean
  /** Disposes the sessions of these keys (see LoraDeps.later for who asks). */
  release?(keys: readonly string[]): Promise<void>
}

export interface SavedImage {
  /** File name (CLI) or gallery id (browser). */
  readonly name: string
}

export interface ImageOutput {
  readonly nodeId: string
  readonly kind: 'save' | 'preview'
  readonly filenamePrefix: string
  /** Encoded PNGs, graph and parameters embedded. */
  readonly pngs: readonly Uint8Array[]
  readonly width: number
  readonly height: number
  readonly parameters: Readonly<Record<string, string | number | boolean>>
}

/** An input image, decoded: RGBA8, row-major (alpha is kept; the nodes that read it decide what it means). */
export interface InputImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray
}

/** The images graphs name (Load Image): files for the CLI, uploaded images for the browser. */
export interface InputImages {
  /** Reads and decodes `name`; an Error names it and says what is wrong (missing, unreadable, unsupported). */
  read(name: string): Promise<InputImage>
}

export interface NodeServices {
  readonly backend: InferenceBackend
  readonly sessions: SessionProvider
  /** Model files, addressed by paths relative to the models root, after name resolution. */
  readonly files: FileSource
  /** Maps a model name written in a graph ("tiny-sd15", "loras/x.safetensors") to a path in `files`. */
  resolveModel(name: string): string
  /** Input images; a host without them refuses Load Image with a clear error. */
  readonly images?: InputImages
  /** The graph being run, serialised, for embedding into saved PNGs. */
  readonly graphJson?: string
  /** Hands encoded images to the host: the CLI writes files, the browser shows and keeps them. */
  emitImages(output: ImageOutput): Promise<readonly SavedImage[]>
  /**
   * Runs `task` once no run or warm-up is going (the browser's engine worker), with the sessions seen as background
   * work (not counted as a run's). Where given, a small model's live LoRAs are merged into its first session and the
   * live session is built here (src/lora/first-session.ts).
   */
  whenIdle?(task: (background: BackgroundSessions) => Promise<void>): void
}

/** The session cache as idle work sees it. */
export type BackgroundSessions = Required<Pick<SessionProvider, 'getOrCreate' | 'has' | 'release'>>

export type { HostTensor }
