// onnxruntime-node backend: CPU everywhere, CUDA when this onnxruntime-node build ships it and it is asked for.
// External data (model.onnx_data) is passed as buffers through the `externalData` session option, which the
// onnxruntime-node 1.30 binding supports; without it ORT would resolve the file against the process's cwd.

import { totalmem } from 'node:os'
import * as ort from 'onnxruntime-node'
import { createOrtSession } from './ort-session.js'
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
    const available = availableNodeProviders()
    const wanted = (options?.executionProviders ?? this.defaults).filter((ep) => available.includes(ep))
    const candidates: BackendName[] = wanted.length > 0 ? [...wanted] : ['cpu']
    if (!candidates.includes('cpu')) candidates.push('cpu')
    const memory = { bytes: totalmem(), what: `this machine's ${(totalmem() / 2 ** 30).toFixed(0)} GB of memory` }
    return createOrtSession(ort, source, options, candidates, () => memory)
  }
}

export function createNodeBackend(options: NodeBackendOptions = {}): NodeBackend {
  return new NodeBackend(options)
}
