// Moving initializer data into one external data file (as onnx.save_model(save_as_external_data=True) and Optimum
// do for UNets over 2 GB) and back.

import { clearTensorData, externalDataRef, tensorBytes, type ExternalDataTensor } from './tensor-data.js'
import { requireGraph } from './graph.js'
import { DataLocation, type OnnxModel } from './types.js'

export interface ExternalizeOptions {
  /** File name written into each tensor's external_data "location" entry, e.g. "model.onnx_data". */
  location: string
  /** Tensors smaller than this many bytes stay inline. 0 (default) moves every initializer. */
  sizeThreshold?: number
}

/**
 * Moves the raw data of every initializer (>= sizeThreshold bytes) into one blob, in initializer order, and points
 * the tensors at it (location, offset, length; data_location EXTERNAL). Returns the blob to write next to the model.
 */
export function externalizeInitializers(model: OnnxModel, options: ExternalizeOptions): Uint8Array {
  const graph = requireGraph(model)
  const threshold = options.sizeThreshold ?? 0
  const moved = graph.initializer.filter((t) => !externalDataRef(t) && tensorBytes(t).length >= threshold)
  const chunks = moved.map((t) => tensorBytes(t))
  const blob = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0))
  let offset = 0
  moved.forEach((tensor, i) => {
    const chunk = chunks[i]!
    blob.set(chunk, offset)
    clearTensorData(tensor)
    tensor.externalData = [
      { key: 'location', value: options.location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(chunk.length) },
    ]
    tensor.dataLocation = DataLocation.EXTERNAL
    offset += chunk.length
  })
  return blob
}

/**
 * Copies external data back inline as raw_data views into the given files (keyed by their location string), e.g. to
 * hand a single self-contained buffer to a runtime. Throws naming the tensor and file when a file is missing.
 */
export function internalizeExternalData(model: OnnxModel, files: ReadonlyMap<string, Uint8Array>): void {
  for (const tensor of requireGraph(model).initializer) {
    const ref = externalDataRef(tensor)
    if (!ref) continue
    const file = files.get(ref.location)
    if (!file) throw new Error(`tensor "${tensor.name ?? '?'}" needs external data file "${ref.location}", which was not provided`)
    tensor.rawData = tensorBytes(tensor, file)
    tensor.externalData = []
    delete tensor.dataLocation
  }
}

/** The distinct external data files a model references (e.g. ["model.onnx_data"]). */
export function externalDataLocations(model: OnnxModel): string[] {
  const locations = new Set<string>()
  for (const tensor of requireGraph(model).initializer) {
    const ref = externalDataRef(tensor)
    if (ref) locations.add(ref.location)
  }
  return [...locations]
}

/** For each external data file: the byte where its last tensor ends (the file must be at least this long). */
export function externalDataExtents(model: OnnxModel): Map<string, { end: number; tensor: string }> {
  return extentsOf(requireGraph(model).initializer)
}

/** The same, of some tensors (the initializers; scan.ts reads them from a model's bytes). */
export function extentsOf(tensors: Iterable<ExternalDataTensor>): Map<string, { end: number; tensor: string }> {
  const extents = new Map<string, { end: number; tensor: string }>()
  for (const tensor of tensors) {
    const ref = externalDataRef(tensor)
    if (!ref) continue
    const end = ref.offset + ref.length
    if (end >= (extents.get(ref.location)?.end ?? 0)) extents.set(ref.location, { end, tensor: tensor.name ?? '?' })
  }
  return extents
}
