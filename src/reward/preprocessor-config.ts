// Reads a transformers CLIPImageProcessor preprocessor_config.json into the preprocessing settings. Both the old
// (CLIPFeatureExtractor: "size": 224, "crop_size": 224) and current ({"shortest_edge": 224}, {"height", "width"})
// forms are accepted; settings this implementation cannot honour are refused by field name.
import { parseJsonSafely, type JsonValue } from '../graph/safe-json.js'
import { CLIP_PREPROCESS, type ClipPreprocessConfig } from './clip-preprocess.js'

const PIL_BICUBIC = 3

type JsonObject = { readonly [key: string]: JsonValue }

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined
}

function positiveInt(value: JsonValue | undefined, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new Error(`${where} must be a positive integer`)
  return value
}

function triple(value: JsonValue | undefined, where: string, fallback: readonly [number, number, number]): readonly [number, number, number] {
  if (value === undefined) return fallback
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${where} must be 3 numbers`)
  }
  return value as unknown as [number, number, number]
}

export function parseClipPreprocessorConfig(text: string, file: string): ClipPreprocessConfig {
  let json: JsonValue
  try {
    json = parseJsonSafely(text)
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err })
  }
  if (!isObject(json)) throw new Error(`${file}: expected a JSON object`)
  const at = (key: string) => `${file}: "${key}"`
  for (const flag of ['do_resize', 'do_center_crop', 'do_rescale', 'do_normalize']) {
    if (field(json, flag) === false) throw new Error(`${at(flag)} is false; only the standard CLIP preprocessing is supported`)
  }
  const resample = field(json, 'resample')
  if (resample !== undefined && resample !== PIL_BICUBIC) throw new Error(`${at('resample')} is ${JSON.stringify(resample)}; only 3 (bicubic) is supported`)
  const rescale = field(json, 'rescale_factor')
  if (rescale !== undefined && (typeof rescale !== 'number' || Math.abs(rescale * 255 - 1) > 1e-9)) {
    throw new Error(`${at('rescale_factor')} is ${JSON.stringify(rescale)}; only 1/255 is supported`)
  }

  const size = field(json, 'size')
  let shortestEdge = CLIP_PREPROCESS.shortestEdge
  if (typeof size === 'number') shortestEdge = positiveInt(size, at('size'))
  else if (isObject(size)) shortestEdge = positiveInt(field(size, 'shortest_edge'), at('size.shortest_edge'))
  else if (size !== undefined) throw new Error(`${at('size')} must be a number or {"shortest_edge": n}`)

  const crop = field(json, 'crop_size')
  let cropHeight = CLIP_PREPROCESS.cropHeight
  let cropWidth = CLIP_PREPROCESS.cropWidth
  if (typeof crop === 'number') cropHeight = cropWidth = positiveInt(crop, at('crop_size'))
  else if (isObject(crop)) {
    cropHeight = positiveInt(field(crop, 'height'), at('crop_size.height'))
    cropWidth = positiveInt(field(crop, 'width'), at('crop_size.width'))
  } else if (crop !== undefined) throw new Error(`${at('crop_size')} must be a number or {"height", "width"}`)

  const mean = triple(field(json, 'image_mean'), at('image_mean'), CLIP_PREPROCESS.mean)
  const std = triple(field(json, 'image_std'), at('image_std'), CLIP_PREPROCESS.std)
  if (!std.every((s) => s > 0)) throw new Error(`${at('image_std')} must be positive`)
  return { shortestEdge, cropHeight, cropWidth, mean, std }
}
