// One ONNX model in a pipeline folder: model.onnx plus its external data, read lazily. Before anything large is
// read, the external data files are checked against what the graph says they hold, so a truncated download names
// the file instead of failing deep inside onnxruntime.

import type { LazyModelSource, LocalModelFile, ModelSource } from '../runtime/types.js'
import { relativePathProblem } from './relative-path.js'
import { joinPath, type FileSource } from './files.js'
import { scanExternalDataExtents } from './onnx/index.js'

export type LoadProgress = (loaded: number, total: number) => void

/** Graphs that point at external data are small; bigger files are taken to be self-contained (not scanned). */
const SCAN_FOR_EXTERNAL_DATA_LIMIT = 64 * 1024 * 1024
const CONVENTIONAL_EXTERNAL_DATA = 'model.onnx_data'

export interface PipelineModel extends LazyModelSource {
  /** Path of model.onnx inside the FileSource, e.g. "tiny-sd15/unet/model.onnx". */
  readonly path: string
  load(onProgress?: LoadProgress): Promise<ModelSource>
  /** Starts reading the model's file now, where the source reads over the network (see FileSource.readAhead). */
  readAhead(): void
}

/** `dir` is the model's folder inside `files` (e.g. "tiny-sd15/unet"). */
export function pipelineModel(files: FileSource, dir: string): PipelineModel {
  const at = (name: string) => joinPath(dir, name)
  const path = at('model.onnx')
  const key = files.describe(path)

  const fileBytes = async (): Promise<number | undefined> => {
    const model = await files.size(path)
    if (model === undefined) return undefined
    return model + ((await files.size(at(CONVENTIONAL_EXTERNAL_DATA))) ?? 0)
  }

  /** The external data files the graph references, each checked to be there and long enough. */
  const checkedExternalData = async (bytes: Uint8Array): Promise<string[]> => {
    if (bytes.byteLength > SCAN_FOR_EXTERNAL_DATA_LIMIT) {
      return (await files.exists(at(CONVENTIONAL_EXTERNAL_DATA))) ? [CONVENTIONAL_EXTERNAL_DATA] : []
    }
    let extents: ReturnType<typeof scanExternalDataExtents>
    try {
      extents = scanExternalDataExtents(bytes)
    } catch (err) {
      throw new Error(`${key}: cannot load ONNX model (${(err as Error).message})`, { cause: err })
    }
    for (const [location, extent] of extents) {
      const problem = relativePathProblem(location)
      if (problem !== undefined) {
        throw new Error(`${key}: external data location "${location}" is outside the model folder: ${problem}`)
      }
      const where = files.describe(at(location))
      if (!(await files.exists(at(location)))) throw new Error(`${key}: external data file ${where} not found`)
      const size = await files.size(at(location))
      if (size !== undefined && size < extent.end) {
        throw new Error(
          `${where}: external data file is ${size} bytes, but ${key} needs ${extent.end} (tensor "${extent.tensor}" ends there); the file is truncated or from another export, copy it again`,
        )
      }
    }
    return [...extents.keys()]
  }

  const load = async (onProgress?: LoadProgress): Promise<ModelSource> => {
    if (!(await files.exists(path))) throw new Error(`${key}: file not found`)
    const bytes = await files.readBytes(path, onProgress)
    const externalData = []
    for (const location of await checkedExternalData(bytes)) {
      externalData.push({ path: location, data: await files.readBytes(at(location), onProgress) })
    }
    return externalData.length > 0 ? { key, bytes, externalData } : { key, bytes }
  }

  /** For onnxruntime-node: the path, after the same checks (only the small graph file is read for them). */
  const localFile = async (): Promise<LocalModelFile | undefined> => {
    const bytes = await fileBytes()
    if (bytes === undefined) return undefined // missing: load() gives the error
    const size = await files.size(path)
    if (size !== undefined && size <= SCAN_FOR_EXTERNAL_DATA_LIMIT) await checkedExternalData(await files.readBytes(path))
    return { path: files.localPath!(path), bytes }
  }

  const readAhead = (): void => files.readAhead?.([path])

  return { key, path, load, readAhead, fileBytes, ...(files.localPath ? { localFile } : {}) }
}
