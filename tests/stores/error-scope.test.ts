// Which run errors an edit makes stale: the touched node's, and graph-wide ones on any change.
import { describe, expect, it } from 'vitest'
import type { ExecGraph } from '../../src/engine/graph.js'
import { errorsAfterEdit, touchedNodeIds } from '../../src/stores/error-scope.js'

const failed: ExecGraph = {
  nodes: [
    { id: '1', type: 'Number', inputs: { value: 1 } },
    { id: '2', type: 'Add', inputs: { offset: 2 } }, // its input "a" was unlinked: the run failed here
    { id: '3', type: 'Sink', inputs: { value: { from: ['2', 'sum'] } } },
  ],
}
const errors = {
  issues: [{ message: 'node 2 (Add), input "a": required FLOAT input is not connected', nodeId: '2', nodeType: 'Add', input: 'a' }],
  nodeStates: { '1': 'done', '2': 'error' } as const,
  message: 'node 2 (Add), input "a": required FLOAT input is not connected',
}

describe('errorsAfterEdit', () => {
  it('clears a node error when that node\'s links change (undoing the unlink)', () => {
    const undone: ExecGraph = { nodes: [failed.nodes[0]!, { id: '2', type: 'Add', inputs: { offset: 2, a: { from: ['1', 'value'] } } }, failed.nodes[2]!] }
    expect([...touchedNodeIds(failed, undone)]).toEqual(['2'])
    expect(errorsAfterEdit(failed, undone, errors)).toEqual({ issues: [], nodeStates: { '1': 'done' }, message: null })
  })

  it('clears it when the node is removed or a widget value changes', () => {
    const removed: ExecGraph = { nodes: [failed.nodes[0]!, failed.nodes[2]!] }
    expect(errorsAfterEdit(failed, removed, errors).message).toBeNull()
    const edited: ExecGraph = { nodes: [failed.nodes[0]!, { id: '2', type: 'Add', inputs: { offset: 3 } }, failed.nodes[2]!] }
    expect(errorsAfterEdit(failed, edited, errors).issues).toEqual([])
  })

  it('keeps the error when an edit touches other nodes only, or nothing the engine sees', () => {
    const other: ExecGraph = { nodes: [{ id: '1', type: 'Number', inputs: { value: 5 } }, failed.nodes[1]!, failed.nodes[2]!] }
    expect(errorsAfterEdit(failed, other, errors)).toEqual({ ...errors, nodeStates: { '1': 'done', '2': 'error' } })
    expect(errorsAfterEdit(failed, failed, errors)).toBe(errors)
  })

  it('clears a graph-wide error (no output node) on any change', () => {
    const noOutput = { issues: [{ message: 'the graph has no output node: add Save Image or Preview Image' }], nodeStates: {}, message: 'the graph has no output node' }
    const added: ExecGraph = { nodes: [...failed.nodes, { id: '4', type: 'Sink', inputs: {} }] }
    expect(errorsAfterEdit(failed, added, noOutput)).toEqual({ issues: [], nodeStates: {}, message: null })
  })
})
