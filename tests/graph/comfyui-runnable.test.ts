// "Every import is runnable or says why": an imported workflow is validated against the real node declarations, and
// each issue that blocks a run is one report line naming the node, the input and what to do. Imported loader
// workflows run on the tiny models through --model mappings, as a user would run them.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NodeRegistry } from '../../src/engine/index.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { runnableReport, withRunnableReport } from '../../src/graph/comfyui-runnable.js'
import { openGraphText } from '../../src/graph/open.js'
import { parseGraphFile, serializeGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { decodePng } from '../../src/graph/png.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { ROOT, runCli } from '../cli/run-cli.js'
import { changedStateDict, loadUNet, seededChanges, torchStateDict } from '../helpers/unet-state-dict.js'

const registry = new NodeRegistry(nodeDefinitions)
const FIXTURES = join(ROOT, 'tests', 'graph', 'fixtures', 'comfyui')
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')
const tempDir = () => mkdtempSync(join(tmpdir(), 'hypersd-comfy-runnable-'))

type Workflow = { nodes: { id: number; type: string; mode: number; inputs?: unknown[]; widgets_values?: unknown[] }[] }
const placeholderWorkflow = (): Workflow => JSON.parse(read('runnable-placeholder.workflow.json')) as Workflow
const importDoc = (doc: Workflow) => importComfyUI(JSON.stringify(doc), 'doc.json')

const PLACEHOLDER_LINE =
  'node 3 (TSCDSampler) input "model": its source node 2 (FreeU_V2) has no equivalent here and is kept as a placeholder; reconnect "model" to node 1 (LoadPipeline) output "unet" (what node 2 takes in) to skip it, or remove node 2'

describe('the runnable check of an import', () => {
  it('names the input a placeholder blocks and the link that skips it, and keeps the line in the import report', () => {
    const result = importComfyUI(read('runnable-placeholder.workflow.json'), 'freeu.json')
    expect(runnableReport(result, registry)).toEqual([PLACEHOLDER_LINE])
    const { graph, blocking } = withRunnableReport(result, registry, 'freeu.json')
    expect(blocking).toEqual([PLACEHOLDER_LINE])
    expect(graph.metadata?.importReport?.blocking).toEqual([PLACEHOLDER_LINE])
    expect(graph.metadata?.importReport?.placeholders).toEqual(['node 2 (FreeU_V2): no equivalent, kept as a placeholder (a run that needs it fails)'])
    expect(parseGraphFile(serializeGraphFile(graph))).toEqual(graph)
  })

  it('offers an output of the right type when the placeholder has nothing to pass on', () => {
    const doc = placeholderWorkflow()
    const freeu = doc.nodes.find((n) => n.type === 'FreeU_V2')!
    freeu.type = 'UnetLoaderGGUF' // a custom loader: no inputs
    freeu.inputs = []
    expect(runnableReport(importDoc(doc), registry)).toEqual([
      'node 3 (TSCDSampler) input "model": its source node 2 (UnetLoaderGGUF) has no equivalent here and is kept as a placeholder; nothing here makes what it gives; remove node 2 and connect "model" to node 1 (LoadPipeline) output "unet"',
    ])
  })

  it('has nothing to say once the advice is followed', () => {
    const result = importComfyUI(read('runnable-placeholder.workflow.json'))
    const fixed: GraphFile = {
      ...result.graph,
      nodes: result.graph.nodes.map((n) => (n.id === '3' ? { ...n, inputs: { ...n.inputs, model: { from: ['1', 'unet'] } } } : n)),
    }
    expect(runnableReport({ graph: fixed, removedLinks: result.removedLinks }, registry)).toEqual([])
  })

  it('names the ComfyUI source of a link the import removed, and an output that can replace it', () => {
    const doc = placeholderWorkflow()
    doc.nodes.find((n) => n.type === 'FreeU_V2')!.mode = 2 // muted in ComfyUI: dropped here
    expect(runnableReport(importDoc(doc), registry)).toEqual([
      'node 3 (TSCDSampler) input "model": not connected (in ComfyUI it came from node 2 (FreeU_V2), which is muted and was dropped); connect it to node 1 (LoadPipeline) output "unet"',
    ])
  })

  it('says which muted node an input needs, and how to switch it back on', () => {
    const doc = placeholderWorkflow()
    doc.nodes.find((n) => n.type === 'FreeU_V2')!.mode = 4 // bypassed: MODEL passes through
    doc.nodes.find((n) => n.id === 4)!.mode = 2 // the positive prompt muted
    expect(runnableReport(importDoc(doc), registry)).toEqual([
      'node 3 (TSCDSampler), input "positive": takes output "conditioning" of node 4 (CLIPTextEncode), which is muted; switch that node back on (Ctrl+M) or connect the input to another output',
    ])
  })

  it('says how to set a value out of range, and what a graph with no output needs', () => {
    const doc = placeholderWorkflow()
    doc.nodes.find((n) => n.type === 'FreeU_V2')!.mode = 4
    doc.nodes.find((n) => n.type === 'EmptyLatentImage')!.widgets_values = [60, 64, 1]
    const [line] = runnableReport(importDoc(doc), registry)
    expect(line).toMatch(/^node 6 \(EmptyLatent\), input "width": .*; set a valid value in the node \(CLI: --set 6\.width=VALUE\)$/)
    doc.nodes = doc.nodes.filter((n) => n.type !== 'SaveImage')
    expect(runnableReport(importDoc(doc), registry)).toContain('the graph has no output node: add Save Image or Preview Image (fed by a VAE Decode)')
  })

  it('adds nothing to an import that can run', () => {
    const result = importComfyUI(read('loaders-sd15-lora.workflow.json'))
    expect(runnableReport(result, registry)).toEqual([])
    expect(withRunnableReport(result, registry).graph).toBe(result.graph)
  })

  it('is what hosts get when they open a ComfyUI file with their registry', () => {
    const opened = openGraphText(read('runnable-placeholder.workflow.json'), 'freeu.json', registry)
    expect(opened.blocking).toEqual([PLACEHOLDER_LINE])
    expect(opened.graph.metadata?.importReport?.blocking).toEqual([PLACEHOLDER_LINE])
    // without a registry (a pure conversion) nothing is checked
    expect(openGraphText(read('runnable-placeholder.workflow.json'), 'freeu.json').blocking).toEqual([])
  })
})

describe('hypersd import and run of ComfyUI loader workflows', () => {
  it('import prints what blocks a run and keeps it in the file', () => {
    const out = join(tempDir(), 'imported.json')
    const result = runCli(['import', join(FIXTURES, 'runnable-placeholder.workflow.json'), '--out', out])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`cannot run: ${PLACEHOLDER_LINE}`)
    const saved = JSON.parse(readFileSync(out, 'utf8')) as GraphFile
    expect(saved.metadata?.importReport?.blocking).toEqual([PLACEHOLDER_LINE])
  })

  it('runs the SD1.5 checkpoint + LoRA (two strengths) + CLIP and VAE loaders workflow on the tiny model', () => {
    const out = tempDir()
    const result = runCli([
      'run', join(FIXTURES, 'loaders-sd15-lora.workflow.json'), '--out', out, '--quiet',
      '--model', `SD15/v1-5-pruned-emaonly=${join(ROOT, 'public', 'models', 'tiny-sd15')}`,
      '--model', `loras/Hyper-SD15-4steps-lora.safetensors=${join(ROOT, 'public', 'models', 'loras', 'tiny-hyper-sd15-4step-kohya.safetensors')}`,
    ])
    expect(result.stderr).not.toContain('cannot run')
    expect(result.code).toBe(0)
    expect(readdirSync(out)).toEqual(['hyper-sd15-lora_00001.png'])
    const image = decodePng(readFileSync(join(out, 'hyper-sd15-lora_00001.png')))
    expect([image.width, image.height]).toEqual([64, 64])
  }, 180_000)

  it('runs the Hyper-SDXL UNETLoader workflow on tiny SDXL with UNet weights mapped like the real file', () => {
    const dir = tempDir()
    const entries = torchStateDict(loadUNet('tiny-sdxl'))
    const weights = join(dir, 'tiny-sdxl-unet.safetensors')
    writeFileSync(weights, changedStateDict(entries, seededChanges(entries, 5), 'F16'))
    const out = join(dir, 'out')
    const result = runCli([
      'run', join(FIXTURES, 'loaders-sdxl-unet.workflow.json'), '--out', out, '--quiet',
      '--model', `stabilityai/stable-diffusion-xl-base-1.0=${join(ROOT, 'public', 'models', 'tiny-sdxl')}`,
      '--model', `ByteDance/Hyper-SD/Hyper-SDXL-1step-Unet.safetensors=${weights}`,
    ])
    expect(result.stderr).not.toContain('cannot run')
    expect(result.code).toBe(0)
    expect(readdirSync(out)).toEqual(['hyper-sdxl-unet_00001.png'])
  }, 180_000)
})
