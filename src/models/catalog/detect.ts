// Kind detection: what a folder or file holds, read through any FileSource from the little that identifies it
// (model_index.json, config.json, a safetensors header), never the weights. Errors name the file at fault.
import { parseJsonSafely, type JsonValue } from '../../graph/safe-json.js'
import { AESTHETIC_TENSOR_NAMES } from '../../reward/aesthetic.js'
import { joinPath, type FileSource, type ListedFile } from '../files.js'
import { readSafetensorsHeaderFrom } from '../safetensors/header-source.js'
import { describeLoraKeys, loraDetail } from './lora-info.js'
import type { ContainedModel, ModelKind } from './types.js'

export interface DetectedModel {
  readonly kind: ModelKind
  readonly detail?: string
  readonly bytes?: number
  readonly contents?: readonly ContainedModel[]
}

/** A plain folder is searched for model files up to this many (a folder of LoRAs, not a whole disk). */
const MAX_CONTAINED = 200
const MODEL_FILE = /\.(safetensors|onnx)$/i

/**
 * Detects the model at `path` of `files` ('' for the source's root). `fileName` tells a file from a folder when the
 * path cannot (a single-file source's root): a name ending in .safetensors or .onnx is a file.
 */
export async function detectModel(files: FileSource, path: string, fileName: string = path): Promise<DetectedModel> {
  if (/\.safetensors$/i.test(fileName)) return detectSafetensors(files, path)
  if (/\.onnx$/i.test(fileName)) return withBytes({ kind: 'unknown', detail: 'ONNX model' }, await files.size(path))
  if (await files.exists(joinPath(path, 'model_index.json'))) return detectPipeline(files, path)
  const clipVision = await detectClipVision(files, path)
  if (clipVision) return clipVision
  if (path !== '' && !(await files.exists(path))) throw new Error(`${files.describe(path)}: not found`)
  return detectPlainFolder(files, path)
}

export async function detectSafetensors(files: FileSource, path: string): Promise<DetectedModel> {
  const header = await readSafetensorsHeaderFrom(files, path)
  const names = [...header.tensors.keys()]
  const bytes = await files.size(path)
  if (names.length === AESTHETIC_TENSOR_NAMES.length && AESTHETIC_TENSOR_NAMES.every((n) => header.tensors.has(n))) {
    return withBytes({ kind: 'aesthetic-head', detail: 'LAION aesthetic MLP' }, bytes)
  }
  const lora = describeLoraKeys(names)
  if (lora) return withBytes({ kind: 'lora', detail: loraDetail(lora) }, bytes)
  const unet = describeUnetWeights(header.tensors)
  if (unet) return withBytes({ kind: 'unet-weights', detail: unet }, bytes)
  return withBytes({ kind: 'unknown', detail: `safetensors, ${names.length} tensor${names.length === 1 ? '' : 's'}` }, bytes)
}

/**
 * A full UNet state dict (e.g. the Hyper-SDXL 1-step UNet): "SD1.5" or "SDXL" from the cross-attention width of the
 * first attention block, in the diffusers layout the UNet Weights node reads, or the LDM/ComfyUI one it refuses.
 */
function describeUnetWeights(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>): string | undefined {
  if (tensors.has('model.diffusion_model.input_blocks.0.0.weight')) return 'LDM/ComfyUI layout (UNet Weights needs the diffusers-layout file)'
  if (!tensors.has('conv_in.weight') || !tensors.has('time_embedding.linear_1.weight')) return undefined
  const crossKey = [...tensors.keys()].find((k) => /^down_blocks\.\d+\.attentions\.0\.transformer_blocks\.0\.attn2\.to_k\.weight$/.test(k))
  const width = crossKey ? tensors.get(crossKey)!.shape[1] : undefined
  const base = width === 2048 ? 'SDXL' : width === 768 ? 'SD1.5' : width !== undefined ? `cross-attention ${width}` : 'no cross-attention'
  return `diffusers UNet · ${base}`
}

