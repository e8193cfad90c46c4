// Writing multi-GB models without holding them: the builder records each parameter's name, shape and a function
// that computes its values (StreamingStore); writeStreamedModel then writes the graph and computes, converts and
// writes one tensor at a time. Models over 2 GB get Optimum's layout (weights in `model.onnx_data`); smaller ones
// are one protobuf file, assembled by hand because its length prefixes must be known before the weights exist.

import { closeSync, openSync, writeSync } from 'node:fs'
import type { InitializerStore, LazyValues } from '../../../src/models/onnx/builder.js'
import { encodeMessage } from '../../../src/models/onnx/codec.js'
import { makeTensor } from '../../../src/models/onnx/factories.js'
import { float32ToFloat16Bits } from '../../../src/models/onnx/float16.js'
import { DataLocation, DataType, type OnnxModel, type OnnxTensor } from '../../../src/models/onnx/types.js'

export type WeightDType = 'float16' | 'float32'

/** protobuf's 2 GB message limit: above it, torch.onnx.export / Optimum move the weights to external data. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1
export const EXTERNAL_DATA_FILE = 'model.onnx_data'

interface Pending {
  readonly tensor: OnnxTensor
  readonly values: LazyValues
  readonly bytes: number
}

export class StreamingStore implements InitializerStore {
  readonly pending: Pending[] = []

  constructor(readonly dtype: WeightDType) {}

  add(name: string, dims: readonly number[], values: LazyValues): OnnxTensor {
    const count = dims.reduce((a, b) => a * b, 1)
    const tensor = makeTensor({ name, dims: [...dims], dataType: this.dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT })
    this.pending.push({ tensor, values, bytes: count * (this.dtype === 'float16' ? 2 : 4) })
    return tensor
  }

  get parameterCount(): number {
    return this.pending.reduce((sum, p) => sum + p.bytes / (this.dtype === 'float16' ? 2 : 4), 0)
  }

  get weightBytes(): number {
    return this.pending.reduce((sum, p) => sum + p.bytes, 0)
  }
}

/** Little-endian bytes of one tensor's values in the store's dtype, in chunks so no second full-size copy exists. */
function* tensorChunks(values: Float32Array, dtype: WeightDType): Generator<Uint8Array> {
  if (dtype === 'float32') {
    yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
    return
  }
  const CHUNK = 1 << 22
  for (let start = 0; start < values.length; start += CHUNK) {
    const part = values.subarray(start, Math.min(values.length, start + CHUNK))
    const bits = new Uint16Array(part.length)
    for (let i = 0; i < part.length; i++) bits[i] = float32ToFloat16Bits(part[i]!)
    yield new Uint8Array(bits.buffer)
  }
}

function varint(value: number): Uint8Array {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** A length-delimited field's key byte: field number << 3 | wire type 2. */
const key = (field: number) => Uint8Array.of((field << 3) | 2)
const GRAPH_FIELD = 7
const INITIALIZER_FIELD = 5
const RAW_DATA_FIELD = 9

/** Sequential synchronous writes to a new file, counting bytes (a tensor at a time, nothing buffered). */
export class FileWriter {
  private readonly fd: number
  written = 0
  constructor(path: string) {
    this.fd = openSync(path, 'w')
  }
  write(bytes: Uint8Array): void {
    let offset = 0
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset)
    this.written += bytes.length
  }
  close(): void {
    closeSync(this.fd)
  }
}

function writeValues(out: FileWriter, p: Pending, dtype: WeightDType): void {
  const values = p.values()
  const before = out.written
  for (const chunk of tensorChunks(values, dtype)) out.write(chunk)
  if (out.written - before !== p.bytes) throw new Error(`${p.tensor.name}: wrote ${out.written - before} bytes, expected ${p.bytes}`)
}

export interface StreamedFiles {
  /** Files written, relative to the folder: "model.onnx" and, over 2 GB, "model.onnx_data". */
  readonly files: string[]
  readonly weightBytes: number
}

/** Writes `model` (built with `store`) to `folder/model.onnx`, streaming the weights; external data above `externalAbove` bytes. */
export function writeStreamedModel(model: OnnxModel, store: StreamingStore, folder: string, externalAbove = PROTOBUF_LIMIT): StreamedFiles {
  const graph = model.graph!
  const external = store.weightBytes > externalAbove
  if (external) {
    let offset = 0
    for (const p of store.pending) {
      p.tensor.externalData = [
        { key: 'location', value: EXTERNAL_DATA_FILE },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(p.bytes) },
      ]
      p.tensor.dataLocation = DataLocation.EXTERNAL
      offset += p.bytes
    }
    const head = new FileWriter(`${folder}/model.onnx`)
    head.write(encodeMessage('ModelProto', model))
    head.close()
    const data = new FileWriter(`${folder}/${EXTERNAL_DATA_FILE}`)
    try {
      for (const p of store.pending) writeValues(data, p, store.dtype)
    } finally {
      data.close()
    }
    return { files: ['model.onnx', EXTERNAL_DATA_FILE], weightBytes: store.weightBytes }
  }

  // One file: the model without its graph, then the graph (every field but the streamed initializers), then one
  // initializer record per streamed tensor, each its header and a raw_data field. Field order is free in protobuf.
  const streamed = new Set(store.pending.map((p) => p.tensor))
  const records = store.pending.map((p) => {
    const header = encodeMessage('TensorProto', p.tensor)
    const rawPrefix = [key(RAW_DATA_FIELD), varint(p.bytes)]
    const bodyLength = header.length + rawPrefix.reduce((s, b) => s + b.length, 0) + p.bytes
    return { p, prefix: [key(INITIALIZER_FIELD), varint(bodyLength), header, ...rawPrefix], length: 0 }
  })
  for (const r of records) r.length = r.prefix.reduce((s, b) => s + b.length, 0) + r.p.bytes
  const graphHead = encodeMessage('GraphProto', { ...graph, initializer: graph.initializer.filter((t) => !streamed.has(t)) })
  const graphLength = graphHead.length + records.reduce((s, r) => s + r.length, 0)
  const out = new FileWriter(`${folder}/model.onnx`)
  try {
    out.write(encodeMessage('ModelProto', { ...model, graph: undefined }))
    out.write(key(GRAPH_FIELD))
    out.write(varint(graphLength))
    out.write(graphHead)
    for (const r of records) {
      for (const part of r.prefix) out.write(part)
      writeValues(out, r.p, store.dtype)
    }
  } finally {
    out.close()
  }
  return { files: ['model.onnx'], weightBytes: store.weightBytes }
}
