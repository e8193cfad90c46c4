import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { defineNode, float, int, seed, socket, string, boolean, combo, optionalSocket } from '../../src/engine/spec.js'
import type { AnyNodeDefinition } from '../../src/engine/spec.js'
import { OverrideError, applyOverrides, parseOverride, toExecGraph } from '../../src/graph/exec.js'
import { parseGraphFile } from '../../src/graph/parse.js'

const graph = parseGraphFile(readFileSync(new URL('./fixtures/hyper-sd-graph.json', import.meta.url), 'utf8'))

const definitions: AnyNodeDefinition[] = [
  defineNode({
    type: 'TSCDSampler',
    version: 1,
    displayName: 'Sampler',
    category: 'sampling',
    description: '',
    inputs: {
      model: socket('UNET'),
      positive: socket('CONDITIONING'),
      negative: optionalSocket('CONDITIONING'),
      latent: socket('LATENT'),
      steps: int({ default: 4, min: 1, max: 8 }),
      scheduler: combo(['ddim-trailing', 'tcd', 'lcm', 'euler-trailing'], { default: 'ddim-trailing' }),
      eta: float({ default: 1, min: 0, max: 1 }),
      cfg: float({ default: 1 }),
      seed: seed(),
      timesteps: string({ default: '' }),
    },
    outputs: { latent: { type: 'LATENT' } },
    execute: () => {
      throw new Error('not run in these tests')
    },
  }),
  defineNode({
    type: 'CLIPTextEncode',
    version: 1,
    displayName: 'Text',
    category: 'text',
    description: '',
    inputs: { clip: socket('CLIP'), text: string({ default: '', multiline: true }), tiled: boolean({ default: false }) },
    outputs: { conditioning: { type: 'CONDITIONING' } },
    execute: () => {
      throw new Error('not run in these tests')
    },
  }),
  defineNode({
    type: 'SaveImage',
    version: 1,
    displayName: 'Save',
    category: 'image',
    description: '',
    inputs: { image: socket('IMAGE'), filename_prefix: string({ default: 'hypersd' }) },
    outputs: {},
    execute: () => ({}),
  }),
]
const registry = { get: (type: string) => definitions.find((d) => d.type === type) }

describe('toExecGraph', () => {
  it('keeps id, type, title and inputs, and drops layout and metadata', () => {
    const exec = toExecGraph(graph)
    expect(Object.keys(exec)).toEqual(['nodes'])
    expect(exec.nodes).toHaveLength(7)
    expect(exec.nodes[0]).toEqual({ id: '1', type: 'LoadPipeline', title: 'Tiny SD1.5', inputs: { model: 'tiny-sd15' } })
    expect(exec.nodes[1]).toEqual({ id: '2', type: 'CLIPTextEncode', inputs: { clip: { from: ['1', 'clip'] }, text: 'a photo of a cat' } })
    expect(exec.nodes[3]!.inputs['latent']).toEqual({ from: ['3', 'latent'] })
    expect('version' in exec.nodes[2]!).toBe(false)
  })
})

describe('applyOverrides', () => {
  it('coerces values by the declared widget kind and leaves the original graph alone', () => {
    const out = applyOverrides(
      graph,
      ['4.seed=12345', 'Sampler.steps=2', '4.cfg=1.5', '4.scheduler=tcd', '2.text=a cat = a dog', 'CLIPTextEncode.tiled=TRUE', 'SaveImage.filename_prefix=out/x'],
      registry,
    )
    const sampler = out.nodes[3]!.inputs
    expect(sampler['seed']).toBe(12345)
    expect(sampler['steps']).toBe(2)
    expect(sampler['cfg']).toBe(1.5)
    expect(sampler['scheduler']).toBe('tcd')
    expect(out.nodes[1]!.inputs['text']).toBe('a cat = a dog')
    expect(out.nodes[1]!.inputs['tiled']).toBe(true)
    expect(out.nodes[5]!.inputs['filename_prefix']).toBe('out/x')
    expect(graph.nodes[3]!.inputs['seed']).toBe(42)
    expect(out.layout).toBe(graph.layout)
  })

  it('works on the engine graph as well', () => {
    const out = applyOverrides(toExecGraph(graph), ['4.seed=7'], registry)
    expect(out.nodes[3]!.inputs['seed']).toBe(7)
  })

  it.each([
    ['4.seed', 'expected NODE.INPUT=VALUE (missing "=")'],
    ['seed=4', 'missing "." between node and input'],
    ['99.seed=1', 'no node with id, title or type "99"'],
    ['4.sead=1', 'node 4 (TSCDSampler) has no input "sead" (inputs: model, positive, negative, latent, steps, scheduler, eta, cfg, seed, timesteps)'],
    ['4.__proto__=1', 'node 4 (TSCDSampler) has no input "__proto__"'],
    ['4.steps=2.5', 'node 4 (TSCDSampler), input "steps": expected an integer, got "2.5"'],
    ['4.seed=', 'input "seed": expected an integer, got ""'],
    ['4.cfg=abc', 'input "cfg": expected a number, got "abc"'],
    ['2.tiled=yes', 'input "tiled": expected true or false, got "yes"'],
    ['4.scheduler=dpm', 'input "scheduler": "dpm" is not one of ddim-trailing, tcd, lcm, euler-trailing'],
    ['4.model=x', 'input "model" takes a UNET link, not a value'],
    ['1.model=x', 'node 1 (LoadPipeline): unknown node type'],
  ])('explains %s', (override, message) => {
    let error: unknown
    try {
      applyOverrides(graph, [override], registry)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(OverrideError)
    expect((error as Error).message).toContain(message)
    expect((error as Error).message.startsWith(`--set ${override}: `)).toBe(true)
  })

  it('refuses ambiguous titles and accepts dotted titles', () => {
    const twoNotes = parseGraphFile(
      JSON.stringify({
        format: 'hyper-sd-studio/graph',
        version: 1,
        nodes: [
          { id: 'a', type: 'SaveImage', title: 'v1.5 out', inputs: {} },
          { id: 'b', type: 'SaveImage', title: 'dup', inputs: {} },
          { id: 'c', type: 'SaveImage', title: 'dup', inputs: {} },
        ],
      }),
    )
    expect(applyOverrides(twoNotes, ['v1.5 out.filename_prefix=z'], registry).nodes[0]!.inputs['filename_prefix']).toBe('z')
    expect(() => applyOverrides(twoNotes, ['dup.filename_prefix=z'], registry)).toThrow('title "dup" matches several nodes (b, c); use a node id')
    expect(() => applyOverrides(twoNotes, ['SaveImage.filename_prefix=z'], registry)).toThrow('type "SaveImage" matches several nodes (a, b, c)')
  })

  it('parses the parts of an override', () => {
    expect(parseOverride('My.Node.text= hi=there ')).toEqual({ text: 'My.Node.text= hi=there ', node: 'My.Node', input: 'text', value: ' hi=there ' })
  })
})
