import { describe, expect, it } from 'vitest'
import { Engine, NodeRegistry, type ExecGraph } from '../../src/engine/index.js'
import { allTestNodes } from './fixtures.js'

const registry = new NodeRegistry(allTestNodes)
const use = (id: string, resource: string, also = ''): ExecGraph['nodes'][number] => ({ id, type: 'Use', inputs: { resource, also } })

function engineWithLog() {
  const released: string[][] = []
  const engine = new Engine({ registry, services: {}, onRelease: (keys) => released.push([...keys].sort()) })
  return { engine, released }
}

describe('resources retained by cached results', () => {
  it('releases what a node used once its re-run no longer uses it, and keeps what a cached node still uses', async () => {
    const { engine, released } = engineWithLog()
    await engine.run({ nodes: [use('1', 'text-encoder'), use('2', 'unet+lora-a')] })
    await engine.run({ nodes: [use('1', 'text-encoder'), use('2', 'unet+lora-a')] }) // all cached
    expect(released).toEqual([])
    await engine.run({ nodes: [use('1', 'text-encoder'), use('2', 'unet+lora-b')] })
    expect(released).toEqual([['unet+lora-a']])
  })

  it('keeps a resource two nodes share until neither retains it', async () => {
    const { engine, released } = engineWithLog()
    await engine.run({ nodes: [use('1', 'shared'), use('2', 'shared')] })
    await engine.run({ nodes: [use('1', 'other'), use('2', 'shared')] })
    expect(released).toEqual([])
    await engine.run({ nodes: [use('1', 'other'), use('2', 'other')] })
    expect(released).toEqual([['shared']])
  })

  it('frees what only a failed attempt used, keeping the old cached result and what it retains', async () => {
    const { engine, released } = engineWithLog()
    await engine.run({ nodes: [use('1', 'model-a')] })
    await expect(engine.run({ nodes: [use('1', 'model-a', 'fail')] })).rejects.toThrow('boom')
    expect(released).toEqual([['fail']])
    expect(engine.cachedNodeIds()).toEqual(['1'])
  })

  it('releases the resources of nodes deleted from the graph, and everything on clearCache', async () => {
    const { engine, released } = engineWithLog()
    await engine.run({ nodes: [use('1', 'a'), use('2', 'b'), use('3', 'c')] })
    await engine.run({ nodes: [use('1', 'a'), use('3', 'c')] })
    expect(released).toEqual([['b']])
    expect(engine.cachedNodeIds().sort()).toEqual(['1', '3'])
    engine.clearCache()
    expect(released.slice(1).flat().sort()).toEqual(['a', 'c'])
  })
})
