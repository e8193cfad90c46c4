// A node's ctx.stage() reaches the run's listeners as a 'stage' event, in order with its other events.
import { describe, expect, it } from 'vitest'
import { defineNode, Engine, NodeRegistry, output, string, type EngineEvent } from '../../src/engine/index.js'

const staged = defineNode({
  type: 'Staged',
  version: 1,
  displayName: 'Staged',
  category: 'test',
  description: 'Reports two stages, then emits its text.',
  inputs: { text: string({ default: 'x' }) },
  outputs: { text: output('STRING') },
  isOutput: true,
  execute(inputs, ctx) {
    ctx.stage('Loading model…')
    ctx.stage('Working…')
    return { text: inputs.text }
  },
})

describe('stage events', () => {
  it('are emitted between node-started and node-finished, with the node and run ids', async () => {
    const engine = new Engine({ registry: new NodeRegistry([staged]), services: {} })
    const events: EngineEvent[] = []
    await engine.run({ nodes: [{ id: 'n1', type: 'Staged', inputs: { text: 'hi' } }] }, { runId: 'r1', onEvent: (e) => events.push(e) })
    const kinds = events.filter((e) => e.type !== 'run-started').map((e) => (e.type === 'stage' ? `stage:${e.stage}` : e.type))
    expect(kinds).toEqual(['node-started', 'stage:Loading model…', 'stage:Working…', 'node-finished', 'run-finished'])
    expect(events.find((e) => e.type === 'stage')).toMatchObject({ runId: 'r1', nodeId: 'n1' })
  })
})
