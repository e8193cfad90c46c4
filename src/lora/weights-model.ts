// A base model with its UNet weights replaced by a state-dict file, as a BaseModel of its own: its key names the
// file, so the LoRA path (session.ts) builds on it unchanged and every session it leads to is cached under that key
// (a new weights file rebuilds; a seed or a live LoRA scale does not).
import { decodeModel, encodeModel } from '../models/onnx/codec.js'
import { externalDataLocations } from '../models/onnx/external-data.js'
import { requireGraph } from '../models/onnx/graph.js'
import { readSafetensors } from '../models/safetensors/reader.js'
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import type { ModelSource } from '../runtime/types.js'
import { findTargetLayers } from './layers.js'
import type { BaseModel } from './session.js'
import { replaceWeights, type UNetWeightsReport } from './unet-weights.js'
import { WeightStore } from './weights.js'

/** The replaced weights' side file (a LoRA built on top writes its own, lora_weights.onnx_data). */
export const UNET_WEIGHTS_DATA_FILE = 'unet_weights.onnx_data'

export interface UNetWeightsDeps {
  /** The weights file named in the graph: its bytes, or an opened source (read tensor by tensor: 10 GB files). */
  readWeights(name: string): Promise<Uint8Array | SafetensorsSource>
}

/** The session-cache key of `baseKey` with `weights` in place of its own; the base key when there are none. */
export function unetWeightsKey(baseKey: string, weights: string | undefined): string {
  return weights ? `${baseKey}#weights(${weights})` : baseKey
}

/** "unet/model.onnx" of ".../stable-diffusion-xl-base-1.0/unet/model.onnx": what messages call the model. */
function modelLabel(key: string): string {
  return key.split('#')[0]!.split(/[\\/]/).slice(-2).join('/')
}

/**
 * Decodes `base`, writes the file's tensors in, re-encodes. Base external data files that no tensor points into
 * any more are not passed on: a session given them would hold a second copy of the UNet.
 */
export async function buildWithWeights(base: ModelSource, key: string, file: SafetensorsSource, label = modelLabel(base.key)): Promise<{ source: ModelSource; report: UNetWeightsReport }> {
  const model = decodeModel(base.bytes)
  const graph = requireGraph(model)
  const files = new Map((base.externalData ?? []).map((f) => [f.path, f.data]))
  const store = new WeightStore(files, externalDataLocations(model).length > 0, UNET_WEIGHTS_DATA_FILE, base.bytes.byteLength)
  const report = await replaceWeights(graph, store, file, findTargetLayers(graph), label)
  const side = store.finish()
  const stillRead = new Set(externalDataLocations(model))
  const externalData = [
    ...(base.externalData ?? []).filter((f) => stillRead.has(f.path)),
    ...(side ? [{ path: UNET_WEIGHTS_DATA_FILE, data: side }] : []),
  ]
  return { source: { key, bytes: encodeModel(model), ...(externalData.length > 0 ? { externalData } : {}) }, report }
}

async function openWeights(name: string, deps: UNetWeightsDeps): Promise<SafetensorsSource> {
  const data = await deps.readWeights(name)
  return data instanceof Uint8Array ? readSafetensors(data, name) : data
}

/**
 * `model` with `weights` written in (itself when there are none). Loading it builds the replaced model; `onBuilt`
 * hears the report of each build. The size hint stays the base model's: the replaced model is about as large.
 */
export function withUNetWeights(model: BaseModel, weights: string | undefined, deps: UNetWeightsDeps, onBuilt?: (report: UNetWeightsReport) => void): BaseModel {
  if (!weights) return model
  const key = unetWeightsKey(model.key, weights)
  const load = async () => {
    const file = await openWeights(weights, deps)
    const built = await buildWithWeights(await model.load(), key, file, modelLabel(model.key))
    onBuilt?.(built.report)
    return built.source
  }
  return { key, load, ...(model.fileBytes ? { fileBytes: () => model.fileBytes!() } : {}) }
}
