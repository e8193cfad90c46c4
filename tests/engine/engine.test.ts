import { beforeEach, describe, expect, it } from 'vitest'
import { Engine, GraphValidationError, NodeExecutionError, NodeRegistry, RunCancelledError, type EngineEvent, type ExecGraph } from '../../src/engine/index.js'
import { allTestNodes, calls, resetCalls } from './fixtures.js'

const registry = new NodeRegistry(allTestNodes)

function graph(overrides: { value?: number; steps?: number; seed?: number; offset?: number } = {}): ExecGraph {
  return {
    nodes: [
      { id: '1', type: 'Number', inputs: { value: overrides.value ?? 2 } },
      { id: '2', type: 'Add', inputs: { a: { from: ['1', 'value'] }, b: { from: ['1', 'value'] }, offset: overrides.offset ?? 0 } },
      { id: '3', type: 'Slow', inputs: { x: { from: ['2', 'sum'] }, steps: overrides.steps ?? 3, seed: overrides.seed ?? 0 } },
      { id: '4', type: 'Sink', inputs: { value: { from: ['3', 'y'] } } },
      // Not needed by any output: never planned.
      { id: '5', type: 'Number', inputs: { value: 7 } },
    ],
  }
}

beforeEach(resetCalls)

describe('Engine', () => {
  it('runs only what output nodes need, in dependency order', async () => {
    const engine = new Engine({ registry, services: {} })
    const result = await engine.run(graph())
    expect(result.order).toEqual(['1', '2', '3', '4'])
    expect(result.nodesRun).toEqual(['1', '2', '3', '4'])
    expect(result.outputs.get('4')).toEqual({ seen: 8 })
    expect(calls.Number).toBe(1)
  })

  it('re-runs only the changed node and what is below it', async () => {
    const engine = new Engine({ registry, services: {} })
    await engine.run(graph())
    const events: EngineEvent[] = []
    const second = await engine.run(graph({ seed: 5 }), { onEvent: (e) => events.push(e) })
    expect(second.nodesCached).toEqual(['1', '2'])
    expect(second.nodesRun).toEqual(['3', '4'])
    expect(second.outputs.get('4')).toEqual({ seen: 13 })
    expect(events.filter((e) => e.type === 'node-cached').map((e) => (e as { nodeId: string }).nodeId)).toEqual(['1', '2'])

    const third = await engine.run(graph({ seed: 5, offset: 1 }))
    expect(third.nodesCached).toEqual(['1'])
    expect(third.nodesRun).toEqual(['2', '3', '4'])
    // Unchanged graph: everything cached.
    const fourth = await engine.run(graph({ seed: 5, offset: 1 }))
    expect(fourth.nodesRun).toEqual([])
  })

  it('emits a typed event stream with progress', async () => {
    const engine = new Engine({ registry, services: {} })
    const events: EngineEvent[] = []
    await engine.run(graph({ steps: 2 }), { onEvent: (e) => events.push(e), runId: 'r1' })
    expect(events.map((e) => e.type)).toEqual([
      'run-started',
      'node-started', 'node-finished',
      'node-started', 'node-finished',
      'node-started', 'progress', 'progress', 'node-finished',
      'node-started', 'node-finished',
      'run-finished',
    ])
    expect(events[6]).toMatchObject({ type: 'progress', runId: 'r1', nodeId: '3', value: 1, max: 2 })
  })

  it('rejects invalid graphs before running anything', async () => {
    const engine = new Engine({ registry, services: {} })
    const bad: ExecGraph = { nodes: [{ id: '1', type: 'Sink', inputs: {} }] }
    const events: EngineEvent[] = []
    await expect(engine.run(bad, { onEvent: (e) => events.push(e) })).rejects.toBeInstanceOf(GraphValidationError)
    expect(events).toEqual([{ type: 'run-failed', runId: 'run-1', message: 'node 1 (Sink), input "value": required FLOAT input is not connected' }])
    expect(calls.Sink).toBeUndefined()
  })

  it('cancels between nodes and inside long nodes, then runs again', async () => {
    const engine = new Engine({ registry, services: {} })
    const controller = new AbortController()
    const events: EngineEvent[] = []
    const run = engine.run(graph({ steps: 50 }), {
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e)
        if (e.type === 'progress' && e.value === 3) controller.abort()
      },
    })
    await expect(run).rejects.toBeInstanceOf(RunCancelledError)
    expect(events.at(-1)).toMatchObject({ type: 'run-cancelled' })
    expect(events.filter((e) => e.type === 'progress').length).toBe(3)
    // The cancelled node has no cache entry; the ones before it do.
    const next = await engine.run(graph({ steps: 50 }))
    expect(next.nodesCached).toEqual(['1', '2'])
    expect(next.nodesRun).toEqual(['3', '4'])
  })

  it('wraps node failures with node id and type and keeps earlier results cached', async () => {
    const engine = new Engine({ registry, services: {} })
    const failing: ExecGraph = {
      nodes: [
        { id: '1', type: 'Number', inputs: { value: 1 } },
        { id: 't', type: 'Text', inputs: { text: 'fail' } },
        { id: 's', type: 'Sink', inputs: { value: { from: ['1', 'value'] } } },
        { id: 'x', type: 'Sink', inputs: { value: { from: ['1', 'value'] } } },
      ],
    }
    const run = engine.run(failing, { targets: ['s', 't'] })
    await expect(run).rejects.toBeInstanceOf(NodeExecutionError)
    await expect(engine.run(failing, { targets: ['s', 't'] })).rejects.toThrow('node t (Text): boom')
    const ok = await engine.run(failing, { targets: ['s'] })
    expect(ok.nodesCached).toEqual(['1', 's'])
  })

  it('reports warnings and serialises concurrent runs', async () => {
    const engine = new Engine({ registry, services: {} })
    const events: EngineEvent[] = []
    const warn: ExecGraph = { nodes: [{ id: 'w', type: 'Text', inputs: { text: 'warn' } }] }
    const [a, b] = await Promise.all([engine.run(graph()), engine.run(warn, { targets: ['w'], onEvent: (e) => events.push(e) })])
    expect(a.nodesRun.length).toBe(4)
    expect(b.nodesRun).toEqual(['w'])
    expect(events.find((e) => e.type === 'node-warning')).toMatchObject({ nodeId: 'w', message: 'careful' })
  })
})

