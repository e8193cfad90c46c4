// @vitest-environment happy-dom
// Issue 14 §9 on the canvas: a node saved by a newer build (version 99) was written back as version 1, and a canvas
// with unusable coordinates saved null positions that the editor then refused to reopen. Now the loaded version is
// kept, and the save's round trip check names what would not read back.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { LGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { checkLoadable, fileToGraph, graphToFile } from '../../src/editor/document.js'
import { registerNodeTypes } from '../../src/editor/node-types.js'
import { readBackProblem } from '../../src/editor/save-check.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { ROOT } from '../cli/run-cli.js'

const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
const base = parseGraphFile(readFileSync(join(ROOT, 'graphs', 'tiny-sd15-4step.json'), 'utf8'))

beforeAll(() => registerNodeTypes(nodeDefinitions))

function onCanvas(file: GraphFile): LGraph {
  checkLoadable(file, definitions)
  const graph = new LGraph()
  fileToGraph(file, graph)
  return graph
}

describe('saving from the canvas (issue 14 §9)', () => {
  it('keeps the version of a node saved by a newer build', () => {
    const newer = { ...base, nodes: base.nodes.map((n) => (n.type === 'VAEDecode' ? { ...n, version: 99 } : n)) }
    const saved = graphToFile(onCanvas(newer))
    expect(saved.nodes.find((n) => n.type === 'VAEDecode')?.version).toBe(99)
    expect(saved.nodes.find((n) => n.type === 'SaveImage')?.version).toBe(1)
  })

  it('a graph whose coordinates broke is refused on save, naming the field; a sound one reads back', () => {
    const graph = onCanvas(base)
    expect(readBackProblem(serializeGraphFile(graphToFile(graph)), definitions)).toBeNull()
    graph.getNodeById(3)!.pos = [Number.NaN, Infinity]
    const text = serializeGraphFile(graphToFile(graph))
    expect(text).toContain('null') // what the editor used to write
    expect(readBackProblem(text, definitions)).toMatch(/layout\.nodes\["3"\]\.pos\[0\]: missing/)
  })
})
