// @vitest-environment happy-dom
// Issue 14 §2, "done when": loading is all or nothing. Through the editor's own path (the graph store's loadText,
// the GraphEditor on a litegraph canvas), any text either loads whole, with a repair report naming what was
// changed, or is refused and leaves the open graph exactly as it was (nodes, links, values, layout, viewport, name).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, describe, expect, it } from 'vitest'
import { nodeDefinitions } from '../../nodes/index.js'
import { GraphEditor } from '../../src/editor/editor.js'
import { EDITOR_MAX_NODES } from '../../src/graph/load-limits.js'
import { computeLoadRepairs } from '../../src/graph/load-repairs.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { isGraphLink, type GraphFile } from '../../src/graph/schema.js'
import { isSocket } from '../../src/engine/spec.js'
import { useGraph } from '../../src/stores/graph.js'
import { ROOT } from '../cli/run-cli.js'

const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
const START = readFileSync(join(ROOT, 'graphs', 'tiny-sd15-4step.json'), 'utf8')

/** A 2D context that draws nothing: happy-dom has no canvas, and nothing here depends on pixels. */
function stubCanvasContext(): void {
  const ctx: object = new Proxy(
    {},
    {
      get: (target: Record<string, unknown>, key: string) =>
        key in target ? target[key] : key === 'measureText' ? (text: string) => ({ width: text.length * 7 }) : () => ctx,
      set: (target: Record<string, unknown>, key: string, value: unknown) => {
        target[key] = value
        return true
      },
    },
  )
  HTMLCanvasElement.prototype.getContext = (() => ctx) as never
}

let store: ReturnType<typeof useGraph>
let editor: GraphEditor

beforeAll(async () => {
  stubCanvasContext()
  setActivePinia(createPinia())
  const host = document.createElement('div')
  const canvas = document.createElement('canvas')
  host.appendChild(canvas)
  document.body.appendChild(host)
  const ignore = (): void => undefined
  editor = new GraphEditor(canvas, nodeDefinitions, { changed: ignore, refused: ignore, prompt: ignore, contextMenu: ignore, search: ignore, rename: ignore })
  editor.canvas.stopRendering()
  store = useGraph()
  store.editor = editor
  await store.loadText(START, 'start')
})

// ---- arbitrary files -------------------------------------------------------------------------------------------

const TYPES = ['LoadPipeline', 'UNetLoRA', 'CLIPTextEncode', 'EmptyLatent', 'TSCDSampler', 'VAEDecode', 'PreviewImage', 'Note', 'NoSuchNode']
const OUTPUTS = ['unet', 'clip', 'vae', 'conditioning', 'latent', 'image', 'nothing']
const HOSTILE = ['__proto__', 'constructor', 'prototype']
/** True once in `n` draws: each kind of damage is rare, so that many files are otherwise valid. */
const rare = (n: number) => fc.integer({ min: 1, max: n }).map((k) => k === 1)

/** A link to a node of the file, usually from one of its declared outputs (any of OUTPUTS for an unknown type). */
const linkTo = (types: readonly string[]) =>
  fc.integer({ min: 0, max: types.length }).chain((index) => {
    const def = definitions.get(types[index] ?? '')
    const outputs = def ? Object.keys(def.outputs) : OUTPUTS
    const output = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...(outputs.length > 0 ? outputs : OUTPUTS)) }, { weight: 1, arbitrary: fc.constantFrom(...OUTPUTS) })
    return output.map((name) => ({ from: [String(index + 1), name] }))
  })
const value = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double({ noNaN: true }), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null))
const coordinate = fc.oneof(fc.integer({ min: -2000, max: 2000 }), fc.constantFrom(1e308, -1e12, 0.5))

/** The inputs a node of `type` may be given: its declared names (any for an unknown type). */
function inputNames(type: string): string[] {
  const def = definitions.get(type)
  return def ? Object.keys(def.inputs) : ['unet', 'latent', 'text']
}

/** A declared widget's default most of the time, so that many files are valid; otherwise any value. */
function inputValue(type: string, name: string, types: readonly string[]): fc.Arbitrary<unknown> {
  const spec = definitions.get(type)?.inputs[name]
  if (spec && isSocket(spec)) return fc.oneof({ weight: 6, arbitrary: linkTo(types) }, { weight: 1, arbitrary: value })
  const fallback = spec && 'default' in spec ? fc.constant<unknown>(spec.default) : value
  return fc.oneof({ weight: 8, arbitrary: fallback }, { weight: 1, arbitrary: value }, { weight: 1, arbitrary: linkTo(types) })
}

const node = (type: string, types: readonly string[]) =>
    fc.record({
      type: fc.constant(type),
      inputs: fc
        .subarray(inputNames(type))
        .chain((names) => fc.tuple(...names.map((name) => inputValue(type, name, types).map((v) => [name, v] as const))))
        .map((pairs) => Object.fromEntries(pairs)),
      bogusInput: rare(30),
      pos: fc.option(fc.tuple(coordinate, coordinate)),
      title: fc.option(fc.string({ maxLength: 12 })),
      duplicateId: rare(40),
    })