describe('Engine with empty upstream outputs', () => {
  it('names the input when an upstream node leaves a linked output empty', async () => {
    const { defineNode, output, optionalSocket } = await import('../../src/engine/index.js')
    const passThrough = defineNode({
      type: 'Pass',
      version: 1,
      displayName: 'Pass',
      category: 'test',
      description: 'Passes an optional value through.',
      inputs: { x: optionalSocket('FLOAT') },
      outputs: { x: output('FLOAT') },
      // The cast mirrors a real pass-through whose input is unconnected (UNetLoRA with no clip).
      execute: (inputs) => ({ x: inputs.x as number }),
    })
    const engine = new Engine({ registry: new NodeRegistry([...allTestNodes, passThrough]), services: {} })
    const events: EngineEvent[] = []
    const graph: ExecGraph = {
      nodes: [
        { id: 'p', type: 'Pass', inputs: {} },
        { id: 's', type: 'Sink', inputs: { value: { from: ['p', 'x'] } } },
      ],
    }
    await expect(engine.run(graph, { onEvent: (e) => events.push(e) })).rejects.toThrow(
      'node s (Sink), input "value": node p gave no value for its output "x" (is its matching input connected?)',
    )
    expect(events.map((e) => e.type)).toEqual(['run-started', 'node-started', 'node-finished', 'node-failed', 'run-failed'])
  })
})
