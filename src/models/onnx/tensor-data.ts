// Reading and replacing initializer data: dtype names, raw_data / typed-field / external-data access.
// Assumes a little-endian host (every platform onnxruntime-web and onnxruntime-node run on), as ONNX raw_data is.

import { float16ArrayToFloat32 } from './float16.js'
import { DataLocation, DataType, type OnnxTensor } from './types.js'

export type TensorDTypeName =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string'

const DTYPES: Record<number, { name: TensorDTypeName; bytes: number }> = {
  [DataType.FLOAT]: { name: 'float32', bytes: 4 },
  [DataType.UINT8]: { name: 'uint8', bytes: 1 },
  [DataType.INT8]: { name: 'int8', bytes: 1 },
  [DataType.UINT16]: { name: 'uint16', bytes: 2 },
  [DataType.INT16]: { name: 'int16', bytes: 2 },
  [DataType.INT32]: { name: 'int32', bytes: 4 },
  [DataType.INT64]: { name: 'int64', bytes: 8 },
  [DataType.STRING]: { name: 'string', bytes: 0 },
  [DataType.BOOL]: { name: 'bool', bytes: 1 },
  [DataType.FLOAT16]: { name: 'float16', bytes: 2 },
  [DataType.DOUBLE]: { name: 'float64', bytes: 8 },
  [DataType.UINT32]: { name: 'uint32', bytes: 4 },
  [DataType.UINT64]: { name: 'uint64', bytes: 8 },
  [DataType.BFLOAT16]: { name: 'bfloat16', bytes: 2 },
}

export function dtypeName(code: number | undefined): TensorDTypeName | `unknown(${number})` {
  return DTYPES[code ?? 0]?.name ?? `unknown(${code ?? 0})`
}

export function dtypeCode(name: TensorDTypeName): number {
  for (const [code, info] of Object.entries(DTYPES)) if (info.name === name) return Number(code)
  throw new Error(`unknown tensor dtype ${name}`)
}

/** Bytes per element, 0 for strings / unknown types. */
export function dtypeSize(code: number | undefined): number {
  return DTYPES[code ?? 0]?.bytes ?? 0
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1)
}

export interface ExternalDataRef {
  /** Path of the data file, relative to the .onnx file ("model.onnx_data"). */
  location: string
  offset: number
  length: number
}

/** What an external data reference is read from: a decoded tensor, or what scan.ts reads of one. */
export type ExternalDataTensor = Pick<OnnxTensor, 'name' | 'dims' | 'dataType' | 'dataLocation' | 'externalData'>

function label(tensor: Pick<OnnxTensor, 'name'>): string {
  return `tensor "${tensor.name ?? '?'}"`
}

/** The external-data reference of a tensor stored outside the .onnx file, or undefined when it is inline. */
export function externalDataRef(tensor: ExternalDataTensor): ExternalDataRef | undefined {
  if (tensor.dataLocation !== DataLocation.EXTERNAL) return undefined
  const entries = new Map(tensor.externalData.map((e) => [e.key ?? '', e.value ?? '']))
  const location = entries.get('location')
  if (!location) throw new Error(`${label(tensor)} is marked EXTERNAL but has no external_data location`)
  const offset = Number(entries.get('offset') ?? '0')
  const length = entries.has('length')
    ? Number(entries.get('length'))
    : elementCount(tensor.dims) * dtypeSize(tensor.dataType)
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new Error(`${label(tensor)} has an invalid external_data offset/length (${offset}, ${length})`)
  }
  return { location, offset, length }
}

/** The expected byte length of a tensor's data (0 for strings). */
export function tensorByteLength(tensor: OnnxTensor): number {
  return elementCount(tensor.dims) * dtypeSize(tensor.dataType)
}

function typedFieldBytes(tensor: OnnxTensor): Uint8Array {
  const n = elementCount(tensor.dims)
  switch (tensor.dataType) {
    case DataType.FLOAT:
      return new Uint8Array(Float32Array.from(tensor.floatData).buffer)
    case DataType.DOUBLE:
      return new Uint8Array(Float64Array.from(tensor.doubleData).buffer)
    case DataType.INT64:
      return new Uint8Array(BigInt64Array.from(tensor.int64Data).buffer)
    case DataType.UINT64:
      return new Uint8Array(BigUint64Array.from(tensor.uint64Data).buffer)
    case DataType.UINT32: // uint32 travels in uint64_data
      return new Uint8Array(Uint32Array.from(tensor.uint64Data, Number).buffer)
    case DataType.INT32:
      return new Uint8Array(Int32Array.from(tensor.int32Data).buffer)
    // int32_data also carries the narrow integer, bool and 16-bit float types, one element per entry.
    case DataType.INT8:
      return new Uint8Array(Int8Array.from(tensor.int32Data).buffer)
    case DataType.UINT8:
    case DataType.BOOL:
      return Uint8Array.from(tensor.int32Data)
    case DataType.INT16:
      return new Uint8Array(Int16Array.from(tensor.int32Data).buffer)
    case DataType.UINT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return new Uint8Array(Uint16Array.from(tensor.int32Data).buffer)
    default:
      if (n === 0) return new Uint8Array(0)
      throw new Error(`${label(tensor)} has unsupported data type ${dtypeName(tensor.dataType)}`)
  }
}

