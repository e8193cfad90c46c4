// Issue 14 §7 and §9: what loading a file repairs (a self-loop, a type-mismatched link, a link closing a cycle,
// coordinates no canvas can draw) is computed by one pure function, named line by line; `hypersd validate` prints
// the same lines the editor shows.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { NodeRegistry } from '../../src/engine/index.js'
import { findCycle } from '../../src/engine/topology.js'
import { checkLinkTypes } from '../../src/engine/types-compat.js'
import { toExecGraph } from '../../src/graph/exec.js'
import { computeLoadRepairs, MAX_COORDINATE, MAX_SIZE, MIN_SIZE } from '../../src/graph/load-repairs.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import { isGraphLink, type GraphFile, type GraphNode, type InputValue } from '../../src/graph/schema.js'
import { ROOT, runCli } from '../cli/run-cli.js'

const registry = new NodeRegistry(nodeDefinitions)
const base = parseGraphFile(readFileSync(join(ROOT, 'graphs', 'tiny-sd15-4step.json'), 'utf8'))

function withInputs(file: GraphFile, id: string, inputs: Record<string, InputValue>): GraphFile {
  return { ...file, nodes: file.nodes.map((n) => (n.id === id ? { ...n, inputs: { ...n.inputs, ...inputs } } : n)) }
}

/** The three links the canvas refuses: CLIP fed by a UNet, a sampler fed by itself, two samplers feeding each other. */
function brokenFile(): GraphFile {
  let file = withInputs(base, '2', { clip: { from: ['1', 'unet'] } })
  const sampler = file.nodes.find((n) => n.id === '4')!
  file = { ...file, nodes: [...file.nodes, { ...sampler, id: '8', inputs: { ...sampler.inputs, latent: { from: ['4', 'latent'] } } }] }
  file = withInputs(file, '4', { latent: { from: ['8', 'latent'] } })
  file = withInputs(file, '3', {})
  const selfLoop = file.nodes.find((n) => n.id === '5')!
  return { ...file, nodes: file.nodes.map((n) => (n === selfLoop ? { ...n, inputs: { ...n.inputs, latent: { from: ['5', 'image'] } } } : n)) }
}

