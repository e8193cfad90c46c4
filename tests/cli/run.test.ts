import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { extractGraphFromPng, readPngTextChunks, decodePng } from '../../src/graph/png.js'
import { ROOT, runCli } from './run-cli.js'

const graph = join(ROOT, 'graphs', 'tiny-sd15-4step.json')
const tempDir = () => mkdtempSync(join(tmpdir(), 'hypersd-cli-'))

describe('hypersd run', () => {
  it('writes a PNG with the graph and parameters embedded, byte-identical across runs', () => {
    const a = tempDir()
    const b = tempDir()
    const first = runCli(['run', graph, '--out', a, '--quiet'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const second = runCli(['run', graph, '--out', b, '--quiet'])
    expect(second.code).toBe(0)
    expect(readdirSync(a)).toEqual(['tiny-sd15-4step_00001.png'])
    const pngA = readFileSync(join(a, 'tiny-sd15-4step_00001.png'))
    const pngB = readFileSync(join(b, 'tiny-sd15-4step_00001.png'))
    expect(Buffer.compare(pngA, pngB)).toBe(0)
    const image = decodePng(pngA)
    expect([image.width, image.height]).toEqual([256, 256])
    const embedded = extractGraphFromPng(pngA)
    expect(embedded?.kind).toBe('graph')
    const text = readPngTextChunks(pngA).get('parameters') ?? ''
    expect(text).toContain('seed: 42')
    expect(text).toContain('timesteps: 999,749,499,249')
  })

  it('applies --set overrides, numbers files after existing ones, and shows per-step progress', () => {
    const out = tempDir()
    const base = runCli(['run', graph, '--out', out, '--quiet'])
    expect(base.code).toBe(0)
    const changed = runCli(['run', graph, '--out', out, '--set', '4.seed=7', '--set', '4.steps=2'])
    expect(changed.code).toBe(0)
    expect(changed.stderr).toContain('[########################] 2/2')
    expect(readdirSync(out).sort()).toEqual(['tiny-sd15-4step_00001.png', 'tiny-sd15-4step_00002.png'])
    const [p1, p2] = ['tiny-sd15-4step_00001.png', 'tiny-sd15-4step_00002.png'].map((f) => readFileSync(join(out, f)))
    expect(Buffer.compare(p1!, p2!)).not.toBe(0)
    expect(readPngTextChunks(p2!).get('parameters')).toContain('seed: 7')
  })
})

describe('hypersd run/import on shared files', () => {
  it('re-runs a PNG it wrote and reproduces it byte for byte', () => {
    const first = tempDir()
    expect(runCli(['run', graph, '--out', first, '--quiet', '--set', '4.seed=99']).code).toBe(0)
    const png = join(first, 'tiny-sd15-4step_00001.png')
    const second = tempDir()
    const again = runCli(['run', png, '--out', second, '--quiet'])
    expect(again.stderr).toBe('')
    expect(Buffer.compare(readFileSync(png), readFileSync(join(second, 'tiny-sd15-4step_00001.png')))).toBe(0)
  })

  it('imports a ComfyUI workflow with a report of what had no equivalent', () => {
    const out = join(tempDir(), 'imported.json')
    const result = runCli(['import', join(ROOT, 'tests', 'graph', 'fixtures', 'comfyui', 'default-lora-note.workflow.json'), '--out', out])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('warning: node 12 (UpscaleModelLoader): no equivalent, kept as a placeholder')
    // The upscaler's Save Image needs the placeholders: the report names the blocked input and how to get past it.
    expect(result.stderr).toContain(
      'cannot run: node 14 (SaveImage) input "image": its source node 13 (ImageUpscaleWithModel) has no equivalent here and is kept as a placeholder; reconnect "image" to node 8 (VAEDecode) output "image" (what node 13 takes in) to skip it, or remove node 13',
    )
    const imported = JSON.parse(readFileSync(out, 'utf8')) as {
      format: string
      nodes: { type: string; inputs: Record<string, unknown>; placeholder?: unknown }[]
      metadata: { importReport?: { placeholders: string[] } }
    }
    expect(imported.nodes.filter((n) => n.placeholder).map((n) => n.type)).toEqual(['UpscaleModelLoader', 'ImageUpscaleWithModel'])
    expect(imported.metadata.importReport?.placeholders).toHaveLength(2)
    expect(imported.format).toBe('hyper-sd-studio/graph')
    expect(imported.nodes.find((n) => n.type === 'UNetLoRA')?.inputs.lora).toBe('loras/Hyper-SD15-8steps-lora.safetensors')
    expect(imported.nodes.map((n) => n.type)).toEqual(expect.arrayContaining(['LoadPipeline', 'CLIPTextEncode', 'TSCDSampler', 'VAEDecode', 'Note']))
  })
})

describe('hypersd run with a reward scorer', () => {
  it('prints the score an output node produced and embeds it in the PNG', () => {
    const out = tempDir()
    const result = runCli(['run', join(ROOT, 'graphs', 'tiny-sd15-4step-reward.json'), '--out', out])
    expect(result.code).toBe(0)
    const line = result.stderr.split('\n').find((l) => l.startsWith('Reward Score (#8): score = '))
    expect(line).toBeDefined()
    const score = Number(/score = ([\d.]+)/.exec(line!)![1])
    expect(Number.isFinite(score)).toBe(true)
    const png = readFileSync(join(out, 'tiny-sd15-4step-reward_00001.png'))
    const embedded = Number(/aesthetic_score: ([\d.]+)/.exec(readPngTextChunks(png).get('parameters') ?? '')?.[1])
    expect(embedded).toBeCloseTo(score, 3)
  })
})
