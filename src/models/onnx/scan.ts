// What a loader must know of a model before onnxruntime sees it, its initializers' external data references, read
// straight from the protobuf wire format. Every payload (raw_data, the nodes) is skipped by its length, never
// decoded: decodeModel builds the whole model as objects, tens of milliseconds for the bundled 13-17 MB models and
// more on the cold first image's busy worker, where every model was decoded once just for this; a scan takes well
// under a millisecond. Only the wire format is checked here; onnxruntime checks the rest when it loads the model.
import { extentsOf } from './external-data.js'
import type { ExternalDataTensor } from './tensor-data.js'
import { fieldNumber } from './onnx-messages.js'
import { DataLocation } from './types.js'
import { LEN, VARINT, Wire } from './wire.js'

/** The field numbers this scan reads, from the table the decoder reads too. */
const MODEL_IR_VERSION = fieldNumber('ModelProto', 'irVersion')
const MODEL_GRAPH = fieldNumber('ModelProto', 'graph')
const MODEL_OPSET_IMPORT = fieldNumber('ModelProto', 'opsetImport')
const GRAPH_INITIALIZER = fieldNumber('GraphProto', 'initializer')
const TENSOR = {
  dims: fieldNumber('TensorProto', 'dims'),
  dataType: fieldNumber('TensorProto', 'dataType'),
  name: fieldNumber('TensorProto', 'name'),
  externalData: fieldNumber('TensorProto', 'externalData'),
  dataLocation: fieldNumber('TensorProto', 'dataLocation'),
}
const ENTRY = { key: fieldNumber('StringStringEntryProto', 'key'), value: fieldNumber('StringStringEntryProto', 'value') }

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
