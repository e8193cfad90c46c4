// Every graph in graphs/ goes to ComfyUI and back (UI workflow and API prompt) with the same meaning: node types,
// links, non-default input values and modes. With properties.hypersd the round trip is exact; without it only the
// translation travels, which is compared for the nodes that have a ComfyUI counterpart, minus what the
// translation says it cannot carry.
import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { NodeRegistry, isWidget } from '../../src/engine/index.js'
import { exportComfyPrompt, exportComfyWorkflow, type ComfyExportOptions } from '../../src/graph/comfyui-export.js'
import { EXPORTED_AS } from '../../src/graph/comfyui-export-nodes.js'
import { importComfyDocument } from '../../src/graph/comfyui.js'
import { migrateGraph, parseGraphFile } from '../../src/graph/parse.js'
import { isGraphLink, type GraphFile, type GraphNode } from '../../src/graph/schema.js'
import type { JsonValue } from '../../src/graph/safe-json.js'
import { nodeDefinitions } from '../../nodes/index.js'

const registry = new NodeRegistry(nodeDefinitions)
const describeType = (type: string) => registry.get(type)
const graphsDir = new URL('../../graphs/', import.meta.url)
const shipped = readdirSync(graphsDir).filter((f) => f.endsWith('.json'))

function load(name: string): GraphFile {
  return migrateGraph(parseGraphFile(readFileSync(new URL(name, graphsDir), 'utf8'), name), registry).graph
}

/** Through JSON text, as a file would carry it. */
function reimport(document: object): GraphFile {
  return migrateGraph(importComfyDocument(JSON.parse(JSON.stringify(document)) as JsonValue).graph, registry).graph
}

interface Meaning {
  type: string
  mode?: string
  links: Record<string, string>
  values: Record<string, unknown>
}

/** A node's meaning: its type, mode, links and the input values that differ from the declaration's defaults. */
function meaning(node: GraphNode): Meaning {
  const definition = registry.get(node.type)
  const links: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(node.inputs)) {
    if (isGraphLink(value)) links[name] = value.from.join('.')
    else {
      const spec = definition?.inputs[name]
      if (!(spec && isWidget(spec) && spec.default === value)) values[name] = value
    }
  }
  return { type: node.type, ...(node.mode ? { mode: node.mode } : {}), links, values }
}

function meanings(graph: GraphFile, keep: (node: GraphNode) => boolean = () => true): Record<string, Meaning> {
  return Object.fromEntries(graph.nodes.filter(keep).map((n) => [n.id, meaning(n)]))
}

const withCounterpart = (node: GraphNode): boolean => Object.hasOwn(EXPORTED_AS, node.type)

/**
 * What the translation alone cannot carry, removed from both sides: how a LoRA is applied (mode), tiled decoding
 * settings, eta outside TCD, guidance_rescale, and where a file is found (ComfyUI names files in its own folders).
 */
function translationOnly(m: Meaning): Meaning {
  const values = { ...m.values }
  if (m.type === 'UNetLoRA') delete values['mode']
  if (m.type === 'VAEDecode') for (const k of ['tiling', 'tile_size', 'tile_overlap']) delete values[k]
  if (m.type === 'TSCDSampler') {
    // The CFG preset runs the plain DDIM-trailing schedule (they differ only in their suggested defaults), and
    // ComfyUI's KSampler "ddim" is the translation of both.
    if (values['scheduler'] === 'ddim-trailing-cfg') delete values['scheduler']
    if (values['scheduler'] !== 'tcd') delete values['eta']
    delete values['guidance_rescale']
  }
  for (const k of ['lora', 'weights']) if (typeof values[k] === 'string') values[k] = (values[k] as string).split('/').pop()
  return { ...m, values }
}

/** The empty negative prompt the export adds for ComfyUI (cfg 1 ignores it) comes back as a node of ours. */
function withoutAddedNegatives(graph: GraphFile, original: GraphFile): GraphFile {
  const added = new Set(graph.nodes.filter((n) => !original.nodes.some((o) => o.id === n.id) && n.type === 'CLIPTextEncode' && n.inputs['text'] === '').map((n) => n.id))
  const nodes = graph.nodes.filter((n) => !added.has(n.id)).map((n) => {
    const negative = n.inputs['negative']
    if (!isGraphLink(negative) || !added.has(negative.from[0])) return n
    const { negative: _, ...inputs } = n.inputs
    return { ...n, inputs }
  })
  return { ...graph, nodes }
}

