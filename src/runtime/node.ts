// onnxruntime-node backend: CPU everywhere, CUDA when this onnxruntime-node build ships it and it is asked for.
// External data (model.onnx_data) is passed as buffers through the `externalData` session option, which the
// onnxruntime-node 1.30 binding supports; without it ORT would resolve the file against the process's cwd.

import { totalmem } from 'node:os'
import * as ort from 'onnxruntime-node'
import { createOrtSession, createOrtSessionFromFile } from './ort-session.js'
import { hostDeviceSupport, ReadBackCounter, type OrtTensorConstructor } from './device-tensor.js'
import { estimateSessionBytes, refusalOnEvery } from './preflight.js'
import type { BackendName, DeviceSupport, InferenceBackend, LoadRoute, LocalModelFile, ModelSession, ModelSource, SessionMemory, SessionOptions } from './types.js'

/** Execution providers this onnxruntime-node build can use here (bundled ones only). */
export function availableNodeProviders(): BackendName[] {
  const names = ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name)
  const out: BackendName[] = ['cpu']
  if (names.includes('cuda')) out.unshift('cuda')
  return out
}

export interface NodeBackendOptions {
  /** Default providers when a session does not name any. Default: ['cpu']. */
  readonly executionProviders?: readonly BackendName[]
}

export class NodeBackend implements InferenceBackend {
  readonly name = 'onnxruntime-node'
  readonly memory: SessionMemory = {
    bytes: totalmem(),
    what: `this machine's ${(totalmem() / 2 ** 30).toFixed(0)} GB of memory`,
    estimate: (fileBytes, route) => estimateSessionBytes(fileBytes, 'cpu', route),
  }
  private readonly defaults: readonly BackendName[]
  private readonly readBacks = new ReadBackCounter()
  /** Host memory: the resident sampling loop runs here unchanged, so its code path is checked without a GPU. */
  readonly device: DeviceSupport = hostDeviceSupport(ort.Tensor as OrtTensorConstructor, this.readBacks)

  constructor(options: NodeBackendOptions = {}) {
    this.defaults = options.executionProviders ?? ['cpu']
  }

  /** The providers a session tries, in order: those asked for that this build has, then the CPU. */
  private providers(options?: SessionOptions): BackendName[] {
    const available = availableNodeProviders()
    const wanted = (options?.executionProviders ?? this.defaults).filter((ep) => available.includes(ep))
    const candidates: BackendName[] = wanted.length > 0 ? [...wanted] : ['cpu']
    if (!candidates.includes('cpu')) candidates.push('cpu')
    return candidates
  }

  refusal(modelKey: string, fileBytes: number, options?: SessionOptions, route?: LoadRoute): Error | undefined {
    return refusalOnEvery(modelKey, fileBytes, this.providers(options), () => this.memory, route)
  }

  async createSession(source: ModelSource, options?: SessionOptions): Promise<ModelSession> {
    return createOrtSession(ort, source, options, this.providers(options), () => this.memory, { readBacks: this.readBacks })
  }

  async createSessionFromFile(modelKey: string, file: LocalModelFile, options?: SessionOptions): Promise<ModelSession> {
    return createOrtSessionFromFile(ort, modelKey, file, options, this.providers(options), () => this.memory, this.readBacks)
  }
}

export function createNodeBackend(options: NodeBackendOptions = {}): NodeBackend {
  return new NodeBackend(options)
}
