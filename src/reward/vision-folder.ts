// A CLIP vision tower exported by Optimum (CLIPVisionModelWithProjection): a folder with model.onnx
// (+ model.onnx_data when the weights are external), config.json and preprocessor_config.json. The configs are read
// now, the model lazily. A path ending in .onnx names the model file itself; its folder is searched for the configs.
import { parseJsonSafely, type JsonValue } from '../graph/safe-json.js'
import { joinPath, type FileSource } from '../models/files.js'
import type { LazyModelSource, ModelSource } from '../runtime/types.js'
import { CLIP_PREPROCESS, type ClipPreprocessConfig } from './clip-preprocess.js'
import { parseClipPreprocessorConfig } from './preprocessor-config.js'

const EXTERNAL_DATA = 'model.onnx_data'

export interface ClipVisionFolder {
  readonly location: string
  readonly model: LazyModelSource
  readonly preprocess: ClipPreprocessConfig
  /** From config.json when present: what kind of CLIP tower this is. */
  readonly architecture?: { readonly hiddenSize?: number; readonly patchSize?: number; readonly projectionDim?: number }
}

function numberAt(config: JsonValue, key: string): number | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config) || !Object.hasOwn(config, key)) return undefined
  const value = config[key]
  return typeof value === 'number' ? value : undefined
}

export async function readClipVisionFolder(files: FileSource, path: string): Promise<ClipVisionFolder> {
  const isFile = path.toLowerCase().endsWith('.onnx')
  const folder = isFile ? path.slice(0, Math.max(path.lastIndexOf('/'), 0)) : path
  const modelPath = isFile ? path : joinPath(folder, 'model.onnx')
  const location = files.describe(modelPath)
  if (!(await files.exists(modelPath))) {
    throw new Error(isFile || (await files.exists(folder)) ? `${location}: file not found` : `${files.describe(folder)}: model folder not found`)
  }

  const preprocessPath = joinPath(folder, 'preprocessor_config.json')
  const preprocess = (await files.exists(preprocessPath))
    ? parseClipPreprocessorConfig(await files.readText(preprocessPath), files.describe(preprocessPath))
    : CLIP_PREPROCESS

  const configPath = joinPath(folder, 'config.json')
  let architecture: ClipVisionFolder['architecture']
  if (await files.exists(configPath)) {
    let config: JsonValue
    try {
      config = parseJsonSafely(await files.readText(configPath))
    } catch (err) {
      throw new Error(`${files.describe(configPath)}: ${(err as Error).message}`, { cause: err })
    }
    architecture = { hiddenSize: numberAt(config, 'hidden_size'), patchSize: numberAt(config, 'patch_size'), projectionDim: numberAt(config, 'projection_dim') }
  }

  const dataPath = joinPath(folder, EXTERNAL_DATA)
  const load = async (): Promise<ModelSource> => {
    const bytes = await files.readBytes(modelPath)
    if (!(await files.exists(dataPath))) return { key: location, bytes }
    return { key: location, bytes, externalData: [{ path: EXTERNAL_DATA, data: await files.readBytes(dataPath) }] }
  }
  return { location, model: { key: location, load }, preprocess, ...(architecture ? { architecture } : {}) }
}

/** The head was trained on ViT-L/14 embeddings; a different tower gives numbers without that meaning. */
export function isVitL14(folder: ClipVisionFolder): boolean {
  const a = folder.architecture
  return a !== undefined && a.hiddenSize === 1024 && a.patchSize === 14 && a.projectionDim === 768
}
