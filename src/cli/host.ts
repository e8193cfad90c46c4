// NodeServices for the command line: onnxruntime-node, the local file system, images kept until the run succeeds.
import type { ImageOutput, NodeServices, SavedImage } from '../../nodes/services.js'
import { NodeFileSource } from '../models/node-files.js'
import { createNodeBackend } from '../runtime/node.js'
import { SessionCache } from '../runtime/session-cache.js'
import type { ModelResolver } from './model-resolver.js'

export interface CliHost {
  readonly services: NodeServices
  readonly sessions: SessionCache
  dispose(): Promise<void>
}

export function createCliHost(options: {
  resolver: ModelResolver
  graphJson?: string
  onImages: (output: ImageOutput) => readonly SavedImage[]
}): CliHost {
  const backend = createNodeBackend()
  const sessions = new SessionCache(backend)
  const services: NodeServices = {
    backend,
    sessions,
    files: new NodeFileSource('.'),
    resolveModel: (name) => options.resolver.resolve(name),
    ...(options.graphJson !== undefined ? { graphJson: options.graphJson } : {}),
    emitImages: async (output) => options.onImages(output),
  }
  return { services, sessions, dispose: () => sessions.dispose() }
}