/**
 * The tensor's little-endian bytes. raw_data is returned as is (a view into the model buffer). External data needs
 * the bytes of its data file: pass them as `externalFile` (the whole file named by externalDataRef().location).
 */
export function tensorBytes(tensor: OnnxTensor, externalFile?: Uint8Array): Uint8Array {
  const ref = externalDataRef(tensor)
  if (ref) {
    if (!externalFile) throw new Error(`${label(tensor)} stores its data in "${ref.location}"; pass that file's bytes`)
    if (ref.offset + ref.length > externalFile.length) {
      throw new Error(`${label(tensor)}: "${ref.location}" is too short (needs ${ref.offset + ref.length} bytes, has ${externalFile.length})`)
    }
    return externalFile.subarray(ref.offset, ref.offset + ref.length)
  }
  if (tensor.rawData) return tensor.rawData
  return typedFieldBytes(tensor)
}

/**
 * An aligned copy only when the view is misaligned for `bytesPerElement`. Uint8Array's own slice copies; a Node
 * Buffer's slice would return another (still misaligned) view, so call the base method.
 */
function aligned(bytes: Uint8Array, bytesPerElement: number): Uint8Array {
  return bytes.byteOffset % bytesPerElement === 0 ? bytes : Uint8Array.prototype.slice.call(bytes)
}

/** float32 values of a FLOAT or FLOAT16 tensor (a view when possible, else a converted copy). */
export function tensorToFloat32(tensor: OnnxTensor, externalFile?: Uint8Array): Float32Array {
  const bytes = tensorBytes(tensor, externalFile)
  if (tensor.dataType === DataType.FLOAT) {
    const b = aligned(bytes, 4)
    return new Float32Array(b.buffer, b.byteOffset, b.length / 4)
  }
  if (tensor.dataType === DataType.FLOAT16) {
    const b = aligned(bytes, 2)
    return float16ArrayToFloat32(new Uint16Array(b.buffer, b.byteOffset, b.length / 2))
  }
  throw new Error(`${label(tensor)} is ${dtypeName(tensor.dataType)}, not a float tensor`)
}

/** int64 values of an INT64 tensor as bigint. */
export function tensorToBigInt64(tensor: OnnxTensor, externalFile?: Uint8Array): BigInt64Array {
  if (tensor.dataType !== DataType.INT64) throw new Error(`${label(tensor)} is ${dtypeName(tensor.dataType)}, not int64`)
  const b = aligned(tensorBytes(tensor, externalFile), 8)
  return new BigInt64Array(b.buffer, b.byteOffset, b.length / 8)
}

export type TensorValues = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Float64Array

/**
 * Replaces a tensor's data in place with `values` (stored as raw_data; typed fields and external-data references are
 * cleared). `dataType` defaults to the tensor's current one; the element count must match its dims.
 */
export function setTensorData(tensor: OnnxTensor, values: TensorValues, dataType = tensor.dataType): void {
  const size = dtypeSize(dataType)
  if (size === 0) throw new Error(`${label(tensor)}: cannot set data of type ${dtypeName(dataType)}`)
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const expected = elementCount(tensor.dims) * size
  if (bytes.length !== expected) {
    throw new Error(`${label(tensor)}: new data has ${bytes.length} bytes, dims [${tensor.dims.join(', ')}] of ${dtypeName(dataType)} need ${expected}`)
  }
  clearTensorData(tensor)
  tensor.dataType = dataType
  tensor.rawData = bytes
}

/** Removes every form of stored data (raw, typed fields, external reference), keeping name, dims and type. */
export function clearTensorData(tensor: OnnxTensor): void {
  tensor.floatData = []
  tensor.int32Data = []
  tensor.int64Data = []
  tensor.doubleData = []
  tensor.uint64Data = []
  tensor.stringData = []
  tensor.externalData = []
  delete tensor.rawData
  delete tensor.dataLocation
}
