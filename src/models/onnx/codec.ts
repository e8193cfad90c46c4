// decodeModel / encodeModel: ONNX ModelProto bytes <-> plain OnnxModel objects (see types.ts). Decoding reads the
// wire format itself (decode.ts); encoding goes through protobufjs (schema.ts).
// Tensor raw_data stays a view into the input buffer, so decoding a multi-GB model does not copy its weights.
// Fields outside the subset declared in onnx-messages.ts (TrainingInfoProto, DeviceConfigurationProto) are skipped on
// decode, so they are not written back.

import type protobuf from 'protobufjs'
import { decodeMessage } from './decode.js'
import { messageType } from './schema.js'
import { bigIntToLong } from './long.js'
import type { OnnxModel } from './types.js'

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'])

type Plain = Record<string, unknown>

function fieldValueToProto(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType && 'fieldsArray' in field.resolvedType) {
    return toProto(field.resolvedType as protobuf.Type, value as Plain)
  }
  if (LONG_TYPES.has(field.type)) {
    if (typeof value === 'bigint') return bigIntToLong(value)
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new Error(`${field.parent?.name ?? '?'}.${field.name}: expected an integer, got ${String(value)}`)
    }
  }
  return value
}

function toProto(type: protobuf.Type, obj: Plain): Plain {
  const out: Plain = {}
  for (const field of type.fieldsArray) {
    const value = obj[field.name]
    if (value === undefined || value === null) continue
    if (field.repeated) {
      if (!Array.isArray(value)) throw new Error(`${type.name}.${field.name} must be an array`)
      if (value.length > 0) out[field.name] = value.map((v: unknown) => fieldValueToProto(field, v))
    } else {
      out[field.name] = fieldValueToProto(field, value)
    }
  }
  return out
}

function describeError(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'nesting too deep (corrupt data)'
  const message = error instanceof Error ? error.message : String(error)
  return /index out of range/i.test(message) ? `truncated or corrupt protobuf (${message})` : message
}

/**
 * Parses ONNX ModelProto bytes. Throws `Error("not an ONNX model: ...")` for empty, truncated or corrupt input.
 * Tensor `rawData` fields are views into `bytes`: keep `bytes` unmodified while the model is in use.
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new Error('not an ONNX model: expected bytes (Uint8Array)')
  if (bytes.length === 0) throw new Error('not an ONNX model: the file is empty')
  let model: OnnxModel
  try {
    model = decodeMessage('ModelProto', bytes) as unknown as OnnxModel
  } catch (error) {
    throw new Error(`not an ONNX model: ${describeError(error)}`)
  }
  if (model.irVersion === undefined) throw new Error('not an ONNX model: ir_version is missing')
  if (!model.graph) throw new Error('not an ONNX model: it has no graph')
  if (model.opsetImport.length === 0) throw new Error('not an ONNX model: opset_import is missing (truncated file?)')
  return model
}

/** Serialises a model. Field order and packing follow onnx.proto, so decode(encode(m)) re-encodes identically. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const modelType = messageType('ModelProto')
  return modelType.encode(toProto(modelType, model as unknown as Plain)).finish()
}

/** Serialises one sub-message (a GraphProto or TensorProto), for writers that assemble a model file in pieces. */
export function encodeMessage(name: 'GraphProto' | 'TensorProto' | 'ModelProto', message: object): Uint8Array {
  const type = messageType(name)
  return type.encode(toProto(type, message as Plain)).finish()
}