describe('ours -> ComfyUI -> ours', () => {
  it.each(shipped)('%s: UI workflow with properties.hypersd comes back exactly, layout included', (name) => {
    const graph = load(name)
    const back = reimport(exportComfyWorkflow(graph, { describe: describeType }).document)
    expect(meanings(back)).toEqual(meanings(graph))
    expect(back.metadata?.['importReport']).toBeUndefined()
    for (const node of graph.nodes) {
      const layout = graph.layout?.nodes?.[node.id]
      if (layout) expect(back.layout?.nodes?.[node.id], node.id).toEqual(layout)
    }
    expect(back.layout?.groups).toEqual(graph.layout?.groups ?? [])
    expect(back.layout?.viewport).toEqual(graph.layout?.viewport ?? { offset: [0, 0], scale: 1 })
  })

  it.each(shipped)('%s: API prompt with _meta.hypersd comes back exactly (notes aside: a prompt has none)', (name) => {
    const graph = load(name)
    const back = reimport(exportComfyPrompt(graph, { describe: describeType }).document)
    expect(meanings(back)).toEqual(meanings(graph, (n) => n.type !== 'Note'))
  })

  it.each(shipped)('%s: the translation alone keeps the meaning of every node with a counterpart', (name) => {
    const graph = load(name)
    const options: ComfyExportOptions = { describe: describeType, properties: false }
    const keptAsIs = new Set(graph.nodes.filter((n) => !withCounterpart(n)).map((n) => n.id))
    for (const [format, document] of [['workflow', exportComfyWorkflow(graph, options).document], ['prompt', exportComfyPrompt(graph, options).document]] as const) {
      // A prompt names no output slots: a link from a node kept under our type is compared by its source node.
      const sourcesOnly = (m: Meaning): Meaning =>
        format === 'workflow' ? m : { ...m, links: Object.fromEntries(Object.entries(m.links).map(([k, v]) => [k, keptAsIs.has(v.split('.')[0]!) ? v.split('.')[0]! : v])) }
      const back = withoutAddedNegatives(reimport(document), graph)
      const theirs = Object.fromEntries(Object.entries(meanings(back, withCounterpart)).map(([id, m]) => [id, sourcesOnly(translationOnly(m))]))
      // A prompt carries no notes.
      const ours = Object.fromEntries(
        Object.entries(meanings(graph, (n) => withCounterpart(n) && (format === 'workflow' || n.type !== 'Note'))).map(([id, m]) => [id, sourcesOnly(translationOnly(m))]),
      )
      expect(theirs, format).toEqual(ours)
    }
  })
})

describe('tiled VAE decoding and ComfyUI', () => {
  const tiled = (inputs: Record<string, string | number>): GraphFile => {
    const graph = load('tiny-sd15-4step.json')
    return { ...graph, nodes: graph.nodes.map((n) => (n.id === '5' ? { ...n, inputs: { ...n.inputs, ...inputs } } : n)) }
  }
  const comfyNode = (document: object, type: string) => (document as { nodes: { type: string; widgets_values: JsonValue[] }[] }).nodes.find((n) => n.type === type)

  it('tiling on goes to ComfyUI as VAEDecodeTiled and comes back with its tile size and overlap', () => {
    const { document, warnings } = exportComfyWorkflow(tiled({ tiling: 'on', tile_size: 256, tile_overlap: 64 }), { describe: describeType, properties: false })
    expect(comfyNode(document, 'VAEDecodeTiled')?.widgets_values).toEqual([256, 64, 64, 8])
    expect(comfyNode(document, 'VAEDecode')).toBeUndefined()
    expect(warnings.filter((w) => w.startsWith('node 5 '))).toEqual([])
    const back = reimport(document).nodes.find((n) => n.type === 'VAEDecode')!
    expect(back.inputs).toMatchObject({ tiling: 'on', tile_size: 256, tile_overlap: 64 })
    expect(Object.keys(back.inputs).filter((k) => isGraphLink(back.inputs[k]))).toEqual(['vae', 'latent'])
  })

  it('says what ComfyUI will not do: a wide overlap cut to a quarter of the tile, shared tile statistics', () => {
    const { warnings } = exportComfyWorkflow(tiled({ tiling: 'on', tile_size: 256, tile_overlap: 128, tile_norm: 'synced' }), { describe: describeType, properties: false })
    expect(warnings.join('\n')).toContain('ComfyUI cuts a tile overlap over a quarter of the tile: 128 px becomes 64 px')
    expect(warnings.join('\n')).toContain("tile_norm synced is left out: ComfyUI's tiles use their own GroupNorm statistics")
    const untiled = exportComfyWorkflow(tiled({ tiling: 'off', tile_norm: 'synced' }), { describe: describeType, properties: false }).warnings
    expect(untiled.filter((w) => w.startsWith('node 5 '))).toEqual([])
  })

  it("imports ComfyUI's VAEDecodeTiled with its own overlap rule (at most a quarter of the tile)", () => {
    const { document } = exportComfyWorkflow(tiled({ tiling: 'on' }), { describe: describeType, properties: false })
    comfyNode(document, 'VAEDecodeTiled')!.widgets_values = [480, 256, 64, 8]
    expect(reimport(document).nodes.find((n) => n.type === 'VAEDecode')!.inputs).toMatchObject({ tiling: 'on', tile_size: 480, tile_overlap: 120 })
  })
})
