// Queries and edits on a decoded graph: initializers, nodes, inputs. All edits mutate the graph in place.

import { dtypeName, externalDataRef, type ExternalDataRef, type TensorDTypeName, setTensorData, type TensorValues } from './tensor-data.js'
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './types.js'

export function requireGraph(model: OnnxModel): OnnxGraph {
  if (!model.graph) throw new Error('ONNX model has no graph')
  return model.graph
}

export interface InitializerInfo {
  name: string
  dims: number[]
  dtype: TensorDTypeName | `unknown(${number})`
  /** Set when the data lives in an external file; otherwise the data is inline (raw_data or typed fields). */
  external?: ExternalDataRef
  tensor: OnnxTensor
}

export function listInitializers(graph: OnnxGraph): InitializerInfo[] {
  return graph.initializer.map((tensor) => {
    const info: InitializerInfo = { name: tensor.name ?? '', dims: tensor.dims, dtype: dtypeName(tensor.dataType), tensor }
    const external = externalDataRef(tensor)
    if (external) info.external = external
    return info
  })
}

export function findInitializer(graph: OnnxGraph, name: string): OnnxTensor | undefined {
  return graph.initializer.find((t) => t.name === name)
}

export function requireInitializer(graph: OnnxGraph, name: string): OnnxTensor {
  const tensor = findInitializer(graph, name)
  if (!tensor) throw new Error(`ONNX graph "${graph.name ?? ''}" has no initializer "${name}"`)
  return tensor
}

export interface NodeQuery {
  name?: string | RegExp
  opType?: string
  /** Matches nodes that read this tensor name. */
  input?: string
  /** Matches nodes that write this tensor name. */
  output?: string
}

function matches(value: string | undefined, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? value === pattern : pattern.test(value ?? '')
}

export function findNodes(graph: OnnxGraph, query: NodeQuery): OnnxNode[] {
  return graph.node.filter(
    (n) =>
      (query.name === undefined || matches(n.name, query.name)) &&
      (query.opType === undefined || n.opType === query.opType) &&
      (query.input === undefined || n.input.includes(query.input)) &&
      (query.output === undefined || n.output.includes(query.output)),
  )
}

export function findNode(graph: OnnxGraph, name: string): OnnxNode | undefined {
  return graph.node.find((n) => n.name === name)
}

/** The node that produces `tensorName`, if any (graph inputs and initializers have none). */
export function producerOf(graph: OnnxGraph, tensorName: string): OnnxNode | undefined {
  return graph.node.find((n) => n.output.includes(tensorName))
}

export function consumersOf(graph: OnnxGraph, tensorName: string): OnnxNode[] {
  return findNodes(graph, { input: tensorName })
}

export function setInitializerData(graph: OnnxGraph, name: string, values: TensorValues, dataType?: number): void {
  setTensorData(requireInitializer(graph, name), values, dataType)
}

function assertNewName(graph: OnnxGraph, name: string | undefined, what: string): void {
  if (!name) throw new Error(`cannot add ${what} without a name`)
  const taken =
    graph.initializer.some((t) => t.name === name) ||
    graph.input.some((v) => v.name === name) ||
    graph.node.some((n) => n.output.includes(name))
  if (taken) throw new Error(`cannot add ${what} "${name}": the name is already used in graph "${graph.name ?? ''}"`)
}

export function addInitializer(graph: OnnxGraph, tensor: OnnxTensor): void {
  assertNewName(graph, tensor.name, 'initializer')
  graph.initializer.push(tensor)
}

export function addGraphInput(graph: OnnxGraph, input: OnnxValueInfo): void {
  assertNewName(graph, input.name, 'graph input')
  graph.input.push(input)
}

export function addGraphOutput(graph: OnnxGraph, output: OnnxValueInfo): void {
  graph.output.push(output)
}

/**
 * Adds nodes. ONNX requires topological order, so pass `before` (a node already in the graph, typically the first
 * consumer of the new nodes' outputs) to insert ahead of it; otherwise they are appended.
 */
export function addNodes(graph: OnnxGraph, nodes: OnnxNode[], before?: OnnxNode): void {
  for (const node of nodes) for (const output of node.output) assertNewName(graph, output, `node output of ${node.name ?? node.opType}`)
  const index = before ? graph.node.indexOf(before) : -1
  if (before && index < 0) throw new Error(`node "${before.name ?? ''}" is not in graph "${graph.name ?? ''}"`)
  if (index < 0) graph.node.push(...nodes)
  else graph.node.splice(index, 0, ...nodes)
}

/** Rewires every node reading `from` to read `to` instead (nodes in `except` and graph outputs are left alone). */
export function replaceInputEverywhere(graph: OnnxGraph, from: string, to: string, except: readonly OnnxNode[] = []): void {
  for (const node of graph.node) {
    if (except.includes(node)) continue
    node.input = node.input.map((name) => (name === from ? to : name))
  }
}
