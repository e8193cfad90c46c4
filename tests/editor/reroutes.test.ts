// @vitest-environment happy-dom
// Litegraph's native reroutes through the graph file: before, the editor let Alt+click make them but saved none, so
// undo, autosave, a reload or a saved file dropped every one.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LGraph, type LGraphNode } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { arrangeNodes } from '../../src/editor/arrange.js'
import { fileToGraph, graphToFile } from '../../src/editor/document.js'
import { registerNodeTypes } from '../../src/editor/node-types.js'
import { toExecGraph } from '../../src/graph/exec.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import { nodeDefinitions } from '../../nodes/index.js'

const defaultGraph = parseGraphFile(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8'))

beforeAll(() => registerNodeTypes(nodeDefinitions))

function linkInto(graph: LGraph, nodeId: number, input: string) {
  const node = graph.getNodeById(nodeId) as LGraphNode
  const link = graph.links.get(node.inputs.find((i) => i.name === input)!.link!)
  if (!link) throw new Error(`no link into ${nodeId}.${input}`)
  return link
}

/** The default graph with two reroutes on the sampler's latent into VAE Decode, and one on Load Pipeline's vae into it. */
function rerouted(): LGraph {
  const graph = new LGraph()
  fileToGraph(defaultGraph, graph)
  const nearInput = graph.createReroute([900, 300], linkInto(graph, 5, 'latent'))
  // `createReroute(pos, before)` puts the new reroute before `before`, on the output's side of it.
  graph.createReroute([850, 320], nearInput)
  graph.createReroute([400, 500], linkInto(graph, 5, 'vae'))
  return graph
}

describe('reroutes in the graph file', () => {
  it('are saved with their links and come back from the file as they were', () => {
    const graph = rerouted()
    const file = graphToFile(graph)
    expect(file.layout!.reroutes).toHaveLength(3)
    expect(Object.keys(file.layout!.nodes!['5']!.reroutes!).sort()).toEqual(['latent', 'vae'])
    // Through the file's text and back onto a new canvas: the same file again.
    const text = serializeGraphFile(file)
    const again = new LGraph()
    fileToGraph(parseGraphFile(text), again)
    expect(serializeGraphFile(graphToFile(again))).toBe(text)
    expect(again.reroutes.size).toBe(3)
    const chain = (g: LGraph) => {
      const ids: number[] = []
      for (let r = linkInto(g, 5, 'latent').parentId; r !== undefined; r = g.reroutes.get(r)!.parentId) ids.push(r)
      return ids.map((id) => [...g.reroutes.get(id)!.pos])
    }
    expect(chain(again)).toEqual(chain(graph))
    expect(chain(again)).toHaveLength(2)
    // Each reroute knows the links through it, as litegraph needs to draw and drag them.
    const latentId = linkInto(again, 5, 'latent').id
    for (let r = linkInto(again, 5, 'latent').parentId; r !== undefined; r = again.reroutes.get(r)!.parentId) {
      expect([...again.reroutes.get(r)!.linkIds]).toEqual([latentId])
    }
  })

  it('change nothing a graph computes', () => {
    const plain = new LGraph()
    fileToGraph(defaultGraph, plain)
    expect(toExecGraph(graphToFile(rerouted()))).toEqual(toExecGraph(graphToFile(plain)))
  })

  it('left on no link (the node it led to removed) are not saved', () => {
    const graph = rerouted()
    graph.remove(graph.getNodeById(5)!)
    const file = graphToFile(graph)
    expect(file.layout!.reroutes).toBeUndefined()
  })

  it('a file without reroutes saves none: the shipped graphs come back byte for byte', () => {
    const graph = new LGraph()
    fileToGraph(defaultGraph, graph)
    expect(graphToFile(graph).layout!.reroutes).toBeUndefined()
  })

  it('Arrange spreads a moved link’s reroutes between its new ends', () => {
    const graph = rerouted()
    arrangeNodes(graph, [])
    const link = linkInto(graph, 5, 'latent')
    const from = graph.getNodeById(link.origin_id)!.getOutputPos(link.origin_slot)
    const to = graph.getNodeById(5)!.getInputPos(link.target_slot)
    for (let r = link.parentId; r !== undefined; r = graph.reroutes.get(r)!.parentId) {
      const [x, y] = graph.reroutes.get(r)!.pos
      expect(x).toBeGreaterThan(from[0]!)
      expect(x).toBeLessThan(to[0]!)
      expect(y).toBeGreaterThanOrEqual(Math.min(from[1]!, to[1]!) - 0.01)
      expect(y).toBeLessThanOrEqual(Math.max(from[1]!, to[1]!) + 0.01)
    }
  })
})
