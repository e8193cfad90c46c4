// @vitest-environment happy-dom
// A file with more nodes than the canvas holds (litegraph stops adding at MAX_NUMBER_OF_NODES) is refused whole,
// before the open graph is touched, instead of leaving part of it on screen (issue 14 §2).
import { LGraph, LiteGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkLoadable, fileToGraph, GraphLoadError } from '../../src/editor/document.js'
import { registerNodeTypes } from '../../src/editor/node-types.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { nodeDefinitions } from '../../nodes/index.js'

const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
beforeAll(() => registerNodeTypes(nodeDefinitions))

function notes(count: number): GraphFile {
  return {
    format: 'hyper-sd-studio/graph',
    version: 1,
    nodes: Array.from({ length: count }, (_, i) => ({ id: String(i + 1), type: 'Note', version: 1, inputs: { text: `note ${i + 1}` } })),
  } as GraphFile
}

describe('the canvas node limit', () => {
  it('refuses a file over the limit, naming both counts, before anything is loaded', () => {
    const over = LiteGraph.MAX_NUMBER_OF_NODES + 1
    expect(() => checkLoadable(notes(over), definitions)).toThrow(GraphLoadError)
    expect(() => checkLoadable(notes(over), definitions)).toThrow(`the file has ${over} nodes; the canvas holds at most ${LiteGraph.MAX_NUMBER_OF_NODES}`)
  })

  it('loads a file at the limit whole (the limit lowered to 50 so the test stays fast)', () => {
    const limit = LiteGraph.MAX_NUMBER_OF_NODES
    LiteGraph.MAX_NUMBER_OF_NODES = 50
    try {
      const graph = new LGraph()
      checkLoadable(notes(50), definitions)
      fileToGraph(notes(50), graph)
      expect(graph._nodes.length).toBe(50)
      expect(() => checkLoadable(notes(51), definitions)).toThrow('the file has 51 nodes; the canvas holds at most 50')
    } finally {
      LiteGraph.MAX_NUMBER_OF_NODES = limit
    }
  })
})
