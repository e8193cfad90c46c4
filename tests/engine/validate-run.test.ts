// What a run refuses before it starts: no output node, and placeholders (unknown node types) an output needs.
import { describe, expect, it } from 'vitest'
import { Engine, GraphValidationError, NO_OUTPUT_NODE_MESSAGE, NodeRegistry, validateRun, type ExecGraph } from '../../src/engine/index.js'
import { allTestNodes } from './fixtures.js'

const registry = new NodeRegistry(allTestNodes)

describe('validateRun', () => {
  it('refuses a graph with no output node, naming what to add', () => {
    const graph: ExecGraph = { nodes: [{ id: '1', type: 'Number', inputs: { value: 3 } }] }
    const issues = validateRun(graph, registry)
    expect(issues.map((i) => i.code)).toEqual(['no-output-node'])
    expect(issues[0]!.message).toBe('the graph has no output node: add Save Image or Preview Image')
    // An explicit target list (a partial run of one node) is the caller's choice, not a missing output.
    expect(validateRun(graph, registry, ['1'])).toEqual([])
  })

  it('an empty graph has no output node either', () => {
    expect(validateRun({ nodes: [] }, registry).map((i) => i.message)).toEqual([NO_OUTPUT_NODE_MESSAGE])
  })

  it('fails on a placeholder an output depends on, naming the node, its type and who needs it', () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 3 } },
        { id: '2', type: 'ImageUpscaleWithModel', inputs: { image: { from: ['1', 'value'] } } },
        { id: '3', type: 'Sink', inputs: { value: { from: ['2', 'IMAGE'] } } },
      ],
    }
    const issues = validateRun(graph, registry)
    expect(issues.map((i) => [i.code, i.nodeId, i.nodeType])).toEqual([['unknown-node-type', '2', 'ImageUpscaleWithModel']])
    expect(issues[0]!.message).toContain('node 2: unknown node type "ImageUpscaleWithModel"')
    expect(issues[0]!.message).toContain('node 3 (Sink) needs its output')
  })

  it('ignores a placeholder nothing depends on', () => {
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 3 } },
        { id: '2', type: 'UpscaleModelLoader', inputs: {} },
        { id: '3', type: 'SaveAnimatedWEBP', inputs: { images: { from: ['1', 'value'] } } },
        { id: '4', type: 'Sink', inputs: { value: { from: ['1', 'value'] } } },
      ],
    }
    expect(validateRun(graph, registry)).toEqual([])
  })
})

describe('Engine.run with placeholders and without outputs', () => {
  it('runs the rest of a graph around an unused placeholder', async () => {
    const engine = new Engine({ registry, services: {} })
    const graph: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 3 } },
        { id: '2', type: 'ControlNetLoader', inputs: { control_net_name: 'x.safetensors' } },
        { id: '4', type: 'Sink', inputs: { value: { from: ['1', 'value'] } } },
      ],
    }
    const result = await engine.run(graph)
    expect(result.nodesRun).toEqual(['1', '4'])
  })

  it('refuses a run with no output node instead of finishing having made nothing', async () => {
    const engine = new Engine({ registry, services: {} })
    const run = engine.run({ nodes: [{ id: '1', type: 'Number', inputs: { value: 3 } }] })
    await expect(run).rejects.toBeInstanceOf(GraphValidationError)
    await expect(run).rejects.toThrow(NO_OUTPUT_NODE_MESSAGE)
  })
})
