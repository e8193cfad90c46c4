// onnxruntime-node backend: CPU everywhere, CUDA when this onnxruntime-node build ships it and it is asked for.
// External data (model.onnx_data) is passed as buffers through the `externalData` session option, which the
// onnxruntime-node 1.30 binding supports; without it ORT would resolve the file against the process's cwd.

import * as ort from 'onnxruntime-node'
import { OrtModelSession, modelLoadError, type OrtTensorConstructor } from './ort-session.js'
import { checkModelBytes, ortSessionOptions } from './session-options.js'
import type { BackendName, InferenceBackend, ModelSession, ModelSource, SessionOptions } from './types.js'

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
  private readonly defaults: readonly BackendName[]

  constructor(options: NodeBackendOptions = {}) {
    this.defaults = options.executionProviders ?? ['cpu']
  }

  async createSession(source: ModelSource, options?: SessionOptions): Promise<ModelSession> {
    try {
      checkModelBytes(source)
    } catch (err) {
      throw modelLoadError(source.key, err)
    }
    const available = availableNodeProviders()
    const wanted = (options?.executionProviders ?? this.defaults).filter((ep) => available.includes(ep))
    const candidates: BackendName[] = wanted.length > 0 ? [...wanted] : ['cpu']
    if (!candidates.includes('cpu')) candidates.push('cpu')
    let lastError: unknown
    for (const ep of candidates) {
      try {
        const session = await ort.InferenceSession.create(source.bytes, ortSessionOptions(source, options, [ep]))
        return new OrtModelSession(source.key, ep, session, ort.Tensor as unknown as OrtTensorConstructor)
      } catch (err) {
        lastError = err
      }
    }
    throw modelLoadError(source.key, lastError)
  }
}

export function createNodeBackend(options: NodeBackendOptions = {}): NodeBackend {
  return new NodeBackend(options)
}
