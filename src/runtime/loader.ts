// Model loaders that keep their hints (file size, local path) through wrappers, so the session cache can run the
// preflight before a read and let onnxruntime-node open the file itself.
import type { LazyModelSource, ModelLoader, ModelSource } from './types.js'

/** A loader for `model` that carries its size hint and local file along. */
export function loaderFor(model: LazyModelSource): ModelLoader {
  return withHintsOf(model, () => model.load())
}

/** `load` with the size hint and local file of `from` (wrappers must keep them, or the early preflight is lost). */
export function withHintsOf(from: Pick<LazyModelSource, 'fileBytes' | 'localFile'> | ModelLoader, load: () => Promise<ModelSource>): ModelLoader {
  const { fileBytes, localFile } = from
  return Object.assign(load, {
    ...(fileBytes ? { fileBytes: () => fileBytes.call(from) } : {}),
    ...(localFile ? { localFile: () => localFile.call(from) } : {}),
  })
}
