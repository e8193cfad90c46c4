// A ComfyUI workflow's link routing survives import and export: native reroutes (0.4 `extra.reroutes` and
// `extra.linkExtensions`, schema 1 `reroutes` and links' `parentId`) and legacy Reroute nodes become the graph file's
// reroutes; our reroutes are written back as native ones. Before, the import dropped them without a word.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { NodeRegistry } from '../../src/engine/index.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { exportComfyWorkflow } from '../../src/graph/comfyui-export.js'
import { computeLoadRepairs } from '../../src/graph/load-repairs.js'
import type { GraphFile } from '../../src/graph/schema.js'

const read = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./fixtures/comfyui/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>
const registry = new NodeRegistry(nodeDefinitions)
const describeType = (type: string) => registry.get(type)

/** The points an input's link is drawn through, from the output's side. */
function chain(graph: GraphFile, nodeId: string, input: string): number[][] {
  const reroutes = new Map((graph.layout?.reroutes ?? []).map((r) => [r.id, r]))
  const points: number[][] = []
  for (let r = graph.layout?.nodes?.[nodeId]?.reroutes?.[input]; r !== undefined; r = reroutes.get(r)?.parent) points.unshift([...reroutes.get(r)!.pos])
  return points
}

/** default-lora-note (0.4) with native reroutes: one shared by both prompts' clip links, two on the sampler's latent into VAE Decode, one either side of the Reroute node on its vae link, and a floating one. */
function workflow04(): Record<string, unknown> {
  const doc = read('default-lora-note.workflow.json')
  const extra = doc['extra'] as Record<string, unknown>
  extra['reroutes'] = [
    { id: 1, pos: [500, 300], linkIds: [11, 12] },
    { id: 2, pos: [1000, 200], linkIds: [7] },
    { id: 3, parentId: 2, pos: [1050, 250], linkIds: [7] },
    { id: 4, pos: [980, 560], linkIds: [16] },
    { id: 5, pos: [700, 500], linkIds: [8] },
    { id: 6, pos: [0, 0], linkIds: [], floating: { slotType: 'output' } },
  ]
  extra['linkExtensions'] = [{ id: 11, parentId: 1 }, { id: 12, parentId: 1 }, { id: 7, parentId: 3 }, { id: 16, parentId: 4 }, { id: 8, parentId: 5 }]
  return doc
}

describe('ComfyUI reroutes on import', () => {
  it('keeps native reroutes (0.4) and a Reroute node between them as one chain per link, shared ones shared', () => {
    const { graph } = importComfyUI(JSON.stringify(workflow04()), 'rerouted.json')
    expect(chain(graph, '7', 'clip')).toEqual([[500, 300]])
    expect(chain(graph, '6', 'clip')).toEqual([[500, 300]])
    expect(graph.layout!.nodes!['6']!.reroutes).toEqual(graph.layout!.nodes!['7']!.reroutes)
    expect(chain(graph, '8', 'latent')).toEqual([[1000, 200], [1050, 250]])
    // The legacy Reroute node (75x26 at [900, 520]) is the point at its centre, between the two native ones.
    expect(chain(graph, '8', 'vae')).toEqual([[700, 500], [937.5, 533], [980, 560]])
    // The floating reroute is on no link: not kept.
    expect(graph.layout!.reroutes).toHaveLength(6)
    expect(graph.layout!.reroutes!.some((r) => r.pos[0] === 0 && r.pos[1] === 0)).toBe(false)
    // Drawable as imported: loading repairs nothing.
    expect(computeLoadRepairs(graph, registry).repairs).toEqual([])
  })

  it('keeps schema 1 reroutes (top-level, links naming their parentId)', () => {
    const doc = read('loaders-sdxl-unet.workflow.json')
    doc['reroutes'] = [{ id: 1, pos: [600, 300], linkIds: [10] }]
    for (const link of doc['links'] as { id: number; parentId?: number }[]) if (link.id === 10) link.parentId = 1
    const { graph } = importComfyUI(JSON.stringify(doc), 'schema1.json')
    expect(chain(graph, '7', 'vae')).toEqual([[857.5, 470], [600, 300]])
    expect(computeLoadRepairs(graph, registry).repairs).toEqual([])
  })
})

describe('ComfyUI reroutes on export', () => {
  it('writes them as native reroutes on the right links, and they come back on import', () => {
    const { graph } = importComfyUI(JSON.stringify(workflow04()), 'rerouted.json')
    const { document } = exportComfyWorkflow(graph, { describe: describeType })
    const extra = document['extra'] as { reroutes: { id: number; parentId?: number; pos: number[]; linkIds: number[] }[]; linkExtensions: { id: number; parentId: number }[] }
    const links = document['links'] as number[][]
    expect(extra.reroutes).toHaveLength(6)
    // Every link extension names a link that exists, and every reroute lists the links whose chain passes it.
    for (const { id, parentId } of extra.linkExtensions) {
      expect(links.some((l) => l[0] === id)).toBe(true)
      const seen: number[] = []
      for (let r: number | undefined = parentId; r !== undefined; r = extra.reroutes.find((x) => x.id === r)!.parentId) seen.push(r)
      for (const r of seen) expect(extra.reroutes.find((x) => x.id === r)!.linkIds).toContain(id)
    }
    const { graph: again } = importComfyUI(JSON.stringify(document), 'exported.json')
    for (const [node, input] of [['7', 'clip'], ['6', 'clip'], ['8', 'latent'], ['8', 'vae']] as const) {
      expect(chain(again, node, input), `${node}.${input}`).toEqual(chain(graph, node, input))
    }
  })

  it('a graph without reroutes exports no reroute entries', () => {
    const { graph } = importComfyUI(JSON.stringify(read('loaders-sdxl-unet.workflow.json')), 'plain.json')
    const stripped: GraphFile = { ...graph, layout: { ...graph.layout!, reroutes: undefined } }
    const { document } = exportComfyWorkflow(stripped, { describe: describeType })
    expect(Object.keys(document['extra'] as object)).toEqual(['ds'])
  })
})
