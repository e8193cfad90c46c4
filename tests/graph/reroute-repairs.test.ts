// Reroutes as a file states them, made drawable on load, each repair named (src/graph/reroute-repairs.ts).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { NodeRegistry } from '../../src/engine/index.js'
import { computeLoadRepairs, MAX_COORDINATE } from '../../src/graph/load-repairs.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { GraphFileSchema, MAX_REROUTES, type GraphFile, type NodeLayout, type RerouteLayout } from '../../src/graph/schema.js'

const registry = new NodeRegistry(nodeDefinitions)
const base = parseGraphFile(readFileSync(resolve(import.meta.dirname, '../../graphs/tiny-sd15-4step.json'), 'utf8'))

/** The default graph with `reroutes`, and per node id the inputs' last reroutes. */
function withReroutes(reroutes: RerouteLayout[], via: Record<string, Record<string, number>>): GraphFile {
  const nodes: Record<string, NodeLayout> = {}
  for (const [id, entry] of Object.entries(base.layout!.nodes!)) nodes[id] = via[id] ? { ...entry, reroutes: via[id] } : entry
  return { ...base, layout: { ...base.layout!, nodes, reroutes } }
}

// VAE Decode (#5) takes latent from the sampler (#4) and vae from Load Pipeline (#1).
const GOOD = withReroutes([{ id: 1, pos: [700, 300] }, { id: 2, pos: [760, 320], parent: 1 }, { id: 3, pos: [300, 600] }], { '5': { latent: 2, vae: 3 } })

describe('reroute repairs on load', () => {
  it('leave a drawable file as it is', () => {
    const { file, repairs } = computeLoadRepairs(GOOD, registry)
    expect(repairs).toEqual([])
    expect(file).toBe(GOOD)
  })

  it('name each repair: a missing parent, a loop of parents, a duplicate id, a reroute on no link', () => {
    const file = withReroutes(
      [
        { id: 1, pos: [0, 0], parent: 9 },
        { id: 2, pos: [0, 0], parent: 3 },
        { id: 3, pos: [0, 0], parent: 2 },
        { id: 3, pos: [5, 5] },
        { id: 4, pos: [0, 0] },
      ],
      { '5': { latent: 1, vae: 2 } },
    )
    const { file: repaired, repairs } = computeLoadRepairs(file, registry)
    expect(repairs).toEqual([
      'reroute 3: duplicate id, the later one dropped',
      'reroute 1: parent reroute 9 does not exist, now first after its output',
      'reroute 3: parent reroute 2 leads back to it, now first after its output',
      'reroute 4: on no link, dropped',
    ])
    expect(repaired.layout!.reroutes).toEqual([{ id: 1, pos: [0, 0] }, { id: 2, pos: [0, 0], parent: 3 }, { id: 3, pos: [0, 0] }])
  })

  it('drop a reference from an input with no link, to a reroute that does not exist, or through another output’s reroute', () => {
    const file = withReroutes([{ id: 1, pos: [0, 0] }, { id: 2, pos: [0, 0], parent: 1 }], { '5': { latent: 2, vae: 1 }, '4': { seed: 1, positive: 7 } })
    const { file: repaired, repairs } = computeLoadRepairs(file, registry)
    expect(repairs).toEqual([
      'node 4 (TSCDSampler), input "seed": has no link, its reroute 1 dropped',
      'node 4 (TSCDSampler), input "positive": reroute 7 does not exist, the link is drawn straight',
      'node 5 (VAEDecode), input "vae": reroute 1 carries a link from another output, the link is drawn straight',
    ])
    expect(repaired.layout!.nodes!['5']!.reroutes).toEqual({ latent: 2 })
    expect(repaired.layout!.nodes!['4']!.reroutes).toBeUndefined()
  })

  it('a link dropped for its type takes its reroutes with it', () => {
    const file = withReroutes([{ id: 1, pos: [0, 0] }], { '2': { clip: 1 } })
    file.nodes = file.nodes.map((n) => (n.id === '2' ? { ...n, inputs: { ...n.inputs, clip: { from: ['1', 'unet'] } } } : n))
    const { file: repaired, repairs } = computeLoadRepairs(file, registry)
    expect(repairs.slice(1)).toEqual(['node 2 (CLIPTextEncode), input "clip": has no link, its reroute 1 dropped', 'reroute 1: on no link, dropped'])
    expect(repaired.layout!.reroutes).toBeUndefined()
  })

  it('keep a reroute within the coordinates a canvas can draw', () => {
    const file = withReroutes([{ id: 1, pos: [1e12, -5] }], { '5': { latent: 1 } })
    const { file: repaired, repairs } = computeLoadRepairs(file, registry)
    expect(repairs).toEqual([`reroute 1: position [1000000000000, -5] moved to [${MAX_COORDINATE}, -5]`])
    expect(repaired.layout!.reroutes![0]!.pos).toEqual([MAX_COORDINATE, -5])
  })

  it('refuse ids that are not positive integers and more reroutes than a file may hold, naming the field', () => {
    const bad = GraphFileSchema.safeParse({ ...GOOD, layout: { ...GOOD.layout, reroutes: [{ id: 0.5, pos: [0, 0] }] } })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0]!.path).toEqual(['layout', 'reroutes', 0, 'id'])
    const many = Array.from({ length: MAX_REROUTES + 1 }, (_, i) => ({ id: i + 1, pos: [0, 0] }))
    expect(GraphFileSchema.safeParse({ ...GOOD, layout: { ...GOOD.layout, reroutes: many } }).success).toBe(false)
  })
})
