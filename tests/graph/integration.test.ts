// The graph library against the real node declarations and the engine's validation: shipped graphs, imported
// ComfyUI workflows and overrides must all come out as graphs the engine accepts.
import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { NodeRegistry, validateGraph, validateRun } from '../../src/engine/index.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { applyOverrides, toExecGraph } from '../../src/graph/exec.js'
import { migrateGraph, parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import { nodeDefinitions } from '../../nodes/index.js'

const registry = new NodeRegistry(nodeDefinitions)
const graphsDir = new URL('../../graphs/', import.meta.url)
const shipped = readdirSync(graphsDir).filter((f) => f.endsWith('.json'))

describe('shipped graphs', () => {
  it('exist', () => {
    expect(shipped.length).toBeGreaterThan(0)
  })

  it.each(shipped)('%s parses, validates, and is written back byte for byte', (name) => {
    const text = readFileSync(new URL(name, graphsDir), 'utf8')
    const graph = parseGraphFile(text, name)
    expect(migrateGraph(graph, registry).migrated).toEqual([])
    expect(validateGraph(toExecGraph(graph), registry)).toEqual([])
    expect(serializeGraphFile(graph)).toBe(text)
  })
})

describe('imported ComfyUI graphs against the real declarations', () => {
  it('the default workflow runs once the only output that needs the placeholder upscaler is gone', () => {
    const { graph } = importComfyUI(readFileSync(new URL('./fixtures/comfyui/default-lora-note.workflow.json', import.meta.url), 'utf8'))
    const issues = validateRun(toExecGraph(graph), registry)
    expect(issues.map((i) => `${i.nodeId}:${i.code}:${i.input}`)).toEqual(['12:unknown-node-type:undefined', '13:unknown-node-type:undefined'])
    expect(issues[1]!.message).toContain('node 13: unknown node type "ImageUpscaleWithModel"')
    expect(issues[1]!.message).toContain('node 14 (SaveImage) needs its output')
    const pruned = { ...graph, nodes: graph.nodes.filter((n) => n.id !== '14') }
    // The placeholders stay in the graph, but nothing the run produces needs them.
    expect(validateRun(toExecGraph(pruned), registry)).toEqual([])
  })

  it('the API prompt validates except for the placeholders its output needs', () => {
    const { graph } = importComfyUI(readFileSync(new URL('./fixtures/comfyui/hyper-sd-lcm.prompt.json', import.meta.url), 'utf8'))
    const issues = validateRun(toExecGraph(graph), registry)
    expect(issues.map((i) => `${i.nodeId}:${i.code}:${i.input}`).sort()).toEqual(['11:unknown-node-type:undefined', '13:unknown-node-type:undefined'])
  })
})

describe('overrides with the real declarations', () => {
  it('coerce and validate', () => {
    const graph = parseGraphFile(readFileSync(new URL('tiny-sd15-4step.json', graphsDir), 'utf8'))
    const sampler = graph.nodes.find((n) => n.type === 'TSCDSampler')!
    const out = applyOverrides(graph, [`${sampler.id}.seed=9007199254740991`, `${sampler.id}.eta=0.5`, 'TSCDSampler.scheduler=tcd'], registry)
    const inputs = out.nodes.find((n) => n.id === sampler.id)!.inputs
    expect(inputs).toMatchObject({ seed: 9007199254740991, eta: 0.5, scheduler: 'tcd' })
    expect(validateGraph(toExecGraph(out), registry)).toEqual([])
    const tooMany = applyOverrides(graph, [`${sampler.id}.steps=51`], registry)
    expect(validateGraph(toExecGraph(tooMany), registry).map((i) => i.code)).toEqual(['out-of-range'])
  })
})
