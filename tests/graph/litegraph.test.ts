import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEFAULT_VIEWPORT, autoPositions, fromEditorGraph, toEditorGraph } from '../../src/graph/litegraph.js'
import { GraphFileError, parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'

const graph = parseGraphFile(readFileSync(new URL('./fixtures/hyper-sd-graph.json', import.meta.url), 'utf8'))

describe('toEditorGraph', () => {
  const editor = toEditorGraph(graph)

  it('splits inputs into widgets and input links and attaches layout', () => {
    const sampler = editor.nodes[3]!
    expect(sampler).toMatchObject({ id: '4', type: 'TSCDSampler', version: 1, title: 'Sampler', pos: [700, 80], controls: { seed: 'randomize' } })
    expect(sampler.widgets).toEqual({ steps: 4, scheduler: 'ddim-trailing', cfg: 1, seed: 42, timesteps: null })
    expect(sampler.inputLinks).toEqual({
      model: { from: '1', output: 'unet' },
      positive: { from: '2', output: 'conditioning' },
      latent: { from: '3', output: 'latent' },
    })
    expect(editor.nodes[0]).toMatchObject({ pos: [40, 80], size: [300, 120], collapsed: false, color: '#335' })
    expect(editor.groups).toEqual([{ title: 'Text', bounding: [0, 0, 600, 400], color: '#3f789e' }])
    expect(editor.viewport).toEqual({ offset: [0, 0], scale: 1 })
  })

  it('places nodes without a saved position in columns by link depth', () => {
    // 2 (text) reads 1, 4 (sampler) reads 1, 2 and 3, 5 reads 4, 6 reads 5
    expect(editor.nodes[1]!.pos).toEqual([40 + 360, 40])
    expect(editor.nodes[2]!.pos).toEqual([40, 40 + 220]) // EmptyLatent: a source, second in column 0
    expect(editor.nodes[4]!.pos).toEqual([40 + 3 * 360, 40])
    expect(editor.nodes[5]!.pos).toEqual([40 + 4 * 360, 40])
  })

  it('does not share arrays with the graph it came from', () => {
    editor.nodes[0]!.pos[0] = 999
    editor.groups[0]!.bounding[0] = 999
    expect(graph.layout!.nodes!['1']!.pos[0]).toBe(40)
    expect(graph.layout!.groups![0]!.bounding[0]).toBe(0)
  })
})

describe('fromEditorGraph', () => {
  it('round-trips semantics and layout (every node gets a position)', () => {
    const back = fromEditorGraph(toEditorGraph(graph))
    expect(back.nodes).toEqual(
      graph.nodes.map((n) => ({
        ...n,
        inputs: Object.fromEntries([
          ...Object.entries(n.inputs).filter(([, v]) => typeof v === 'object' && v !== null),
          ...Object.entries(n.inputs).filter(([, v]) => typeof v !== 'object' || v === null),
        ]),
      })),
    )
    expect(back.layout!.nodes!['1']).toEqual({ pos: [40, 80], size: [300, 120], color: '#335' }) // collapsed: false is the default
    expect(back.layout!.nodes!['4']).toEqual({ pos: [700, 80], controls: { seed: 'randomize' } })
    expect(Object.keys(back.layout!.nodes!)).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    expect(back.metadata).toEqual(graph.metadata)
    // and a second trip is stable
    expect(serializeGraphFile(fromEditorGraph(toEditorGraph(back)))).toBe(serializeGraphFile(back))
  })

  it('lets a link win over a stale widget value of the same input', () => {
    const back = fromEditorGraph({
      nodes: [
        { id: 'a', type: 'PrimitiveSeed', version: 1, pos: [0, 0], widgets: { value: 3 }, inputLinks: {} },
        { id: 'b', type: 'TSCDSampler', version: 1, pos: [0, 0], widgets: { seed: 5 }, inputLinks: { seed: { from: 'a', output: 'value' } } },
      ],
      groups: [],
      viewport: DEFAULT_VIEWPORT,
    })
    expect(back.nodes[1]!.inputs).toEqual({ seed: { from: ['a', 'value'] } })
  })

  it('refuses invalid editor state with the field at fault', () => {
    const base = toEditorGraph(graph)
    const dup = { ...base, nodes: [...base.nodes, { ...base.nodes[0]! }] }
    expect(() => fromEditorGraph(dup)).toThrow('editor graph: duplicate node id "1"')
    const badPos = { ...base, nodes: [{ ...base.nodes[0]!, pos: [Number.NaN, 0] as [number, number] }] }
    expect(() => fromEditorGraph(badPos)).toThrow(GraphFileError)
    expect(() => fromEditorGraph(badPos)).toThrow('layout.nodes["1"].pos')
  })
})

describe('autoPositions', () => {
  it('terminates on cycles', () => {
    const cyclic = parseGraphFile(
      '{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":"a","type":"X","inputs":{"i":{"from":["b","o"]}}},{"id":"b","type":"X","inputs":{"i":{"from":["a","o"]}}}]}',
    )
    expect([...autoPositions(cyclic).keys()]).toEqual(['a', 'b'])
  })
})
