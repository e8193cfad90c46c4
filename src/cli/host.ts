// NodeServices for the command line: onnxruntime-node, the local file system, images kept until the run succeeds.
import { resolve } from 'node:path'
import type { ImageOutput, NodeServices, SavedImage } from '../../nodes/services.js'
import { NodeFileSource } from '../models/node-files.js'
import { createNodeBackend } from '../runtime/node.js'
import { SessionCache } from '../runtime/session-cache.js'
import { bundledInputDir, FileInputImages } from './input-images.js'
import { single, type ParsedArgs } from './args.js'
import type { ModelResolver } from './model-resolver.js'

export interface CliHost {
  readonly services: NodeServices
  readonly sessions: SessionCache
  dispose(): Promise<void>
}

export function createCliHost(options: {
  resolver: ModelResolver
  /** Where Load Image's names are looked up (--input-dir); else the current folder, then the bundled images. */
  inputDir?: string
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
    images: new FileInputImages(options.inputDir !== undefined ? [options.inputDir] : [process.cwd(), bundledInputDir()]),
    ...(options.graphJson !== undefined ? { graphJson: options.graphJson } : {}),
    emitImages: async (output) => options.onImages(output),
  }
  return { services, sessions, dispose: () => sessions.dispose() }
}

/** --input-dir as createCliHost's option (absent: the default lookup). */
export function inputDirOption(args: ParsedArgs): { inputDir?: string } {
  const dir = single(args, 'input-dir')
  return dir === undefined ? {} : { inputDir: resolve(dir) }
}
