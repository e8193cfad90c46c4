import { describe, expect, it } from 'vitest'
import { defineNode, Engine, NodeRegistry, output, socket, string, type ExecGraph } from '../../src/engine/index.js'
import { planWarmUp } from '../../src/engine/warm-up.js'
import { executionOrder, planRun } from '../../src/engine/index.js'

// A pipeline in miniature: a loader, an encoder and a sampler whose session is what a warm-up loads.
const log: string[] = []

const loader = defineNode({
  type: 'Loader',
  version: 1,
  displayName: 'Loader',
  category: 'test',
  description: '',
  inputs: { name: string({ default: 'model-a' }) },
  warmUp: 'execute',
  outputs: { model: output('MODEL') },
  execute({ name }) {
    log.push(`execute Loader ${name}`)
    return { model: name }
  },
})

const unknownLoader = defineNode({
  type: 'OtherLoader',
  version: 1,
  displayName: 'Other loader',
  category: 'test',
  description: 'Takes no part in warm-ups.',
  inputs: { name: string({ default: 'model-z' }) },
  outputs: { model: output('MODEL') },
  execute({ name }) {
    log.push(`execute OtherLoader ${name}`)
    return { model: name }
  },
})

const encode = defineNode({
  type: 'Encode',
  version: 1,
  displayName: 'Encode',
  category: 'test',
  description: '',
  inputs: { model: socket('MODEL'), text: string({ default: '' }) },
  warmUp: 'execute',
  outputs: { cond: output('COND') },
  execute({ model, text }, ctx) {
    ctx.retain(`${String(model)}/encoder`)
    log.push(`execute Encode ${text}`)
    return { cond: text }
  },
})

const sampler = defineNode({
  type: 'Sampler',
  version: 1,
  displayName: 'Sampler',
  category: 'test',
  description: '',
  inputs: { model: socket('MODEL'), cond: socket('COND'), mode: string({ default: 'live' }) },
  warmUp: {
    inputs: ['model', 'mode'],
    async load({ model, mode }, ctx) {
      if (model === 'broken') throw new Error('cannot load')
      ctx.retain(`${String(model)}/unet-${mode}`)
      log.push(`load Sampler ${String(model)} ${mode}`)
    },
  },
  outputs: { image: output('PICTURE') },
  execute({ model, cond, mode }, ctx) {
    ctx.retain(`${String(model)}/unet-${mode}`)
    log.push(`execute Sampler ${String(cond)}`)
    return { image: `${String(model)}:${String(cond)}` }
  },
})

const save = defineNode({
  type: 'Save',
  version: 1,
  displayName: 'Save',
  category: 'test',
  description: '',
  isOutput: true,
  alwaysRun: true,
  warmUp: 'execute',
  inputs: { image: socket('PICTURE') },
  outputs: {},
  execute() {
    log.push('execute Save')
    return {}
  },
})

const registry = new NodeRegistry([loader, unknownLoader, encode, sampler, save])

function pipeline(options: { model?: string; loaderType?: string; mode?: string } = {}): ExecGraph {
  return {
    nodes: [
      { id: '1', type: options.loaderType ?? 'Loader', inputs: { name: options.model ?? 'model-a' } },
      { id: '2', type: 'Encode', inputs: { model: { from: ['1', 'model'] }, text: 'a cat' } },
      { id: '3', type: 'Sampler', inputs: { model: { from: ['1', 'model'] }, cond: { from: ['2', 'cond'] }, mode: options.mode ?? 'live' } },
      { id: '4', type: 'Save', inputs: { image: { from: ['3', 'image'] } } },
    ],
  }
}

function setup() {
  log.length = 0
  const released: string[] = []
  const engine = new Engine({ registry, services: {}, onRelease: (keys) => released.push(...keys) })
  return { engine, released }
}

describe('warm-up plan', () => {
  const plan = (graph: ExecGraph) => {
    const { plan: modes, targets } = planRun(graph, registry)
    return planWarmUp(modes.graph, executionOrder(modes.graph, targets), registry)
  }

  it('executes declared nodes whose inputs are known before the run, and hooks whose named inputs are', () => {
    // Save is declared but always runs, so running it early would only be repeated.
    expect(plan(pipeline())).toEqual({ execute: ['1', '2'], load: ['3'] })
  })

  it('leaves out what depends on a node that takes no part', () => {
    expect(plan(pipeline({ loaderType: 'OtherLoader' }))).toEqual({ execute: [], load: [] })
  })

  it('plans around a bypassed node as the run does', () => {
    const graph = pipeline()
    const bypassed: ExecGraph = { nodes: graph.nodes.map((n) => (n.id === '2' ? { ...n, mode: 'bypass' as const } : n)) }
    // The sampler's cond then has no source: the run would fail, and the warm-up plans only what is sound.
    expect(plan(bypassed).execute).toEqual(['1'])
  })
})

