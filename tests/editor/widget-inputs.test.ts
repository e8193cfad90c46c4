// @vitest-environment happy-dom
// "Convert widget to input" and back: derived from the declaration (`linkable`), kept through the graph file.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkLoadable, fileToGraph, graphToFile, GraphLoadError } from '../../src/editor/document.js'
import { isSpecNode, registerNodeTypes, type SpecNode } from '../../src/editor/node-types.js'
import { convertedWidgets, convertibleWidgets, inputToWidget, widgetToInput } from '../../src/editor/widget-inputs.js'
import { defineNode, float, NodeRegistry, output, socket, validateGraph, type AnyNodeDefinition } from '../../src/engine/index.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { nodeDefinitions } from '../../nodes/index.js'

const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
const defaultGraph = parseGraphFile(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8'))

beforeAll(() => registerNodeTypes(nodeDefinitions))

/** The default graph with the sampler's cfg fed by a SceneScore's FLOAT output. */
function cfgFromScore(): GraphFile {
  const file = structuredClone(defaultGraph)
  file.nodes.push({ id: '20', type: 'SceneScore', version: 1, inputs: { image: { from: ['5', 'image'] } } })
  file.nodes.find((n) => n.id === '4')!.inputs['cfg'] = { from: ['20', 'score'] }
  return file
}

function sampler(graph: LGraph): SpecNode {
  const node = graph.getNodeById(4)
  if (!isSpecNode(node)) throw new Error('no sampler')
  return node
}

describe('widgets converted to inputs', () => {
  it('offers every canvas widget, turns it into a socket of its value type, and back', () => {
    const graph = new LGraph()
    checkLoadable(defaultGraph, definitions)
    fileToGraph(defaultGraph, graph)
    const node = sampler(graph)
    expect(convertibleWidgets(node)).toEqual(['steps', 'scheduler', 'eta', 'cfg', 'seed', 'denoise'])
    expect(widgetToInput(node, 'cfg')).toBe(true)
    expect(node.inputs.find((i) => i.name === 'cfg')?.type).toBe('FLOAT')
    expect(node.widgets!.find((w) => w.name === 'cfg')!.hidden).toBe(true)
    expect(convertedWidgets(node)).toEqual(['cfg'])
    expect(convertibleWidgets(node)).not.toContain('cfg')
    expect(widgetToInput(node, 'cfg')).toBe(false) // already an input
    expect(widgetToInput(node, 'guidance_rescale')).toBe(false) // advanced: no widget on the canvas
    // Unconnected, the value it had is still saved.
    expect(graphToFile(graph).nodes.find((n) => n.id === '4')!.inputs['cfg']).toBe(1)
    expect(inputToWidget(node, 'cfg')).toBe(true)
    expect(node.inputs.some((i) => i.name === 'cfg')).toBe(false)
    expect(node.widgets!.find((w) => w.name === 'cfg')!.hidden).toBeFalsy()
  })

  it('a widget converted to an input and not wired yet stays a socket through save and load', () => {
    const graph = new LGraph()
    fileToGraph(defaultGraph, graph)
    widgetToInput(sampler(graph), 'eta')
    const saved = parseGraphFile(JSON.stringify(graphToFile(graph)))
    expect(saved.layout!.nodes!['4']!.sockets).toEqual(['eta'])
    // Its value is still saved, for when it becomes a widget again.
    expect(saved.nodes.find((n) => n.id === '4')!.inputs['eta']).toBe(sampler(graph).widgets!.find((w) => w.name === 'eta')!.value)
    const again = new LGraph()
    fileToGraph(saved, again)
    expect(convertedWidgets(sampler(again))).toEqual(['eta'])
    // Once wired, the link says it all: no sockets entry.
    const linked = new LGraph()
    fileToGraph(cfgFromScore(), linked)
    expect(graphToFile(linked).layout!.nodes!['4']!.sockets).toBeUndefined()
  })

  it('a file linking into a widget loads with that widget as a socket, and saves the link back', () => {
    const file = cfgFromScore()
    checkLoadable(file, definitions)
    const graph = new LGraph()
    fileToGraph(file, graph)
    expect(convertedWidgets(sampler(graph))).toEqual(['cfg'])
    expect(graphToFile(graph).nodes.find((n) => n.id === '4')!.inputs['cfg']).toEqual({ from: ['20', 'score'] })
    // Back to a widget: the link goes, the widget's value is saved again.
    inputToWidget(sampler(graph), 'cfg')
    const saved = graphToFile(graph)
    expect(saved.nodes.find((n) => n.id === '4')!.inputs['cfg']).toBe(1)
    expect(graph.links.size).toBe(countLinks(defaultGraph) + 1) // the score's image link; cfg's is gone
  })

  it('a declaration can refuse links into a value (linkable: false): loading and validation both say so', () => {
    const fixed = defineNode({
      type: 'FixedCfg',
      version: 1,
      displayName: 'Fixed',
      category: 'test',
      description: 'cfg that takes no link',
      inputs: { cfg: float({ default: 1, linkable: false }), any: float({ default: 0 }) },
      outputs: { out: output('FLOAT') },
      execute: (i) => ({ out: i.cfg }),
    })
    const source = defineNode({ type: 'Src', version: 1, displayName: 'Src', category: 'test', description: '', inputs: { x: socket('FLOAT') }, outputs: { y: output('FLOAT') }, execute: (i) => ({ y: i.x }) })
    const registry = new NodeRegistry([fixed, source])
    const issues = validateGraph({ nodes: [{ id: '1', type: 'Src', inputs: {} }, { id: '2', type: 'FixedCfg', inputs: { cfg: { from: ['1', 'y'] }, any: { from: ['1', 'y'] } } }] }, registry)
    expect(issues.filter((i) => i.nodeId === '2').map((i) => [i.input, i.message])).toEqual([['cfg', 'node 2 (FixedCfg), input "cfg": takes a value, not a link (linked to node 1 (Src).y)']])
    // Loading: the same link into the linkable: false value is refused, while one into its linkable twin loads.
    const fileWith = (inputs: GraphFile['nodes'][number]['inputs']): GraphFile => ({
      ...structuredClone(defaultGraph),
      nodes: [{ id: '1', type: 'Src', version: 1, inputs: {} }, { id: '2', type: 'FixedCfg', version: 1, inputs }],
    })
    const testDefinitions = new Map<string, AnyNodeDefinition>([[fixed.type, fixed], [source.type, source]])
    expect(() => checkLoadable(fileWith({ any: { from: ['1', 'y'] } }), testDefinitions)).not.toThrow()
    expect(() => checkLoadable(fileWith({ cfg: { from: ['1', 'y'] } }), testDefinitions)).toThrow(GraphLoadError)
    expect(() => checkLoadable(fileWith({ cfg: { from: ['1', 'y'] } }), testDefinitions)).toThrow(/node 2 \(FixedCfg\), input "cfg": this value cannot be fed by a link/)
  })
})

function countLinks(file: GraphFile): number {
  return file.nodes.reduce((sum, n) => sum + Object.values(n.inputs).filter((v) => typeof v === 'object' && v !== null).length, 0)
}
