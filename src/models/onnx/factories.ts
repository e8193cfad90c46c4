// Constructors for ONNX objects with every repeated field present, so callers only name what they set.

import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo, TensorDimension } from './types.js'
import { AttributeType } from './types.js'

/** A tensor; `name` may be omitted for Constant node values, which torch leaves unnamed. */
export function makeTensor(fields: Partial<OnnxTensor> & { dims: number[]; dataType: number }): OnnxTensor {
  return {
    floatData: [],
    int32Data: [],
    stringData: [],
    int64Data: [],
    doubleData: [],
    uint64Data: [],
    externalData: [],
    metadataProps: [],
    ...fields,
  }
}

function emptyAttribute(name: string, type: number): OnnxAttribute {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [], typeProtos: [], sparseTensors: [] }
}

/** Marks a number as a FLOAT attribute even when it is integral (Gemm alpha=1.0). */
export interface FloatAttributeValue {
  readonly float: number
}

export function floatAttr(value: number): FloatAttributeValue {
  return { float: value }
}

export type AttributeValue = number | string | readonly number[] | readonly bigint[] | bigint | OnnxTensor | FloatAttributeValue

/**
 * An attribute from a JS value: integers -> INT, non-integers or floatAttr() -> FLOAT, number arrays -> INTS (or FLOATS when
 * `floats` is set or any element is fractional), strings -> STRING, tensors -> TENSOR.
 */
export function makeAttribute(name: string, value: AttributeValue, options: { floats?: boolean } = {}): OnnxAttribute {
  if (typeof value === 'object' && 'float' in value) return { ...emptyAttribute(name, AttributeType.FLOAT), f: value.float }
  if (typeof value === 'bigint') return { ...emptyAttribute(name, AttributeType.INT), i: value }
  if (typeof value === 'number') {
    return Number.isInteger(value) && !options.floats
      ? { ...emptyAttribute(name, AttributeType.INT), i: BigInt(value) }
      : { ...emptyAttribute(name, AttributeType.FLOAT), f: value }
  }
  if (typeof value === 'string') return { ...emptyAttribute(name, AttributeType.STRING), s: new TextEncoder().encode(value) }
  if (Array.isArray(value)) {
    const list = value as readonly (number | bigint)[]
    const asFloats = options.floats || list.some((v) => typeof v === 'number' && !Number.isInteger(v))
    return asFloats
      ? { ...emptyAttribute(name, AttributeType.FLOATS), floats: list.map(Number) }
      : { ...emptyAttribute(name, AttributeType.INTS), ints: list.map((v) => BigInt(v)) }
  }
  return { ...emptyAttribute(name, AttributeType.TENSOR), t: value as OnnxTensor }
}

export function makeNode(fields: Partial<OnnxNode> & { opType: string; input: string[]; output: string[] }): OnnxNode {
  return { attribute: [], metadataProps: [], ...fields }
}

/** A tensor-typed graph input/output. Dims: a number, or a string for a symbolic (dynamic) dimension. */
export function makeValueInfo(name: string, elemType: number, dims: readonly (number | string)[]): OnnxValueInfo {
  const dim: TensorDimension[] = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  return { name, type: { tensorType: { elemType, shape: { dim } } }, metadataProps: [] }
}

export function makeGraph(name: string): OnnxGraph {
  return {
    name,
    node: [],
    initializer: [],
    input: [],
    output: [],
    valueInfo: [],
    quantizationAnnotation: [],
    sparseInitializer: [],
    metadataProps: [],
  }
}

export function makeModel(graph: OnnxGraph, options: { irVersion: number; opset: number; producerName?: string; producerVersion?: string }): OnnxModel {
  return {
    irVersion: options.irVersion,
    producerName: options.producerName,
    producerVersion: options.producerVersion,
    graph,
    opsetImport: [{ domain: '', version: options.opset }],
    metadataProps: [],
    functions: [],
  }
}