/** Graphs of known and unknown nodes with real input names, right and wrong links (types, self-loops, cycles). */
const graphDoc = fc.array(fc.constantFrom(...TYPES), { maxLength: 12 }).chain((types) =>
  fc.record({
    format: rare(15).map((wrong) => (wrong ? 'comfy' : 'hyper-sd-studio/graph')),
    version: fc.oneof({ weight: 12, arbitrary: fc.constant<unknown>(1) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 2, '1', null) }),
    nodes: fc.tuple(...types.map((type) => node(type, types))),
    viewport: fc.option(fc.record({ offset: fc.tuple(coordinate, coordinate), scale: fc.constantFrom(0.5, 1, 1000, 0.001, 1, 1, 1, 1, 1, 0) })),
  }).map(({ format, version, nodes, viewport }) => {
    const layout: Record<string, { pos: [number, number] }> = {}
    const entries = nodes.map((n, i) => {
      const id = n.duplicateId && i > 0 ? '1' : String(i + 1)
      if (n.pos) layout[id] = { pos: n.pos }
      const inputs = n.bogusInput ? { ...n.inputs, bogus: 1 } : n.inputs
      return { id, type: n.type, version: 1, ...(n.title !== null ? { title: n.title } : {}), inputs }
    })
    return { format, version, nodes: entries, layout: { nodes: layout, ...(viewport ? { viewport } : {}) } }
  }),
)

/** A graph document as text, sometimes with a hostile key spliced in where a key may stand. */
const graphText = fc.tuple(graphDoc, fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) })).map(([doc, hostile]) => {
  const text = JSON.stringify(doc)
  return hostile ? text.replace('"nodes":', `"${hostile}":{"polluted":true},"nodes":`) : text
})

const oversized = fc.constant(
  JSON.stringify({
    format: 'hyper-sd-studio/graph',
    version: 1,
    nodes: Array.from({ length: EDITOR_MAX_NODES + 1 }, (_, i) => ({ id: String(i + 1), type: 'Note', version: 1, inputs: { text: 'n' } })),
  }),
)

const anyText = fc.oneof(
  { weight: 12, arbitrary: graphText },
  { weight: 2, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: graphText.map((t) => t.slice(0, Math.floor(t.length / 2))) },
  { weight: 1, arbitrary: oversized },
)

// ---- the property ---------------------------------------------------------------------------------------------

interface OpenState {
  snapshot: string
  viewport: string
  name: string
}

function openState(): OpenState {
  return { snapshot: editor.snapshot(), viewport: JSON.stringify(editor.viewport()), name: store.name }
}

function linkCount(file: GraphFile): number {
  return file.nodes.reduce((sum, n) => sum + Object.values(n.inputs).filter(isGraphLink).length, 0)
}

describe('loading a graph into the editor is all or nothing (issue 14 §2)', () => {
  it('any file loads whole with its repairs reported, or changes nothing', async () => {
    let loaded = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const before = openState()
        let error: unknown
        await store.loadText(text, 'arbitrary').catch((e: unknown) => (error = e))
        if (error !== undefined) {
          refused++
          expect(openState()).toEqual(before)
          expect(store.loadError).toContain('Could not open arbitrary')
          return
        }
        loaded++
        // Whole: every node of the file is on the canvas, and every link either is there or is named as dropped.
        const file = parseGraphFile(text)
        const planned = computeLoadRepairs(file, definitions)
        const shown = JSON.parse(editor.snapshot()) as GraphFile
        expect(shown.nodes.map((n) => n.id).sort()).toEqual(file.nodes.map((n) => n.id).sort())
        const dropped = (store.loadReport?.repairs ?? []).filter((line) => line.includes('dropped')).length
        expect(linkCount(shown) + dropped).toBe(linkCount(file))
        expect(store.loadReport?.repairs ?? []).toEqual(expect.arrayContaining([...planned.repairs]))
        if (planned.repairs.length > 0) expect(store.loadReport).not.toBeNull()
      }),
      { numRuns: 400, seed: Number(process.env['HYPERSD_FC_SEED'] ?? 20261204) },
    )
    // Both outcomes were exercised (a generator that only produced junk would prove nothing).
    expect(loaded).toBeGreaterThan(10)
    expect(refused).toBeGreaterThan(10)
  })

  it('a failure while building the canvas puts the open graph back as it was', async () => {
    const before = openState()
    // A node whose canvas construction throws part way through the build, after the open graph was cleared.
    const original = editor.graph.add.bind(editor.graph)
    let added = 0
    editor.graph.add = ((node: Parameters<typeof original>[0], skip?: boolean) => {
      if (++added === 3) throw new Error('simulated failure while building node 3')
      return original(node, skip)
    }) as typeof editor.graph.add
    try {
      await expect(store.loadText(START.replace('"Tiny SD1.5', '"Other'), 'second')).rejects.toThrow('simulated failure while building node 3')
    } finally {
      editor.graph.add = original as typeof editor.graph.add
    }
    expect(openState()).toEqual(before)
  })
})
