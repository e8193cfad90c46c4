// @vitest-environment happy-dom
// Nodes a file gives no position are placed by the editor in columns along their links, including a node whose
// layout entry carries only its seed control (an API prompt exported with our metadata and imported again). Before,
// the importer gave such a node the position [0, 0], and the editor stacked every other node below it.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LGraph, LiteGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { fileToGraph } from '../../src/editor/document.js'
import { registerNodeTypes } from '../../src/editor/node-types.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { exportComfyPrompt } from '../../src/graph/comfyui-export.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { isGraphLink } from '../../src/graph/schema.js'
import { NodeRegistry } from '../../src/engine/index.js'
import { nodeDefinitions } from '../../nodes/index.js'

const registry = new NodeRegistry(nodeDefinitions)
const base = parseGraphFile(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8'))

beforeAll(() => registerNodeTypes(nodeDefinitions))

describe('nodes without a position', () => {
  it('an API prompt with a seed control comes back with the control and no position, and opens laid out', () => {
    const file = structuredClone(base)
    file.layout!.nodes!['4'] = { ...file.layout!.nodes!['4']!, controls: { seed: 'increment' } }
    const { document } = exportComfyPrompt(file, { describe: (type) => registry.get(type) })
    const { graph: imported } = importComfyUI(JSON.stringify(document), 'prompt.json')
    expect(imported.layout?.nodes?.['4']).toEqual({ controls: { seed: 'increment' } })

    const graph = new LGraph()
    fileToGraph(imported, graph)
    const title = LiteGraph.NODE_TITLE_HEIGHT
    const box = (id: string) => {
      const n = graph.getNodeById(Number(id))!
      return { x: n.pos[0], y: n.pos[1] - title, w: n.size[0], h: n.size[1] + title }
    }
    const ids = imported.nodes.map((n) => n.id)
    ids.forEach((a, i) => {
      for (const b of ids.slice(i + 1)) {
        const [p, q] = [box(a), box(b)]
        expect(p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h, `${a} overlaps ${b}`).toBe(false)
      }
    })
    for (const node of imported.nodes) {
      for (const value of Object.values(node.inputs)) {
        if (!isGraphLink(value)) continue
        const [from, to] = [box(value.from[0]), box(node.id)]
        expect(from.x + from.w, `${value.from[0]} -> ${node.id}`).toBeLessThan(to.x)
      }
    }
    // The control itself still applies.
    const sampler = graph.getNodeById(4)!
    expect(sampler.widgets!.find((w) => w.name === 'seed control')?.value).toBe('increment')
  })
})
