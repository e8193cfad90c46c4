// ctx.upstreamMs(): what a node's inputs cost to make, for reward nodes' time per image. Checked against the
// engine's own node-finished timings, so no wall-clock bound is asserted.
import { describe, expect, it } from 'vitest'
import { defineNode, Engine, NodeRegistry, output, socket, type EngineEvent, type ExecGraph } from '../../src/engine/index.js'
import { allTestNodes } from './fixtures.js'

const seen: number[] = []
const reporter = defineNode({
  type: 'CostReporter',
  version: 1,
  displayName: 'Cost reporter',
  category: 'test',
  description: 'Reports what its input cost to make.',
  isOutput: true,
  inputs: { value: socket('FLOAT') },
  outputs: { ms: output('FLOAT') },
  execute(_inputs, ctx) {
    seen.push(ctx.upstreamMs())
    return { ms: ctx.upstreamMs() }
  },
})
const registry = new NodeRegistry([...allTestNodes, reporter])

function graph(steps: number, reporterSalt = 0): ExecGraph {
  return {
    nodes: [
      { id: '1', type: 'Number', inputs: { value: 2 } },
      { id: '2', type: 'Slow', inputs: { x: { from: ['1', 'value'] }, steps, seed: 0 } },
      // Shared ancestor reached twice (through 2 and directly via 3): counted once.
      { id: '3', type: 'Add', inputs: { a: { from: ['2', 'y'] }, b: { from: ['1', 'value'] }, offset: reporterSalt } },
      { id: '4', type: 'CostReporter', inputs: { value: { from: ['3', 'sum'] } } },
      // Not upstream of the reporter: never counted.
      { id: '5', type: 'Slow', inputs: { x: { from: ['1', 'value'] }, steps: 4, seed: 1 } },
      { id: '6', type: 'Sink', inputs: { value: { from: ['5', 'y'] } } },
    ],
  }
}

function finishedMs(events: readonly EngineEvent[]): Map<string, number> {
  return new Map(events.flatMap((e) => (e.type === 'node-finished' ? [[e.nodeId, e.ms] as [string, number]] : [])))
}

describe('ctx.upstreamMs', () => {
  it('sums the compute time of every node upstream, each once, and keeps cached nodes at what they cost', async () => {
    const engine = new Engine({ registry, services: {} })
    const events: EngineEvent[] = []
    const first = await engine.run(graph(3), { onEvent: (e) => events.push(e) })
    const ms = finishedMs(events)
    const expected = ms.get('1')! + ms.get('2')! + ms.get('3')!
    expect(ms.get('2')!).toBeGreaterThan(0)
    expect(first.outputs.get('4')).toEqual({ ms: expected })

    // Only the Add re-runs: 1 and 2 come from the cache and still count what they cost in the first run.
    const again: EngineEvent[] = []
    const second = await engine.run(graph(3, 1), { onEvent: (e) => again.push(e) })
    expect(second.nodesCached).toContain('2')
    expect(second.outputs.get('4')).toEqual({ ms: ms.get('1')! + ms.get('2')! + finishedMs(again).get('3')! })
  })
})
