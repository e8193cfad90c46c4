// Plain-object view of an ONNX ModelProto (camelCase field names). Absent optional fields are left undefined, so a
// decoded model re-encodes to the same bytes. 64-bit integers: sizes/versions are numbers (checked to be safe
// integers); tensor int64 payloads and attribute ints are bigint so values such as INT64_MAX survive a round trip.

export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const
export type DataTypeCode = number

export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const

export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const

export interface StringStringEntry {
  key?: string
  value?: string
}

export interface OperatorSetId {
  domain?: string
  version?: number
}

export interface TensorSegment {
  begin?: number
  end?: number
}

export interface OnnxTensor {
  dims: number[]
  dataType?: DataTypeCode
  segment?: TensorSegment
  floatData: number[]
  int32Data: number[]
  stringData: Uint8Array[]
  int64Data: bigint[]
  name?: string
  /** A view into the decoded buffer (not a copy); may be unaligned for its element type. */
  rawData?: Uint8Array
  doubleData: number[]
  uint64Data: bigint[]
  docString?: string
  externalData: StringStringEntry[]
  dataLocation?: number
  metadataProps: StringStringEntry[]
}

export interface OnnxSparseTensor {
  values?: OnnxTensor
  indices?: OnnxTensor
  dims: number[]
}

export interface TensorDimension {
  dimValue?: number
  dimParam?: string
  denotation?: string
}

export interface TensorShape {
  dim: TensorDimension[]
}

export interface TypeTensor {
  elemType?: DataTypeCode
  shape?: TensorShape
}

export interface OnnxType {
  tensorType?: TypeTensor
  sequenceType?: { elemType?: OnnxType }
  mapType?: { keyType?: number; valueType?: OnnxType }
  denotation?: string
  sparseTensorType?: TypeTensor
  optionalType?: { elemType?: OnnxType }
}

export interface OnnxValueInfo {
  name?: string
  type?: OnnxType
  docString?: string
  metadataProps: StringStringEntry[]
}

export interface OnnxAttribute {
  name?: string
  f?: number
  i?: bigint
  s?: Uint8Array
  t?: OnnxTensor
  g?: OnnxGraph
  floats: number[]
  ints: bigint[]
  strings: Uint8Array[]
  tensors: OnnxTensor[]
  graphs: OnnxGraph[]
  docString?: string
  tp?: OnnxType
  typeProtos: OnnxType[]
  type?: number
  refAttrName?: string
  sparseTensor?: OnnxSparseTensor
  sparseTensors: OnnxSparseTensor[]
}

export interface OnnxNode {
  input: string[]
  output: string[]
  name?: string
  opType?: string
  attribute: OnnxAttribute[]
  docString?: string
  domain?: string
  overload?: string
  metadataProps: StringStringEntry[]
}

export interface TensorAnnotation {
  tensorName?: string
  quantParameterTensorNames: StringStringEntry[]
}

export interface OnnxGraph {
  node: OnnxNode[]
  name?: string
  initializer: OnnxTensor[]
  docString?: string
  input: OnnxValueInfo[]
  output: OnnxValueInfo[]
  valueInfo: OnnxValueInfo[]
  quantizationAnnotation: TensorAnnotation[]
  sparseInitializer: OnnxSparseTensor[]
  metadataProps: StringStringEntry[]
}

export interface OnnxFunction {
  name?: string
  input: string[]
  output: string[]
  attribute: string[]
  node: OnnxNode[]
  docString?: string
  opsetImport: OperatorSetId[]
  domain?: string
  attributeProto: OnnxAttribute[]
  valueInfo: OnnxValueInfo[]
  overload?: string
  metadataProps: StringStringEntry[]
}

export interface OnnxModel {
  irVersion?: number
  producerName?: string
  producerVersion?: string
  domain?: string
  modelVersion?: number
  docString?: string
  graph?: OnnxGraph
  opsetImport: OperatorSetId[]
  metadataProps: StringStringEntry[]
  functions: OnnxFunction[]
}
