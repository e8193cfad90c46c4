import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GraphFileError, migrateGraph, parseGraphFile, parseGraphFileWithWarnings, serializeGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'

const fixture = readFileSync(new URL('./fixtures/hyper-sd-graph.json', import.meta.url), 'utf8')

function graphWith(patch: (doc: Record<string, unknown> & { nodes: Record<string, unknown>[] }) => void): string {
  const doc = JSON.parse(fixture) as Record<string, unknown> & { nodes: Record<string, unknown>[] }
  patch(doc)
  return JSON.stringify(doc, null, 2)
}

function errorOf(fn: () => unknown): GraphFileError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(GraphFileError)
    return error as GraphFileError
  }
  throw new Error('expected a GraphFileError')
}

describe('parseGraphFile', () => {
  it('accepts a full graph, normalising integer ids and defaulting versions', () => {
    const graph = parseGraphFile(fixture, 'cat.json')
    expect(graph.nodes.map((n) => n.id)).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    expect(graph.nodes[2]!.version).toBe(1)
    expect(graph.nodes[3]!.inputs['latent']).toEqual({ from: ['3', 'latent'] })
    expect(graph.nodes[3]!.inputs['timesteps']).toBeNull()
    expect(graph.nodes[3]!.title).toBe('Sampler')
    expect(graph.nodes[0]!.title).toBe('Tiny SD1.5')
    expect(graph.nodes[1]!.title).toBeUndefined()
    expect(graph.layout?.nodes?.['4']?.controls).toEqual({ seed: 'randomize' })
    expect(graph.layout?.groups?.[0]?.bounding).toEqual([0, 0, 600, 400])
    expect(graph.metadata?.name).toBe('Tiny SD1.5, 4 steps')
    expect(graph.nodes[6]!.inputs['text']).toBe('Héllo — ünïcode ✓')
  })

  it('accepts a minimal graph without layout, titles or versions', () => {
    const graph = parseGraphFile('{"format":"hyper-sd-studio/graph","version":1,"nodes":[{"id":1,"type":"Note"}]}')
    expect(graph).toEqual({ format: 'hyper-sd-studio/graph', version: 1, nodes: [{ id: '1', type: 'Note', version: 1, inputs: {} }] })
  })

  it('reports schema failures with the JSON path and source', () => {
    const bad = graphWith((doc) => {
      ;(doc.nodes[3]!['inputs'] as Record<string, unknown>)['steps'] = [4]
    })
    const error = errorOf(() => parseGraphFile(bad, 'bad.json'))
    expect(error.message).toMatch(/^bad\.json: nodes\[3\]\.inputs\.steps: expected a number, string, boolean, null or a link/)
    expect(error.path).toBe('nodes[3].inputs.steps')
    expect(error.message).not.toContain('\n')
  })

  it.each([
    ['a node without type', (d: { nodes: Record<string, unknown>[] }) => delete d.nodes[1]!['type'], 'nodes[1].type: missing (expected string)'],
    ['a node id of the wrong type', (d: { nodes: Record<string, unknown>[] }) => (d.nodes[0]!['id'] = true), 'nodes[0].id: expected a node id'],
    ['an unknown node key', (d: { nodes: Record<string, unknown>[] }) => (d.nodes[2]!['input'] = {}), 'nodes[2]: unknown key "input"'],
    [
      'a link with one element',
      (d: { nodes: Record<string, unknown>[] }) => ((d.nodes[4]!['inputs'] as Record<string, unknown>)['vae'] = { from: ['1'] }),
      'nodes[4].inputs.vae: expected a number, string, boolean, null or a link',
    ],
    ['a version 0 node', (d: { nodes: Record<string, unknown>[] }) => (d.nodes[0]!['version'] = 0), 'nodes[0].version'],
    [
      'a bad layout position',
      (d: Record<string, unknown>) => (((d['layout'] as { nodes: Record<string, { pos: unknown }> }).nodes['1']!.pos = [1]), undefined),
      'layout.nodes["1"].pos: expected [x, y]',
    ],
  ])('rejects %s', (_name, patch, message) => {
    const error = errorOf(() => parseGraphFile(graphWith(patch as (d: Record<string, unknown> & { nodes: Record<string, unknown>[] }) => void)))
    expect(error.message).toContain(message)
  })

  it('rejects duplicate node ids, also when one was an integer', () => {
    const bad = graphWith((doc) => {
      doc.nodes[1]!['id'] = 1
    })
    expect(errorOf(() => parseGraphFile(bad)).message).toBe('nodes[1].id: duplicate node id "1"')
  })

  it('rejects other formats and versions with a clear message', () => {
    expect(errorOf(() => parseGraphFile(graphWith((d) => (d['format'] = 'litegraph')))).message).toBe(
      'format: unsupported format "litegraph" (expected "hyper-sd-studio/graph")',
    )
    expect(errorOf(() => parseGraphFile(graphWith((d) => (d['version'] = 2)))).message).toBe(
      'version: graph file version 2 is newer than this build reads (1)',
    )
    expect(errorOf(() => parseGraphFile(graphWith((d) => delete d['version']))).message).toContain('unsupported version null')
    expect(errorOf(() => parseGraphFile('{"nodes":[],"links":[],"version":0.4}', 'wf.json')).message).toBe(
      'wf.json: this is a ComfyUI workflow, not a Hyper-SD Studio graph; import it as a ComfyUI workflow',
    )
    expect(errorOf(() => parseGraphFile('[1,2]')).message).toBe('expected a JSON object at the top level')
  })

  it('gives line:column for malformed JSON', () => {
    const text = '{\n  "format": "hyper-sd-studio/graph",\n  "version": 1,\n  "nodes": [\n    { "id": "1", "type": "Note", }\n  ]\n}'
    const error = errorOf(() => parseGraphFile(text, 'broken.json'))
    expect(error.message).toBe(`broken.json: malformed JSON: expected a property name in double quotes, found '}' at line 5:34`)
    expect(errorOf(() => parseGraphFile('{"a": tru}')).message).toBe(`malformed JSON: unexpected 't' at line 1:7`)
    expect(errorOf(() => parseGraphFile('{"a": "x')).message).toBe('malformed JSON: unterminated string at line 1:7')
    expect(errorOf(() => parseGraphFile('')).message).toBe('malformed JSON: empty document at line 1:1')
    expect(errorOf(() => parseGraphFile('{"a": 1} x')).message).toBe(`malformed JSON: unexpected 'x' after the JSON value at line 1:10`)
    expect(errorOf(() => parseGraphFile('{"a": 1, "a": 2}')).message).toBe('malformed JSON: duplicate key "a" in (root) at line 1:10')
  })

  it('drops layout entries for unknown nodes with a warning', () => {
    const text = graphWith((d) => {
      ;(d['layout'] as { nodes: Record<string, unknown> }).nodes['99'] = { pos: [0, 0] }
    })
    const { graph, warnings } = parseGraphFileWithWarnings(text)
    expect(Object.keys(graph.layout!.nodes!)).toEqual(['1', '4'])
    expect(warnings).toEqual(['layout.nodes.99: no node with id "99", layout entry dropped'])
  })
})

