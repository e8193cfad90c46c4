// The bundled models' manifest (public/models/index.json): written by `npm run models:index` from the folder with
// the same detection the catalog uses, read by the app at startup, and checked against the folder by a unit test
// so it cannot go stale. Reading it treats the file as untrusted JSON (safe reader, fields checked one by one).
import { parseJsonSafely, type JsonValue } from '../../graph/safe-json.js'
import type { FileSource, ListedFile } from '../files.js'
import { detectModel } from './detect.js'
import { MODEL_KINDS, type ModelEntry, type ModelKind } from './types.js'

export const BUNDLED_MANIFEST = 'index.json'
const FORMAT = 'hyper-sd-studio/models'

export interface BundledModel {
  /** The path under models/ that graphs use: "tiny-sd15", "loras/x.safetensors". */
  readonly name: string
  readonly kind: ModelKind
  readonly detail?: string
  readonly bytes?: number
}

export interface BundledManifest {
  readonly format: typeof FORMAT
  readonly version: 1
  readonly models: readonly BundledModel[]
}

const MODEL_FILE = /\.(safetensors|onnx)$/i
const MODEL_FOLDER_MARKERS = ['model_index.json', 'config.json']

/**
 * The models in a listed folder: each top-level folder with model_index.json or config.json is one model; other
 * folders (loras/, aesthetic/) hold model files, one model each. Sorted by name, so the output is reproducible.
 */
export async function scanBundledModels(files: FileSource, listing: readonly ListedFile[]): Promise<BundledModel[]> {
  const topFolders = new Map<string, string[]>()
  for (const file of listing) {
    const slash = file.path.indexOf('/')
    if (slash < 0) continue // files beside the folders (this manifest, READMEs) are no models
    const folder = file.path.slice(0, slash)
    topFolders.set(folder, [...(topFolders.get(folder) ?? []), file.path.slice(slash + 1)])
  }
  const models: BundledModel[] = []
  for (const [folder, inside] of [...topFolders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const isModelFolder = inside.some((p) => MODEL_FOLDER_MARKERS.includes(p))
    const names = isModelFolder ? [folder] : inside.filter((p) => MODEL_FILE.test(p)).map((p) => `${folder}/${p}`)
    for (const name of names.sort()) {
      const found = await detectModel(files, name)
      const bytes = isModelFolder ? listing.filter((f) => f.path.startsWith(`${folder}/`)).reduce((sum, f) => sum + f.bytes, 0) : found.bytes
      models.push({ name, kind: found.kind, ...(found.detail ? { detail: found.detail } : {}), ...(bytes !== undefined ? { bytes } : {}) })
    }
  }
  return models
}

export function serializeBundledManifest(models: readonly BundledModel[]): string {
  const manifest: BundledManifest = { format: FORMAT, version: 1, models }
  return `${JSON.stringify(manifest, null, 2)}\n`
}

function objectOf(value: JsonValue | undefined, where: string): { readonly [key: string]: JsonValue } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a JSON object`)
  return value
}

function own(object: { readonly [key: string]: JsonValue }, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

/** Reads the manifest text; errors name `where` and the entry at fault. */
export function parseBundledManifest(text: string, where: string): BundledModel[] {
  let json: JsonValue
  try {
    json = parseJsonSafely(text)
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`, { cause: err })
  }
  const root = objectOf(json, where)
  if (own(root, 'format') !== FORMAT || own(root, 'version') !== 1) throw new Error(`${where}: not a version 1 "${FORMAT}" manifest`)
  const list = own(root, 'models')
  if (!Array.isArray(list)) throw new Error(`${where}: "models" is not a list`)
  return list.map((item, i) => {
    const at = `${where}: models[${i}]`
    const model = objectOf(item, at)
    const name = own(model, 'name')
    const kind = own(model, 'kind')
    const detail = own(model, 'detail')
    const bytes = own(model, 'bytes')
    if (typeof name !== 'string' || name === '') throw new Error(`${at}: "name" is not a non-empty string`)
    if (typeof kind !== 'string' || !MODEL_KINDS.includes(kind as ModelKind)) throw new Error(`${at}: "kind" is not one of ${MODEL_KINDS.join(', ')}`)
    if (detail !== undefined && typeof detail !== 'string') throw new Error(`${at}: "detail" is not a string`)
    if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0)) throw new Error(`${at}: "bytes" is not a byte count`)
    return { name, kind: kind as ModelKind, ...(detail !== undefined ? { detail } : {}), ...(bytes !== undefined ? { bytes } : {}) }
  })
}

/** The catalog entry of a bundled model (always ready: it ships with the app). */
export function bundledEntry(model: BundledModel): ModelEntry {
  return {
    id: `bundled:${model.name}`,
    name: model.name,
    kind: model.kind,
    ...(model.detail !== undefined ? { detail: model.detail } : {}),
    ...(model.bytes !== undefined ? { bytes: model.bytes } : {}),
    origin: 'bundled',
    location: 'bundled',
    state: 'ready',
  }
}
