import { describe, expect, it } from 'vitest'
import { NodeRegistry, validateGraph, wouldCreateCycle, checkLinkTypes, type ExecGraph } from '../../src/engine/index.js'
import { addNode, allTestNodes, numberNode, sinkNode, textNode } from './fixtures.js'

const registry = new NodeRegistry(allTestNodes)
const codes = (graph: ExecGraph) => validateGraph(graph, registry).map((i) => [i.code, i.nodeId, i.input])

describe('validateGraph', () => {
  it('accepts a well-formed graph', () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 3 } },
        { id: '2', type: 'Add', inputs: { a: { from: ['1', 'value'] }, offset: 2 } },
        { id: '3', type: 'Sink', inputs: { value: { from: ['2', 'sum'] } } },
      ],
    }
    expect(validateGraph(graph, registry)).toEqual([])
  })

  it('names node id, type and input for every kind of problem', () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Nope', inputs: {} },
        { id: '2', type: 'Add', inputs: {} },
        { id: '3', type: 'Add', inputs: { a: { from: ['99', 'value'] } } },
        { id: '4', type: 'Add', inputs: { a: { from: ['5', 'nothing'] } } },
        { id: '5', type: 'Number', inputs: { value: 'x' } },
        { id: '6', type: 'Number', inputs: { value: 1000 } },
        { id: '7', type: 'Add', inputs: { a: { from: ['8', 'text'] }, offset: 1.5 } },
        { id: '8', type: 'Text', inputs: { mode: 'c' } },
        { id: '9', type: 'Text', inputs: { bogus: 1 } },
      ],
    }
    expect(codes(graph)).toEqual([
      ['unknown-node-type', '1', undefined],
      ['missing-input', '2', 'a'],
      ['missing-link-node', '3', 'a'],
      ['missing-link-output', '4', 'a'],
      ['wrong-value-type', '5', 'value'],
      ['out-of-range', '6', 'value'],
      ['type-mismatch', '7', 'a'],
      ['wrong-value-type', '7', 'offset'],
      ['not-in-options', '8', 'mode'],
      ['unknown-input', '9', 'bogus'],
    ])
    const messages = validateGraph(graph, registry).map((i) => i.message)
    expect(messages[1]).toBe('node 2 (Add), input "a": required FLOAT input is not connected')
    expect(messages[6]).toContain('takes FLOAT but is linked to STRING from node 8 (Text).text')
    expect(messages[8]).toContain('"c" is not one of a, b')
  })

  it('reports a cycle naming the nodes in it', () => {
    const graph: ExecGraph = {
      nodes: [
        { id: 'a', type: 'Add', inputs: { a: { from: ['c', 'sum'] } } },
        { id: 'b', type: 'Add', inputs: { a: { from: ['a', 'sum'] } } },
        { id: 'c', type: 'Add', inputs: { a: { from: ['b', 'sum'] } } },
      ],
    }
    const [cycle] = validateGraph(graph, registry)
    expect(cycle?.code).toBe('cycle')
    expect(cycle?.cycle).toEqual(['a', 'c', 'b', 'a'])
    expect(cycle?.message).toBe('cycle between nodes a (Add) -> c (Add) -> b (Add) -> a (Add)')
  })

  it('checks prospective links for type and cycles', () => {
    expect(checkLinkTypes(numberNode, 'value', addNode, 'a')).toEqual({ ok: true })
    expect(checkLinkTypes(textNode, 'text', addNode, 'a')).toMatchObject({ ok: false })
    expect(checkLinkTypes(numberNode, 'value', sinkNode, 'missing')).toMatchObject({ ok: false })
    // A FLOAT output may drive a float widget.
    expect(checkLinkTypes(numberNode, 'value', numberNode, 'value')).toEqual({ ok: true })
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: {} },
        { id: '2', type: 'Add', inputs: { a: { from: ['1', 'value'] } } },
        { id: '3', type: 'Add', inputs: { a: { from: ['2', 'sum'] } } },
      ],
    }
    expect(wouldCreateCycle(graph, '3', '2')).toBe(true)
    expect(wouldCreateCycle(graph, '2', '2')).toBe(true)
    expect(wouldCreateCycle(graph, '1', '3')).toBe(false)
  })
})