async function readJson(files: FileSource, path: string): Promise<JsonValue> {
  try {
    return parseJsonSafely(await files.readText(path))
  } catch (err) {
    throw new Error(`${files.describe(path)}: ${(err as Error).message}`, { cause: err })
  }
}

function field(json: JsonValue, key: string): JsonValue | undefined {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && Object.hasOwn(json, key) ? json[key] : undefined
}

async function detectPipeline(files: FileSource, path: string): Promise<DetectedModel> {
  const index = await readJson(files, joinPath(path, 'model_index.json'))
  const className = field(index, '_class_name')
  const name = typeof className === 'string' ? className : 'diffusers pipeline'
  // StableDiffusionXLPipeline, ORTStableDiffusionXLPipeline...; a second text encoder is SDXL's too.
  const sdxl = name.includes('XL') || (field(index, 'text_encoder_2') ?? null) !== null
  // The kind names the base (SD1.5 / SDXL); the detail adds the pipeline class.
  return withBytes({ kind: sdxl ? 'sdxl-pipeline' : 'sd15-pipeline', detail: name }, await folderBytes(files, path))
}

async function detectClipVision(files: FileSource, path: string): Promise<DetectedModel | undefined> {
  const configPath = joinPath(path, 'config.json')
  if (!(await files.exists(configPath)) || !(await files.exists(joinPath(path, 'model.onnx')))) return undefined
  const config = await readJson(files, configPath)
  const architectures = field(config, 'architectures')
  const isVision = field(config, 'model_type') === 'clip_vision_model' || (Array.isArray(architectures) && architectures.includes('CLIPVisionModelWithProjection'))
  if (!isVision) return undefined
  const projection = field(config, 'projection_dim')
  const detail = typeof projection === 'number' ? `CLIP vision · ${projection}-dim embeds` : 'CLIP vision'
  return withBytes({ kind: 'clip-vision', detail }, await folderBytes(files, path))
}

/** A folder that is no model itself: the model files in it, each detected, offered by their own kinds. */
async function detectPlainFolder(files: FileSource, path: string): Promise<DetectedModel> {
  const listed = await listedFiles(files, path)
  if (!listed) return { kind: 'unknown', detail: 'folder' }
  const contents: ContainedModel[] = []
  for (const file of listed.filter((f) => MODEL_FILE.test(f.path)).slice(0, MAX_CONTAINED)) {
    try {
      const found = await detectModel(files, joinPath(path, file.path), file.path)
      contents.push({ path: file.path, kind: found.kind, bytes: file.bytes, ...(found.detail ? { detail: found.detail } : {}) })
    } catch {
      contents.push({ path: file.path, kind: 'unknown', bytes: file.bytes, detail: 'unreadable' })
    }
  }
  const bytes = listed.reduce((sum, f) => sum + f.bytes, 0)
  const detail = contents.length === 0 ? 'folder, no model found' : `folder of ${contents.length} model file${contents.length === 1 ? '' : 's'}`
  return { kind: 'unknown', detail, bytes, ...(contents.length > 0 ? { contents } : {}) }
}

/** Sum of the folder's file sizes, when the source can list them. */
export async function folderBytes(files: FileSource, path: string): Promise<number | undefined> {
  return (await listedFiles(files, path))?.reduce((sum, f) => sum + f.bytes, 0)
}

/** The folder's files, or undefined when the source cannot list them (a URL, a routed source over one). */
async function listedFiles(files: FileSource, path: string): Promise<readonly ListedFile[] | undefined> {
  if (!files.listFiles) return undefined
  try {
    return await files.listFiles(path)
  } catch {
    return undefined
  }
}

function withBytes(found: DetectedModel, bytes: number | undefined): DetectedModel {
  return bytes === undefined ? found : { ...found, bytes }
}