describe('Engine.warmUp', () => {
  it('caches the loaders and the encoding for the run, and loads the sampler from its model alone', async () => {
    const { engine } = setup()
    const warm = await engine.warmUp(pipeline())
    expect(warm).toEqual({ executed: ['1', '2'], loaded: ['3'] })
    expect(log).toEqual(['execute Loader model-a', 'execute Encode a cat', 'load Sampler model-a live'])
    log.length = 0
    const run = await engine.run(pipeline())
    expect(run.nodesCached).toEqual(['1', '2'])
    expect(log).toEqual(['execute Sampler a cat', 'execute Save'])
  })

  it('holds what a hook loaded until the next completed run, then releases only what that run did not use', async () => {
    const { engine, released } = setup()
    await engine.warmUp(pipeline())
    expect(released).toEqual([])
    await engine.run(pipeline())
    expect(released).toEqual([]) // the sampler retained the session the warm-up loaded

    const second = setup()
    await second.engine.warmUp(pipeline({ mode: 'merge' }))
    // The user switched the mode before running: the warmed session is of no use and goes after the run.
    await second.engine.run(pipeline({ mode: 'live' }))
    expect(second.released).toEqual(['model-a/unet-merge'])
  })

  it('releases what it loaded on clearCache', async () => {
    const { engine, released } = setup()
    await engine.warmUp(pipeline())
    engine.clearCache()
    expect(released.sort()).toEqual(['model-a/encoder', 'model-a/unet-live'])
  })

  it('leaves failures to the run: a hook that throws is skipped, an invalid graph warms nothing', async () => {
    const { engine } = setup()
    expect(await engine.warmUp(pipeline({ model: 'broken' }))).toEqual({ executed: ['1', '2'], loaded: [] })
    const noOutput: ExecGraph = { nodes: pipeline().nodes.filter((n) => n.id !== '4') }
    expect(await engine.warmUp(noOutput)).toEqual({ executed: [], loaded: [] })
  })

  it('runs queue behind a warm-up, and a cancelled warm-up loads nothing more', async () => {
    const { engine } = setup()
    const controller = new AbortController()
    controller.abort()
    const warm = engine.warmUp(pipeline(), { signal: controller.signal })
    const run = engine.run(pipeline())
    expect(await warm).toEqual({ executed: [], loaded: [] })
    expect((await run).nodesRun).toEqual(['1', '2', '3', '4'])
    expect(log.filter((l) => l.startsWith('load'))).toEqual([])
  })

  it('asks beforeNode before each node it executes or loads, and stops when cancelled while waiting', async () => {
    const { engine } = setup()
    const turns: string[] = []
    const warm = await engine.warmUp(pipeline(), { beforeNode: async () => void turns.push(`turn after ${log.length}`) })
    expect(warm).toEqual({ executed: ['1', '2'], loaded: ['3'] })
    // One turn before each step: the loader, the encoder, the sampler's load.
    expect(turns).toEqual(['turn after 0', 'turn after 1', 'turn after 2'])

    // A turn that waits past a cancel (a newer graph's warm-up): nothing more is loaded or run.
    const second = setup()
    const controller = new AbortController()
    let waits = 0
    const cancelled = await second.engine.warmUp(pipeline({ model: 'model-b' }), {
      signal: controller.signal,
      beforeNode: async () => {
        if (++waits === 2) controller.abort()
      },
    })
    expect(cancelled).toEqual({ executed: [], loaded: [] })
    expect(log).toEqual(['execute Loader model-b'])
  })

  it("a run is not paced by a warm-up's beforeNode", async () => {
    const { engine } = setup()
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    const turns: number[] = []
    const warm = engine.warmUp(pipeline(), { beforeNode: () => (turns.push(turns.length), held) })
    const run = engine.run(pipeline())
    await Promise.resolve()
    expect(log).toEqual([]) // the warm-up waits for its turn, and the run is queued behind it
    release()
    await warm
    expect((await run).nodesRun).toEqual(['3', '4'])
    expect(turns).toEqual([0, 1, 2])
  })
})
