// @vitest-environment happy-dom
// litegraph node types derived from the node declarations, and the graph file <-> canvas conversion.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LGraph, LiteGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkLoadable, fileToGraph, graphToFile, GraphLoadError } from '../../src/editor/document.js'
import { IMAGE_AREA_HEIGHT, isSpecNode, registerNodeTypes, seedControlName, showsImages } from '../../src/editor/node-types.js'
import { isSocket, isWidget } from '../../src/engine/spec.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { nextSeed } from '../../src/stores/seed-control.js'
import { nodeDefinitions } from '../../nodes/index.js'

const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
const defaultGraph = parseGraphFile(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8'))

beforeAll(() => registerNodeTypes(nodeDefinitions))

describe('node types from declarations', () => {
  it('opens Save Image, Preview Image, Load Image and Load Image (as Mask) with room for an image below their widgets, and no other node', () => {
    expect(nodeDefinitions.filter(showsImages).map((d) => d.type).sort()).toEqual(['LoadImage', 'LoadImageMask', 'PreviewImage', 'SaveImage'])
    for (const def of nodeDefinitions) {
      const node = LiteGraph.createNode(def.type)!
      // Where node-overlay.ts draws an image: below the slots and widgets.
      const belowWidgets = node.size[1] - (Math.max(node.inputs.length, node.outputs.length) + (node.widgets?.length ?? 0)) * LiteGraph.NODE_SLOT_HEIGHT - 12
      if (showsImages(def)) {
        expect(belowWidgets, def.type).toBeGreaterThanOrEqual(IMAGE_AREA_HEIGHT - 30)
        expect(node.size[0], def.type).toBeGreaterThanOrEqual(IMAGE_AREA_HEIGHT)
      } else expect(belowWidgets, def.type).toBeLessThan(IMAGE_AREA_HEIGHT / 2)
    }
  })

  it('gives every declared node its sockets, outputs and widgets, with ranges from the specs', () => {
    for (const def of nodeDefinitions) {
      const node = LiteGraph.createNode(def.type)
      expect(isSpecNode(node), def.type).toBe(true)
      if (!isSpecNode(node)) continue
      const sockets = Object.entries(def.inputs).filter(([, s]) => isSocket(s))
      expect(node.inputs.map((i) => [i.name, i.type])).toEqual(sockets.map(([n, s]) => [n, isSocket(s) ? s.type : '']))
      expect(node.outputs.map((o) => [o.name, o.type])).toEqual(Object.entries(def.outputs).map(([n, o]) => [n, o.type]))
      for (const [name, spec] of Object.entries(def.inputs)) {
        if (!isWidget(spec)) continue
        const widget = node.widgets?.find((w) => w.name === name)
        if (spec.advanced) {
          expect(widget, `${def.type}.${name} is advanced`).toBeUndefined()
          expect(node.widgetValues()[name]).toEqual(spec.default)
          continue
        }
        expect(widget, `${def.type}.${name}`).toBeDefined()
        expect(widget!.value).toEqual(spec.default)
        if (spec.kind === 'int' || spec.kind === 'float') {
          expect(widget!.options.min).toBe(spec.min)
          expect(widget!.options.max).toBe(spec.max)
        }
        if (spec.kind === 'combo') expect(widget!.options.values).toEqual(spec.options)
        if (spec.kind === 'seed') expect(node.widgets?.find((w) => w.name === seedControlName(name))?.value).toBe(spec.controlAfterRun)
      }
    }
  })
})

describe('graph file <-> canvas', () => {
  it('round-trips the default graph: ids, types, inputs and links', () => {
    const graph = new LGraph()
    checkLoadable(defaultGraph, definitions)
    fileToGraph(defaultGraph, graph)
    const back = graphToFile(graph)
    const strip = (nodes: typeof defaultGraph.nodes) => nodes.map((n) => ({ id: n.id, type: n.type, inputs: n.inputs })).sort((a, b) => a.id.localeCompare(b.id))
    expect(strip(back.nodes)).toEqual(strip(defaultGraph.nodes))
    expect(back.layout?.groups?.map((g) => g.title)).toEqual(defaultGraph.layout?.groups?.map((g) => g.title))
    for (const node of defaultGraph.nodes) expect(back.layout?.nodes?.[node.id]?.pos).toEqual(defaultGraph.layout?.nodes?.[node.id]?.pos)
  })

  it('refuses unknown inputs and dangling links, naming the node; unknown types load (as placeholders)', () => {
    const withNode = (node: object) => ({ ...defaultGraph, nodes: [...defaultGraph.nodes, node] }) as typeof defaultGraph
    expect(() => checkLoadable(withNode({ id: '99', type: 'Nope', version: 1, inputs: {} }), definitions)).not.toThrow()
    expect(() => checkLoadable(withNode({ id: '99', type: 'VAEDecode', version: 1, inputs: { bogus: 1 } }), definitions)).toThrow(/node 99 \(VAEDecode\): unknown input "bogus"/)
    expect(() => checkLoadable(withNode({ id: '99', type: 'VAEDecode', version: 1, inputs: { vae: { from: ['404', 'vae'] } } }), definitions)).toThrow(GraphLoadError)
    expect(() => checkLoadable(withNode({ id: '99', type: 'VAEDecode', version: 1, inputs: { vae: { from: ['1', 'nothing'] } } }), definitions)).toThrow(/has no output "nothing"/)
  })
})

describe('seed control after run', () => {
  it('keeps, steps and wraps, or randomises within range', () => {
    expect(nextSeed(5, 'fixed', 0, 10)).toBe(5)
    expect(nextSeed(5, 'increment', 0, 10)).toBe(6)
    expect(nextSeed(10, 'increment', 0, 10)).toBe(0)
    expect(nextSeed(0, 'decrement', 0, 10)).toBe(10)
    const draws = [0.999999, 0.5, 0, 0.25]
    let i = 0
    const value = nextSeed(5, 'randomize', 0, 2 ** 53 - 1, () => draws[i++ % draws.length]!)
    expect(value).toBeGreaterThanOrEqual(0)
    expect(value).toBeLessThanOrEqual(2 ** 53 - 1)
    expect(Number.isSafeInteger(value)).toBe(true)
  })
})
