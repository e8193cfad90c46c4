// Bypassed and muted nodes (ComfyUI's modes 4 and 2): pass-through by type, named errors, and the cache.
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ALL_OUTPUTS_SILENCED_MESSAGE,
  defineNode,
  Engine,
  GraphValidationError,
  NodeRegistry,
  output,
  planRun,
  socket,
  type ExecGraph,
  type ExecNode,
} from '../../src/engine/index.js'
import { allTestNodes, calls, resetCalls } from './fixtures.js'

/** Its first input is text, its output a number: a bypass must skip slot 0 and take the first FLOAT input. */
const mixNode = defineNode({
  type: 'Mix',
  version: 1,
  displayName: 'Mix',
  category: 'test',
  description: 'label + x',
  inputs: { label: socket('STRING'), x: socket('FLOAT') },
  outputs: { y: output('FLOAT') },
  execute: (inputs) => ({ y: inputs.x * 10 + inputs.label.length }),
})

/** No FLOAT input at all: a bypassed Measure has nothing to give for "length". */
const measureNode = defineNode({
  type: 'Measure',
  version: 1,
  displayName: 'Measure',
  category: 'test',
  description: 'length of a text',
  inputs: { text: socket('STRING') },
  outputs: { length: output('FLOAT') },
  execute: (inputs) => ({ length: inputs.text.length }),
})

const registry = new NodeRegistry([...allTestNodes, mixNode, measureNode])
const link = (id: string, out: string): { from: [string, string] } => ({ from: [id, out] })

function chain(addMode?: ExecNode['mode'], sinkMode?: ExecNode['mode']): ExecGraph {
  return {
    nodes: [
      { id: '1', type: 'Number', inputs: { value: 3 } },
      { id: '2', type: 'Add', inputs: { a: link('1', 'value'), offset: 4 }, ...(addMode ? { mode: addMode } : {}) },
      { id: '3', type: 'Sink', inputs: { value: link('2', 'sum') }, ...(sinkMode ? { mode: sinkMode } : {}) },
    ],
  }
}

async function failure(run: Promise<unknown>): Promise<GraphValidationError> {
  const error = await run.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(GraphValidationError)
  return error as GraphValidationError
}

beforeEach(resetCalls)

describe('bypass', () => {
  it('passes the matching input through and does not run the node', async () => {
    const engine = new Engine({ registry, services: {} })
    const result = await engine.run(chain('bypass'))
    expect(result.outputs.get('3')).toEqual({ seen: 3 }) // 3, not 3 + 4
    expect(result.order).toEqual(['1', '3'])
    expect(calls['Add']).toBeUndefined()
  })

  it('matches by type: an output takes the first input of its type when the same slot differs', async () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 5 } },
        { id: '2', type: 'Text', inputs: { text: 'abc' } },
        { id: '3', type: 'Mix', mode: 'bypass', inputs: { label: link('2', 'text'), x: link('1', 'value') } },
        { id: '4', type: 'Sink', inputs: { value: link('3', 'y') } },
      ],
    }
    const engine = new Engine({ registry, services: {} })
    expect((await engine.run(graph)).outputs.get('4')).toEqual({ seen: 5 })
    // Run normally, the same graph gives Mix's own result.
    const active = { nodes: graph.nodes.map(({ mode: _mode, ...n }) => n) }
    expect((await engine.run(active)).outputs.get('4')).toEqual({ seen: 53 })
  })

  it('follows a chain of bypassed nodes', async () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 2 } },
        { id: '2', type: 'Add', mode: 'bypass', inputs: { a: link('1', 'value'), offset: 1 } },
        { id: '3', type: 'Add', mode: 'bypass', inputs: { a: link('2', 'sum'), offset: 1 } },
        { id: '4', type: 'Sink', inputs: { value: link('3', 'sum') } },
      ],
    }
    expect((await new Engine({ registry, services: {} }).run(graph)).outputs.get('4')).toEqual({ seen: 2 })
  })

  it('with no input of the output type, fails naming the bypassed node and its output', async () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Text', inputs: { text: 'abc' } },
        { id: '2', type: 'Measure', mode: 'bypass', inputs: { text: link('1', 'text') } },
        { id: '3', type: 'Sink', inputs: { value: link('2', 'length') } },
      ],
    }
    const error = await failure(new Engine({ registry, services: {} }).run(graph))
    expect(error.issues.map((i) => [i.code, i.nodeId, i.input])).toEqual([['bypassed-input', '3', 'value']])
    expect(error.message).toBe(
      'node 3 (Sink), input "value": takes output "length" of node 2 (Measure), which is bypassed and has no connected input of the same type to pass on',
    )
  })

  it('an unconnected matching input passes nothing: an optional input downstream is simply empty', async () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 1 } },
        { id: '2', type: 'Add', mode: 'bypass', inputs: { offset: 1 } }, // its "a" is not connected
        { id: '3', type: 'Add', inputs: { a: link('1', 'value'), b: link('2', 'sum') } },
        { id: '4', type: 'Sink', inputs: { value: link('3', 'sum') } },
      ],
    }
    expect((await new Engine({ registry, services: {} }).run(graph)).outputs.get('4')).toEqual({ seen: 1 })
  })
})

