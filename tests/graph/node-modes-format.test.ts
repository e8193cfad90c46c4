// The graph file carries node modes (bypass, mute) and the editor's collapse, pin and colour; the CLI's exec graph
// keeps the modes, so a graph runs the same from the command line as in the editor.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { toExecGraph } from '../../src/graph/exec.js'
import { GraphFileError, parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'

const fixture = readFileSync(new URL('./fixtures/hyper-sd-graph.json', import.meta.url), 'utf8')

function withTools(): string {
  const doc = JSON.parse(fixture) as { nodes: Record<string, unknown>[]; layout: { nodes: Record<string, Record<string, unknown>> } }
  doc.nodes[1]!['mode'] = 'bypass'
  doc.nodes[6]!['mode'] = 'mute'
  const id = String(doc.nodes[2]!['id'])
  doc.layout.nodes[id] = { ...doc.layout.nodes[id], pos: [1, 2], collapsed: true, pinned: true, color: '#323', bgcolor: '#535' }
  return JSON.stringify(doc)
}

describe('node modes, collapse, pin and colours in the graph file', () => {
  it('round-trip through parse and serialize, with mode after inputs and pinned after collapsed', () => {
    const graph = parseGraphFile(withTools())
    expect(graph.nodes.map((n) => n.mode)).toEqual([undefined, 'bypass', undefined, undefined, undefined, undefined, 'mute'])
    const id = graph.nodes[2]!.id
    expect(graph.layout?.nodes?.[id]).toMatchObject({ collapsed: true, pinned: true, color: '#323', bgcolor: '#535' })
    const text = serializeGraphFile(graph)
    expect(parseGraphFile(text)).toEqual(graph)
    expect(serializeGraphFile(parseGraphFile(text))).toBe(text)
    expect(text).toMatch(/"inputs": [^\n]*(\n[^\n]*)*?\n\s*"mode": "bypass"/)
    expect(text).toMatch(/"collapsed": true, "pinned": true, "color": "#323"/)
  })

  it('refuses an unknown mode, naming the path', () => {
    const text = withTools().replace('"mode":"bypass"', '"mode":"never"')
    const error = (() => {
      try {
        parseGraphFile(text, 'g.json')
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(GraphFileError)
    expect((error as GraphFileError).message).toContain('nodes[1].mode')
  })

  it('a file without modes stays as it was (no mode keys written)', () => {
    const plain = parseGraphFile(fixture)
    expect(serializeGraphFile(plain)).not.toContain('"mode"')
  })

  it('toExecGraph keeps the modes for the engine', () => {
    const exec = toExecGraph(parseGraphFile(withTools()))
    expect(exec.nodes.map((n) => n.mode ?? '-')).toEqual(['-', 'bypass', '-', '-', '-', '-', 'mute'])
  })
})
