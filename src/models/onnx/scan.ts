// What a loader must know of a model before onnxruntime sees it, its initializers' external data references, read
// straight from the protobuf wire format. Every payload (raw_data, the nodes) is skipped by its length, never
// decoded: decodeModel builds the whole model as objects, 25-45 ms for the bundled 13-17 MB models on an idle core and
// more on the cold first image's busy worker, where every model was decoded once just for this; a scan takes well
// under a millisecond. Only the wire format is checked here; onnxruntime checks the rest when it loads the model.
import { extentsOf } from './external-data.js'
import type { ExternalDataTensor } from './tensor-data.js'
import { DataLocation } from './types.js'

const VARINT = 0
const FIXED64 = 1
const LEN = 2
const FIXED32 = 5

/** onnx.proto field numbers this scan reads. */
const MODEL_IR_VERSION = 1
const MODEL_GRAPH = 7
const MODEL_OPSET_IMPORT = 8
const GRAPH_INITIALIZER = 5
const TENSOR = { dims: 1, dataType: 2, name: 8, externalData: 13, dataLocation: 14 } as const
const ENTRY = { key: 1, value: 2 } as const

const utf8 = new TextDecoder()

/** A cursor over one message's bytes [pos, end). */
class Wire {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end
  }

  /** A varint as a bigint (int64 fields, whose negatives take ten bytes). */
  bigVarint(): bigint {
    let value = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Error(`protobuf varint runs past the end at byte ${this.pos}`)
      const byte = this.bytes[this.pos++]!
      value |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) return BigInt.asIntN(64, value)
    }
    throw new Error(`protobuf varint longer than ten bytes at byte ${this.pos}`)
  }

  varint(): number {
    // Seven bytes (49 bits) are exact in a double; longer ones (negative int64s, huge values) go through bigVarint.
    const start = this.pos
    let value = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new Error(`protobuf varint runs past the end at byte ${this.pos}`)
      const byte = this.bytes[this.pos++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 128
    }
    this.pos = start
    return Number(this.bigVarint())
  }

  /** The next field's number and wire type. */
  tag(): [number, number] {
    const tag = this.varint()
    return [Math.floor(tag / 8), tag & 7]
  }

  /** The bounds of a length-delimited payload, moving past it. */
  span(): [number, number] {
    const length = this.varint()
    const start = this.pos
    if (length < 0 || start + length > this.end) throw new Error(`protobuf field of ${length} bytes at byte ${start} runs past the end`)
    this.pos = start + length
    return [start, start + length]
  }

  nested(): Wire {
    const [start, end] = this.span()
    return new Wire(this.bytes, start, end)
  }

  text(): string {
    const [start, end] = this.span()
    return utf8.decode(this.bytes.subarray(start, end))
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint()
    else if (wireType === LEN) this.span()
    else if (wireType === FIXED64 || wireType === FIXED32) {
      this.pos += wireType === FIXED64 ? 8 : 4
      if (this.pos > this.end) throw new Error(`protobuf fixed-width field runs past the end at byte ${this.end}`)
    } else throw new Error(`protobuf wire type ${wireType} (not used by ONNX) at byte ${this.pos}`)
  }
}

function scanTensor(wire: Wire): ExternalDataTensor {
  const tensor: ExternalDataTensor = { dims: [], externalData: [] }
  while (!wire.done) {
    const [field, wireType] = wire.tag()
    if (field === TENSOR.dims && wireType === LEN) {
      const packed = wire.nested()
      while (!packed.done) tensor.dims.push(packed.varint())
    } else if (field === TENSOR.dims && wireType === VARINT) tensor.dims.push(wire.varint())
    else if (field === TENSOR.dataType && wireType === VARINT) tensor.dataType = wire.varint()
    else if (field === TENSOR.name && wireType === LEN) tensor.name = wire.text()
    else if (field === TENSOR.dataLocation && wireType === VARINT) tensor.dataLocation = wire.varint()
    else if (field === TENSOR.externalData && wireType === LEN) {
      const entry = wire.nested()
      const pair: { key?: string; value?: string } = {}
      while (!entry.done) {
        const [entryField, entryType] = entry.tag()
        if (entryField === ENTRY.key && entryType === LEN) pair.key = entry.text()
        else if (entryField === ENTRY.value && entryType === LEN) pair.value = entry.text()
        else entry.skip(entryType)
      }
      tensor.externalData.push(pair)
    } else wire.skip(wireType)
  }
  return tensor
}

/** The graph's initializers that keep their data in another file (ModelProto.graph.initializer, as decodeModel reads). */
export function scanExternalInitializers(bytes: Uint8Array): ExternalDataTensor[] {
  const model = new Wire(bytes, 0, bytes.byteLength)
  const external: ExternalDataTensor[] = []
  let irVersions = 0
  let graphs = 0
  let opsets = 0
  while (!model.done) {
    const [field, wireType] = model.tag()
    if (field === MODEL_IR_VERSION) irVersions++
    if (field === MODEL_OPSET_IMPORT) opsets++
    if (field !== MODEL_GRAPH || wireType !== LEN) {
      model.skip(wireType)
      continue
    }
    graphs++
    const graph = model.nested()
    while (!graph.done) {
      const [graphField, graphType] = graph.tag()
      if (graphField !== GRAPH_INITIALIZER || graphType !== LEN) {
        graph.skip(graphType)
        continue
      }
      const tensor = scanTensor(graph.nested())
      if (tensor.dataLocation === DataLocation.EXTERNAL) external.push(tensor)
    }
  }
  // What decodeModel (codec.ts) says of a file that is no model, or was cut short (the opset comes after the graph).
  if (irVersions === 0) throw new Error('not an ONNX model: ir_version is missing')
  if (graphs === 0) throw new Error('not an ONNX model: it has no graph')
  if (opsets === 0) throw new Error('not an ONNX model: opset_import is missing (truncated file?)')
  return external
}

/** externalDataExtents (external-data.ts) of the model these bytes hold, without decoding it. */
export function scanExternalDataExtents(bytes: Uint8Array): Map<string, { end: number; tensor: string }> {
  return extentsOf(scanExternalInitializers(bytes))
}