describe('serializeGraphFile', () => {
  it('round-trips: parse(serialize(g)) equals g, and serialising again gives the same text', () => {
    const graph = parseGraphFile(fixture)
    const text = serializeGraphFile(graph)
    expect(text.endsWith('}\n')).toBe(true)
    expect(parseGraphFile(text)).toEqual(graph)
    expect(serializeGraphFile(parseGraphFile(text))).toBe(text)
  })

  it('writes a stable key order with short arrays and links on one line', () => {
    const text = serializeGraphFile(parseGraphFile(fixture))
    const lines = text.split('\n')
    expect(lines.slice(0, 3)).toEqual(['{', '  "format": "hyper-sd-studio/graph",', '  "version": 1,'])
    expect(text).toContain('"clip": { "from": ["1", "clip"] },')
    expect(text).toContain('"1": { "pos": [40, 80], "size": [300, 120], "collapsed": false, "color": "#335" }')
    // node keys in order id, type, version, title, inputs, whatever order the file had
    const node4 = text.slice(text.indexOf('"id": "4"'))
    expect(node4.indexOf('"type"')).toBeLessThan(node4.indexOf('"version"'))
    expect(node4.indexOf('"version"')).toBeLessThan(node4.indexOf('"title"'))
    expect(node4.indexOf('"title"')).toBeLessThan(node4.indexOf('"inputs"'))
  })
})

