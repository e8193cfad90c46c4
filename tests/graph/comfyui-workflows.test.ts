// Imported ComfyUI workflows really run: every fixture under fixtures/comfyui/sched-* (the four official Hyper-SD
// workflows among them), on the tiny models through model-name mappings (in-process, and once through the CLI
// with --model), and the run's recorded timesteps/sigmas are the ones ComfyUI runs (comfyui-reference/).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NodeRegistry } from '../../src/engine/index.js'
import { runnableReport } from '../../src/graph/comfyui-runnable.js'
import { toExecGraph } from '../../src/graph/exec.js'
import { readPngTextChunks } from '../../src/graph/png.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { runCli } from '../cli/run-cli.js'
import { createTestHost, ROOT } from '../helpers/tiny-host.js'
import { changedStateDict, loadUNet, torchStateDict } from '../helpers/unet-state-dict.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { ourSchedule, unetTimestepChoices } from './comfyui-reference/index.js'
import { FIXTURE_CASES, FIXTURES_DIR, importFixture } from './comfyui-reference/cases.js'

const MODELS = join(ROOT, 'public', 'models')
const dir = mkdtempSync(join(tmpdir(), 'hypersd-comfyui-runs-'))
// The "Hyper-SDXL 1-step UNet" for the tiny SDXL twin: its own UNet as a full state dict (diffusers layout).
const TINY_SDXL_UNET = join(dir, 'tiny-sdxl-unet.safetensors')
const unetEntries = torchStateDict(loadUNet('tiny-sdxl'))
writeFileSync(TINY_SDXL_UNET, changedStateDict(unetEntries, new Map(unetEntries.map((e) => [e.key, { gain: 1, shift: 0 }])), 'F16'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Every model name the imported graph asks for -> the tiny twin standing in for it (SDXL names to tiny-sdxl). */
function tinyModels(graph: GraphFile): Map<string, string> {
  const map = new Map<string, string>()
  const xl = (name: string): boolean => /xl/i.test(name)
  for (const node of graph.nodes) {
    const name = (key: string): string | undefined => (typeof node.inputs[key] === 'string' ? (node.inputs[key] as string) : undefined)
    const model = node.type === 'LoadPipeline' ? name('model') : undefined
    if (model) map.set(model, join(MODELS, xl(model) ? 'tiny-sdxl' : 'tiny-sd15'))
    const lora = node.type === 'UNetLoRA' ? name('lora') : undefined
    if (lora) map.set(lora, join(MODELS, 'loras', xl(lora) ? 'tiny-hyper-sdxl-sgm.safetensors' : 'tiny-hyper-sd15-peft.safetensors'))
    const weights = node.type === 'UNetWeights' ? name('weights') : undefined
    if (weights) map.set(weights, TINY_SDXL_UNET)
  }
  return map
}

const numbers = (text: string | number | boolean | undefined): number[] => String(text ?? '').split(',').filter((s) => s !== '').map(Number)

// Every schedule fixture (each mapped node and combination, in UI 0.4, UI 1.0, API prompt and PNG form), not a sample.
const RUNS = FIXTURE_CASES.map((c) => c.file)

describe.each(RUNS)('%s on the tiny models', (file) => {
  it('runs, and runs the schedule ComfyUI runs', async () => {
    const { graph } = importFixture(file)
    const ref = FIXTURE_CASES.find((c) => c.file === file)!.comfy()
    const host = createTestHost(tinyModels(graph))
    try {
      await host.engine.run(toExecGraph(graph))
      const image = host.images.find((i) => i.nodeId === '21')
      expect(image, 'the SaveImage output').toBeDefined()
      const parameters = image!.parameters
      const timesteps = numbers(parameters['timesteps'])
      // What ran is what the schedule test computes for the graph, and ComfyUI's UNet timesteps.
      expect(timesteps).toEqual(ourSchedule(graph.nodes.find((n) => n.id === '10')!).timesteps)
      const theirs = unetTimestepChoices(ref.ms, ref.sigmas)
      expect(timesteps).toHaveLength(theirs.length)
      if (ref.sampler === 'euler') {
        timesteps.forEach((t, i) => expect(Math.abs(t - theirs[i]![0]!)).toBeLessThanOrEqual(0.5 + 1e-4))
        const sigmas = numbers(parameters['sigmas'])
        expect(sigmas).toHaveLength(ref.sigmas.length)
        sigmas.forEach((s, i) => expect(s, `sigma ${i}`).toBeCloseTo(ref.sigmas[i]!, 5))
      } else {
        timesteps.forEach((t, i) => expect(theirs[i], `step ${i}`).toContain(t))
      }
      if (ref.eta !== undefined) expect(parameters['eta']).toBe(ref.eta)
    } finally {
      await host.dispose()
    }
  })
})

// The loader, note and placeholder fixtures: each runs as imported, or its report says which node and input block
// it (and the advice, followed, is checked in comfyui-runnable.test.ts).
const registry = new NodeRegistry(nodeDefinitions)
const OTHERS = readdirSync(FIXTURES_DIR).filter((f) => /\.(json|png)$/.test(f) && !RUNS.includes(f)).sort()

describe.each(OTHERS)('%s', (file) => {
  it('runs on the tiny models, or the import says which node and input block it', async () => {
    const result = importFixture(file)
    const blocking = runnableReport(result, registry)
    const outputs = result.graph.nodes.filter((n) => n.type === 'SaveImage').map((n) => n.id)
    for (const line of blocking) expect(line).toMatch(/^node \d+ \(\w+\) input "\w+": .+; (reconnect|set|switch|connect|remove)/)
    // Small latents: the tiny twins at the fixtures' 256-512 px would only cost time.
    const graph = { ...result.graph, nodes: result.graph.nodes.map((n) => (n.type === 'EmptyLatent' ? { ...n, inputs: { ...n.inputs, width: 64, height: 64 } } : n)) }
    const host = createTestHost(tinyModels(graph))
    try {
      if (blocking.length > 0) {
        // A blocked import fails its run naming a node, as the report said it would.
        await expect(host.engine.run(toExecGraph(graph))).rejects.toThrow(/node \d+/)
      } else {
        await host.engine.run(toExecGraph(graph))
        expect(host.images.map((i) => i.nodeId).sort()).toEqual(outputs.sort())
      }
    } finally {
      await host.dispose()
    }
  })
})

describe('hypersd run on a ComfyUI PNG with --model mappings', () => {
  it('runs the official SD15 1-step unified workflow at t=999 with eta 1', () => {
    const out = mkdtempSync(join(dir, 'cli-'))
    const result = runCli([
      'run', join(ROOT, 'tests', 'graph', 'fixtures', 'comfyui', 'sched-official-sd15-1step-unified-lora.png'),
      '--out', out, '--quiet',
      '--model', `v1-5-pruned-emaonly=${join(MODELS, 'tiny-sd15')}`,
      '--model', `loras/Hyper-SD15-1step-lora.safetensors=${join(MODELS, 'loras', 'tiny-hyper-sd15-peft.safetensors')}`,
    ])
    expect(result.code, result.stderr).toBe(0)
    const [png] = readdirSync(out).filter((f) => f.endsWith('.png'))
    expect(png).toBeDefined()
    const text = readPngTextChunks(new Uint8Array(readFileSync(join(out, png!)))).get('parameters') ?? ''
    expect(text).toMatch(/timesteps: 999(\n|,|$)/)
    expect(text).toMatch(/scheduler: tcd/)
    expect(text).toMatch(/eta: 1(\n|,|$)/)
  })
})