describe('mute', () => {
  it('a muted output node does not run; the others do', async () => {
    const graph: ExecGraph = { nodes: [...chain().nodes, { id: '4', type: 'Sink', mode: 'mute', inputs: { value: link('1', 'value') } }] }
    const result = await new Engine({ registry, services: {} }).run(graph)
    expect(result.order).toEqual(['1', '2', '3'])
    expect(calls['Sink']).toBe(1)
  })

  it('with every output node muted, says there is nothing to output', async () => {
    const error = await failure(new Engine({ registry, services: {} }).run(chain(undefined, 'mute')))
    expect(error.issues.map((i) => i.code)).toEqual(['no-output-node'])
    expect(error.message).toBe(ALL_OUTPUTS_SILENCED_MESSAGE)
    expect(calls).toEqual({})
  })

  it('a node that needs a muted node fails naming it', async () => {
    const error = await failure(new Engine({ registry, services: {} }).run(chain('mute')))
    expect(error.issues.map((i) => [i.code, i.nodeId, i.input])).toEqual([['muted-input', '3', 'value']])
    expect(error.message).toBe('node 3 (Sink), input "value": takes output "sum" of node 2 (Add), which is muted')
  })

  it("a muted node's own problems do not stop the run", () => {
    const graph: ExecGraph = { nodes: [...chain().nodes, { id: '4', type: 'Add', mode: 'mute', inputs: { offset: 99 } }] }
    expect(planRun(graph, registry).issues).toEqual([])
    expect(planRun({ nodes: graph.nodes.map(({ mode: _m, ...n }) => n) }, registry).issues.map((i) => i.code)).toContain('out-of-range')
  })

  it('a run aimed at a muted node is refused, naming it', () => {
    const { issues } = planRun(chain(undefined, 'mute'), registry, ['3'])
    expect(issues.map((i) => i.message)).toEqual(['node 3 (Sink) is muted: it does not run'])
  })
})

describe('modes and the cache', () => {
  it('bypassing re-runs what is downstream; switching back serves the kept result', async () => {
    const engine = new Engine({ registry, services: {} })
    const first = await engine.run(chain())
    expect(first.nodesRun).toEqual(['1', '2', '3'])
    const bypassed = await engine.run(chain('bypass'))
    expect(bypassed.nodesCached).toEqual(['1'])
    expect(bypassed.nodesRun).toEqual(['3'])
    expect(bypassed.outputs.get('3')).toEqual({ seen: 3 })
    const back = await engine.run(chain())
    // Add's result was kept while it was bypassed; only the sink, whose input changed twice, runs again.
    expect(back.nodesCached).toEqual(['1', '2'])
    expect(back.nodesRun).toEqual(['3'])
    expect(back.outputs.get('3')).toEqual({ seen: 7 })
  })

  it('muting one output leaves the other cached', async () => {
    const engine = new Engine({ registry, services: {} })
    const two: ExecGraph = { nodes: [...chain().nodes, { id: '4', type: 'Sink', inputs: { value: link('1', 'value') } }] }
    await engine.run(two)
    const muted = await engine.run({ nodes: two.nodes.map((n) => (n.id === '4' ? { ...n, mode: 'mute' as const } : n)) })
    expect(muted.order).toEqual(['1', '2', '3'])
    expect(muted.nodesRun).toEqual([])
  })
})