describe('migrateGraph', () => {
  const registry = {
    get(type: string) {
      if (type === 'TSCDSampler') {
        return {
          version: 3,
          migrate(inputs: Record<string, unknown>, from: number) {
            const out = { ...inputs }
            if (from < 2) {
              out['cfg_scale'] = out['cfg']
              delete out['cfg']
            }
            if (from < 3) out['eta'] = 1
            return out
          },
        }
      }
      if (type === 'Note') return { version: 1 }
      if (type === 'SaveImage') return { version: 1 }
      return undefined
    },
  }

  it('applies migrations to older nodes and reports them, leaving the input unchanged', () => {
    const graph = parseGraphFile(fixture)
    const before = structuredClone(graph)
    const { graph: migrated, migrated: report, warnings } = migrateGraph(graph, registry)
    expect(report).toEqual([{ id: '4', type: 'TSCDSampler', from: 1, to: 3 }])
    expect(warnings).toEqual([])
    const sampler = migrated.nodes[3]!
    expect(sampler.version).toBe(3)
    expect(sampler.inputs['cfg_scale']).toBe(1)
    expect(sampler.inputs['cfg']).toBeUndefined()
    expect(sampler.inputs['eta']).toBe(1)
    expect(graph).toEqual(before)
  })

  it('warns about nodes saved by a newer build and leaves them alone', () => {
    const graph: GraphFile = parseGraphFile(graphWith((d) => (d.nodes[5]!['version'] = 4)))
    const { migrated, warnings } = migrateGraph(graph, registry)
    expect(warnings).toEqual(['node 6 (SaveImage): saved with version 4, this build has version 1'])
    expect(migrated.map((m) => m.id)).toEqual(['4'])
  })

  it('rejects migration output that is not a valid input value', () => {
    const graph = parseGraphFile(fixture)
    const broken = { get: (type: string) => (type === 'Note' ? { version: 2, migrate: () => ({ text: { nested: true } }) } : undefined) }
    expect(() => migrateGraph(graph, broken)).toThrow('node 7 (Note) migration from version 1 produced an invalid value for input "text"')
  })
})

describe('serialize/parse round trip on generated graphs', () => {
  const id = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !['__proto__', 'constructor', 'prototype'].includes(s))
  const inputName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((s) => !['__proto__', 'constructor', 'prototype'].includes(s))
  const literal = fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'grapheme' }))
  const value = fc.oneof(literal, fc.record({ from: fc.tuple(id, fc.string({ minLength: 1, maxLength: 8 })) }))
  const vec2 = fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
  const graphArb = fc
    .uniqueArray(
      fc.record(
        {
          id,
          type: fc.constantFrom('LoadPipeline', 'CLIPTextEncode', 'TSCDSampler', 'Note'),
          version: fc.integer({ min: 1, max: 4 }),
          title: fc.string({ unit: 'grapheme' }),
          inputs: fc.dictionary(inputName, value, { maxKeys: 6 }),
        },
        { requiredKeys: ['id', 'type', 'version', 'inputs'] },
      ),
      { selector: (n) => n.id, maxLength: 8 },
    )
    .chain((nodes) =>
      fc.record({
        nodes: fc.constant(nodes),
        layout: fc.dictionary(fc.constantFrom(...nodes.map((n) => n.id), 'x'), fc.record({ pos: vec2, size: vec2 }, { requiredKeys: ['pos'] })),
      }),
    )
    .map(({ nodes, layout }) => ({
      format: 'hyper-sd-studio/graph' as const,
      version: 1 as const,
      nodes,
      layout: { nodes: Object.fromEntries(Object.entries(layout).filter(([k]) => nodes.some((n) => n.id === k))) },
    }))

  it('parse(serialize(g)) equals g and serialising again gives the same text', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const text = serializeGraphFile(graph)
        const back = parseGraphFile(text)
        expect(back).toEqual(JSON.parse(JSON.stringify(graph)))
        expect(serializeGraphFile(back)).toBe(text)
      }),
      { numRuns: 300, seed: 20261125 },
    )
  })
})
