// The subset of onnx.proto (IR version 10) this project reads and writes: every message's fields with their numbers,
// types and [packed] options, exactly as in onnx/onnx.proto, so models written by torch re-encode byte-stable. Field
// names are camelCase here; only numbers travel on the wire. Read by the decoder (decode.ts) and by protobufjs,
// which encodes (schema.ts).

export type FieldDef = { readonly type: string; readonly id: number; readonly rule?: 'repeated'; readonly options?: { readonly packed: boolean } }
export type Fields = Readonly<Record<string, FieldDef>>

const f = (type: string, id: number): FieldDef => ({ type, id })
const rep = (type: string, id: number): FieldDef => ({ type, id, rule: 'repeated' })
const packed = (type: string, id: number): FieldDef => ({ type, id, rule: 'repeated', options: { packed: true } })
// proto2 repeated scalars without [packed=true] are written unpacked, as protoc does.
const unpacked = (type: string, id: number): FieldDef => ({ type, id, rule: 'repeated', options: { packed: false } })

export const ONNX_MESSAGES: Readonly<Record<string, Fields>> = {
  StringStringEntryProto: { key: f('string', 1), value: f('string', 2) },
  OperatorSetIdProto: { domain: f('string', 1), version: f('int64', 2) },
  TensorProto: {
    dims: unpacked('int64', 1),
    dataType: f('int32', 2),
    segment: f('Segment', 3),
    floatData: packed('float', 4),
    int32Data: packed('int32', 5),
    stringData: rep('bytes', 6),
    int64Data: packed('int64', 7),
    name: f('string', 8),
    rawData: f('bytes', 9),
    doubleData: packed('double', 10),
    uint64Data: packed('uint64', 11),
    docString: f('string', 12),
    externalData: rep('StringStringEntryProto', 13),
    dataLocation: f('int32', 14),
    metadataProps: rep('StringStringEntryProto', 16),
  },
  Segment: { begin: f('int64', 1), end: f('int64', 2) },
  SparseTensorProto: { values: f('TensorProto', 1), indices: f('TensorProto', 2), dims: unpacked('int64', 3) },
  Dimension: { dimValue: f('int64', 1), dimParam: f('string', 2), denotation: f('string', 3) },
  TensorShapeProto: { dim: rep('Dimension', 1) },
  TypeTensor: { elemType: f('int32', 1), shape: f('TensorShapeProto', 2) },
  TypeSequence: { elemType: f('TypeProto', 1) },
  TypeMap: { keyType: f('int32', 1), valueType: f('TypeProto', 2) },
  TypeOptional: { elemType: f('TypeProto', 1) },
  TypeProto: {
    tensorType: f('TypeTensor', 1),
    sequenceType: f('TypeSequence', 4),
    mapType: f('TypeMap', 5),
    denotation: f('string', 6),
    sparseTensorType: f('TypeTensor', 8),
    optionalType: f('TypeOptional', 9),
  },
  ValueInfoProto: {
    name: f('string', 1),
    type: f('TypeProto', 2),
    docString: f('string', 3),
    metadataProps: rep('StringStringEntryProto', 4),
  },
  AttributeProto: {
    name: f('string', 1),
    f: f('float', 2),
    i: f('int64', 3),
    s: f('bytes', 4),
    t: f('TensorProto', 5),
    g: f('GraphProto', 6),
    floats: unpacked('float', 7),
    ints: unpacked('int64', 8),
    strings: rep('bytes', 9),
    tensors: rep('TensorProto', 10),
    graphs: rep('GraphProto', 11),
    docString: f('string', 13),
    tp: f('TypeProto', 14),
    typeProtos: rep('TypeProto', 15),
    type: f('int32', 20),
    refAttrName: f('string', 21),
    sparseTensor: f('SparseTensorProto', 22),
    sparseTensors: rep('SparseTensorProto', 23),
  },
  NodeProto: {
    input: rep('string', 1),
    output: rep('string', 2),
    name: f('string', 3),
    opType: f('string', 4),
    attribute: rep('AttributeProto', 5),
    docString: f('string', 6),
    domain: f('string', 7),
    overload: f('string', 8),
    metadataProps: rep('StringStringEntryProto', 9),
  },
  TensorAnnotation: { tensorName: f('string', 1), quantParameterTensorNames: rep('StringStringEntryProto', 2) },
  GraphProto: {
    node: rep('NodeProto', 1),
    name: f('string', 2),
    initializer: rep('TensorProto', 5),
    docString: f('string', 10),
    input: rep('ValueInfoProto', 11),
    output: rep('ValueInfoProto', 12),
    valueInfo: rep('ValueInfoProto', 13),
    quantizationAnnotation: rep('TensorAnnotation', 14),
    sparseInitializer: rep('SparseTensorProto', 15),
    metadataProps: rep('StringStringEntryProto', 16),
  },
  FunctionProto: {
    name: f('string', 1),
    input: rep('string', 4),
    output: rep('string', 5),
    attribute: rep('string', 6),
    node: rep('NodeProto', 7),
    docString: f('string', 8),
    opsetImport: rep('OperatorSetIdProto', 9),
    domain: f('string', 10),
    attributeProto: rep('AttributeProto', 11),
    valueInfo: rep('ValueInfoProto', 12),
    overload: f('string', 13),
    metadataProps: rep('StringStringEntryProto', 14),
  },
  ModelProto: {
    irVersion: f('int64', 1),
    producerName: f('string', 2),
    producerVersion: f('string', 3),
    domain: f('string', 4),
    modelVersion: f('int64', 5),
    docString: f('string', 6),
    graph: f('GraphProto', 7),
    opsetImport: rep('OperatorSetIdProto', 8),
    metadataProps: rep('StringStringEntryProto', 14),
    functions: rep('FunctionProto', 25),
  },
}

export type MessageName = keyof typeof ONNX_MESSAGES

/** A field's number on the wire, from the table above (readers that skip most of a model name only the fields they read). */
export function fieldNumber(message: string, field: string): number {
  const def = ONNX_MESSAGES[message]?.[field]
  if (!def) throw new Error(`no field ${message}.${field} in the ONNX subset`)
  return def.id
}