describe('repairs on load (issue 14 §7, §9)', () => {
  it('names every dropped link: type mismatch, self-loop, cycle', () => {
    const { file, repairs } = computeLoadRepairs(brokenFile(), registry)
    expect(repairs).toEqual([
      'node 2 (CLIPTextEncode), input "clip": link from node 1 (LoadPipeline) output "unet" dropped (LoadPipeline.unet gives UNET but CLIPTextEncode.clip takes CLIP)',
      'node 5 (VAEDecode), input "latent": link from its own output "image" dropped (a node cannot feed itself)',
      'node 8 (TSCDSampler), input "latent": link from node 4 (TSCDSampler) output "latent" dropped to break the cycle 4 -> 8 -> 4',
    ])
    const byId = new Map(file.nodes.map((n) => [n.id, n]))
    expect(Object.hasOwn(byId.get('2')!.inputs, 'clip')).toBe(false)
    expect(Object.hasOwn(byId.get('5')!.inputs, 'latent')).toBe(false)
    expect(byId.get('4')!.inputs['latent']).toEqual({ from: ['8', 'latent'] })
    expect(Object.hasOwn(byId.get('8')!.inputs, 'latent')).toBe(false)
    expect(findCycle(toExecGraph(file))).toBeUndefined()
  })

  it('clamps positions, sizes, groups and the viewport, and says so', () => {
    const layout = base.layout!
    const huge: GraphFile = {
      ...base,
      layout: {
        ...layout,
        nodes: { ...layout.nodes, '1': { pos: [1e308, -1e308], size: [0, 1e300] } },
        groups: [{ title: 'far', bounding: [-1e200, 0, 1e9, 5] }],
        viewport: { offset: [1e308, 0], scale: 1e-9 },
      },
    }
    const { file, repairs } = computeLoadRepairs(huge, registry)
    expect(repairs).toEqual([
      'node 1 (LoadPipeline): position [1e+308, -1e+308] moved to [1000000, -1000000] (coordinates are kept within ±1000000)',
      'node 1 (LoadPipeline): size [0, 1e+300] changed to [10, 100000] (sizes are kept within 10 to 100000)',
      'group 1 ("far"): bounds [-1e+200, 0, 1000000000, 5] changed to [-1000000, 0, 100000, 10] (coordinates within ±1000000, sizes 10 to 100000)',
      'viewport: offset [1e+308, 0] at zoom 1e-9 changed to [2000000, 0] at zoom 0.01',
    ])
    expect(file.layout?.nodes?.['1']).toEqual({ pos: [1e6, -1e6], size: [10, 1e5] })
    // What is written back reads back.
    expect(parseGraphFile(serializeGraphFile(file)).layout?.nodes?.['1']?.pos).toEqual([1e6, -1e6])
  })

  it('leaves a sound file untouched (the same object, no lines)', () => {
    const result = computeLoadRepairs(base, registry)
    expect(result.repairs).toEqual([])
    expect(result.file).toBe(base)
  })

  it('hypersd validate prints the same lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypersd-repairs-'))
    const path = join(dir, 'broken.json')
    writeFileSync(path, serializeGraphFile(brokenFile()))
    const result = runCli(['validate', path])
    for (const line of computeLoadRepairs(brokenFile(), registry).repairs) expect(result.stdout).toContain(`${path}: repair on load: ${line}\n`)
  })

  it('property: any rewiring and any coordinates repair to a file that needs no further repair', () => {
    const ids = base.nodes.map((n) => n.id)
    const linkable = base.nodes.flatMap((n) => Object.keys(registry.get(n.type)!.inputs).map((input) => ({ id: n.id, input })))
    const outputs = base.nodes.flatMap((n) => Object.keys(registry.get(n.type)!.outputs).map((output) => ({ id: n.id, output })))
    const rewire = fc.record({ target: fc.constantFrom(...linkable), source: fc.constantFrom(...outputs) })
    const coordinate = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -2000, max: 2000 }))
    const placement = fc.record({ id: fc.constantFrom(...ids), pos: fc.tuple(coordinate, coordinate), size: fc.tuple(coordinate, coordinate) })
    fc.assert(
      fc.property(fc.array(rewire, { maxLength: 12 }), fc.array(placement, { maxLength: 4 }), (links, places) => {
        let file = base
        for (const { target, source } of links) file = withInputs(file, target.id, { [target.input]: { from: [source.id, source.output] } })
        const nodes = { ...file.layout!.nodes }
        for (const p of places) nodes[p.id] = { pos: p.pos, size: p.size }
        file = { ...file, layout: { ...file.layout!, nodes } }

        const { file: repaired, repairs } = computeLoadRepairs(file, registry)
        expect(computeLoadRepairs(repaired, registry).repairs).toEqual([])
        expect(findCycle(toExecGraph(repaired))).toBeUndefined()
        for (const node of repaired.nodes) expect(soundLinks(node, repaired)).toBe(true)
        for (const entry of Object.values(repaired.layout!.nodes!)) {
          for (const v of entry.pos ?? []) expect(Math.abs(v)).toBeLessThanOrEqual(MAX_COORDINATE)
          for (const s of entry.size ?? []) expect(s >= MIN_SIZE && s <= MAX_SIZE).toBe(true)
        }
        // Nothing changes without a line saying so.
        if (repairs.length === 0) expect(repaired).toBe(file)
      }),
      { numRuns: 200 },
    )
  })
})

function soundLinks(node: GraphNode, file: GraphFile): boolean {
  const def = registry.get(node.type)!
  return Object.entries(node.inputs).every(([input, value]) => {
    if (!isGraphLink(value)) return true
    const source = file.nodes.find((n) => n.id === value.from[0])!
    return source !== node && checkLinkTypes(registry.get(source.type)!, value.from[1], def, input).ok
  })
}
