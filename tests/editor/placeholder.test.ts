// @vitest-environment happy-dom
// Placeholder nodes: ComfyUI nodes with no equivalent, and unknown types in our own files, load onto the canvas,
// keep their data and links, and are written back unchanged; the import report travels with the graph.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LGraph } from '@comfyorg/litegraph'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkLoadable, fileToGraph, graphToFile } from '../../src/editor/document.js'
import { importReportOf } from '../../src/editor/import-report.js'
import { registerNodeTypes } from '../../src/editor/node-types.js'
import { isPlaceholderNode } from '../../src/editor/placeholder-node.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { nodeDefinitions } from '../../nodes/index.js'

const definitions = new Map(nodeDefinitions.map((d) => [d.type, d]))
const workflow = readFileSync(resolve(import.meta.dirname, '../graph/fixtures/comfyui/default-lora-note.workflow.json'), 'utf8')

beforeAll(() => registerNodeTypes(nodeDefinitions))

function throughCanvas(file: GraphFile): { graph: LGraph; back: GraphFile } {
  checkLoadable(file, definitions)
  const graph = new LGraph()
  fileToGraph(file, graph)
  return { graph, back: graphToFile(graph) }
}

describe('placeholders on the canvas', () => {
  const imported = importComfyUI(workflow, 'upscale.json').graph

  it('shows ComfyUI nodes with no equivalent as placeholders with their slots and links', () => {
    const { graph } = throughCanvas(imported)
    const upscaler = graph.getNodeById(13)
    expect(isPlaceholderNode(upscaler)).toBe(true)
    if (!isPlaceholderNode(upscaler)) return
    expect(upscaler.missingType).toBe('ImageUpscaleWithModel')
    expect(upscaler.inputs.map((i) => i.name)).toEqual(['upscale_model', 'image'])
    expect(upscaler.slotTypes.inputs.map((i) => i.type)).toEqual(['UPSCALE_MODEL', 'IMAGE'])
    expect(upscaler.outputs.map((o) => o.name)).toEqual(['IMAGE'])
    expect(upscaler.inputs.every((i) => i.link != null)).toBe(true) // from the loader placeholder and from VAEDecode
    expect(upscaler.outputs[0]!.links?.length).toBe(1) // into Save Image 14
    const loader = graph.getNodeById(12)
    expect(isPlaceholderNode(loader) && loader.valueLines).toEqual(['#1: 4x-UltraSharp.pth'])
  })

  it('writes placeholders back with their type, data, links, position, size and title', () => {
    const { back } = throughCanvas(imported)
    for (const id of ['12', '13', '14']) {
      expect(back.nodes.find((n) => n.id === id)).toEqual(imported.nodes.find((n) => n.id === id))
    }
    expect(back.layout?.nodes?.['12']).toEqual(imported.layout?.nodes?.['12'])
    // A save -> reopen -> save cycle is stable.
    const again = throughCanvas(parseGraphFile(serializeGraphFile(back))).back
    expect(serializeGraphFile(again)).toBe(serializeGraphFile(back))
  })

  it('keeps the import report with the graph, in the saved metadata', () => {
    const { graph, back } = throughCanvas(imported)
    expect(importReportOf(graph)?.placeholders).toHaveLength(2)
    expect(back.metadata?.importReport).toEqual(imported.metadata?.importReport)
  })

  it('loads an unknown type in our own format as a placeholder instead of refusing the file', () => {
    const file = parseGraphFile(
      JSON.stringify({
        format: 'hyper-sd-studio/graph',
        version: 1,
        nodes: [
          { id: '1', type: 'FancyNewLoader', version: 3, title: 'From a newer build', inputs: { strength: 0.5, name: 'x' } },
          { id: '2', type: 'VAEDecode', inputs: { vae: { from: ['1', 'vae'] } } },
        ],
      }),
    )
    const { graph, back } = throughCanvas(file)
    const node = graph.getNodeById(1)
    expect(isPlaceholderNode(node) && node.outputs.map((o) => o.name)).toEqual(['vae'])
    expect(back.nodes[0]).toEqual({ id: '1', type: 'FancyNewLoader', version: 3, title: 'From a newer build', inputs: { strength: 0.5, name: 'x' } })
    expect(back.nodes[1]!.inputs['vae']).toEqual({ from: ['1', 'vae'] })
  })
})
