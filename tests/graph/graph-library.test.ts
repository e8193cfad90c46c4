// Every graph in graphs/ runs on a tiny twin. The Hub names the real-model graphs use are mapped (as `--model` would)
// to the bundled tiny SD1.5/SDXL pipelines, the tiny Hyper-SD LoRAs and a tiny SDXL UNet state dict; sizes drop to
// 64 px. Each run must save an image, and the UNet must be fed the schedule shared/reference/HYPER-SD.md gives for
// the graph's sampler, computed here from the reference formulas and, for the Hyper-SD graphs, from its table.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExecGraph } from '../../src/engine/index.js'
import { decodePng } from '../../src/graph/png.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { hyperSdPresets, hubFileName } from '../../src/hub/presets.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'
import { changedStateDict, loadUNet, seededChanges, torchStateDict } from '../helpers/unet-state-dict.js'

const SHIPPED = readdirSync(join(ROOT, 'graphs')).filter((f) => f.endsWith('.json')).sort()
const MODELS = join(ROOT, 'public', 'models')
const dir = mkdtempSync(join(tmpdir(), 'hypersd-graph-library-'))

/**
 * Hub name -> tiny twin. No tiny CFG or unified LoRA exists: every SD1.5 Hyper-SD LoRA maps to the tiny kohya
 * 4-step LoRA and every SDXL one to the tiny SGM LoRA (the graphs' schedules, not the LoRAs' weights, are checked).
 */
function tinyTwins(unetWeights: string): Map<string, string> {
  const twins = new Map<string, string>()
  for (const preset of hyperSdPresets()) {
    twins.set(preset.base.repo, join(MODELS, preset.variant === 'sdxl' ? 'tiny-sdxl' : 'tiny-sd15'))
    const tinyLora = preset.variant === 'sdxl' ? 'tiny-hyper-sdxl-sgm.safetensors' : 'tiny-hyper-sd15-4step-kohya.safetensors'
    twins.set(hubFileName(preset.file), preset.file.path.endsWith('-Unet.safetensors') ? unetWeights : join(MODELS, 'loras', tinyLora))
  }
  return twins
}

// The tiny SDXL UNet's own weights, changed by a seeded map, stand in for the Hyper-SDXL 1-step UNet state dict.
const UNET_WEIGHTS = join(dir, 'tiny-sdxl-1step-unet.safetensors')
const tinySdxlUNet = torchStateDict(loadUNet('tiny-sdxl'))
writeFileSync(UNET_WEIGHTS, changedStateDict(tinySdxlUNet, seededChanges(tinySdxlUNet, 7), 'F16'))

const host = createTestHost(tinyTwins(UNET_WEIGHTS))

interface UNetCall {
  readonly timestep: number
  readonly batch: number
  /** With two rows: whether the first (negative) row's text conditioning differs from the second's. */
  readonly rowsDiffer: boolean
}
const unetCalls: UNetCall[] = []

function scalar(tensor: HostTensor): number {
  const value = tensor.data[0]!
  return typeof value === 'bigint' ? Number(value) : value
}

function rowsDiffer(hidden: HostTensor | undefined): boolean {
  if (!hidden || hidden.dims[0] !== 2) return false
  const data = hidden.data as Float32Array
  const half = data.length / 2
  for (let i = 0; i < half; i++) if (data[i] !== data[half + i]) return true
  return false
}

/** Records what each UNet session is fed: the timestep, the batch, the conditioning rows. */
function recordingUNet(session: ModelSession): ModelSession {
  if (!session.inputs.some((i) => i.name === 'timestep')) return session
  const run = session.run.bind(session)
  return Object.assign(Object.create(session) as ModelSession, {
    run: (feeds: Readonly<Record<string, HostTensor>>, outputNames?: readonly string[]) => {
      unetCalls.push({ timestep: scalar(feeds['timestep']!), batch: feeds['sample']!.dims[0]!, rowsDiffer: rowsDiffer(feeds['encoder_hidden_states']) })
      return run(feeds, outputNames)
    },
  })
}

beforeAll(() => {
  const backend = host.sessions.backend
  const create = backend.createSession.bind(backend)
  backend.createSession = async (...args) => recordingUNet(await create(...args))
  const fromFile = backend.createSessionFromFile?.bind(backend)
  if (fromFile) backend.createSessionFromFile = async (...args) => recordingUNet(await fromFile(...args))
})

afterAll(async () => {
  await host.dispose()
  rmSync(dir, { recursive: true, force: true })
})

// ---- The schedules, from the reference (diffusers' formulas), independent of src/sampling. ----
const T = 1000

/** numpy's round: halves to even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  if (Math.abs(diff - 0.5) > 1e-9) return Math.round(x)
  return floor % 2 === 0 ? floor : floor + 1
}

/** DDIM, timestep_spacing "trailing": round(arange(T, 0, -T/N)) - 1. */
function ddimTrailing(steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => roundHalfEven(T - (i * T) / steps) - 1)
}

/** TCD with original_inference_steps 50: reverse([1..50] * T/50 - 1) at floor(linspace(0, 50, N, endpoint=False)). */
function tcd(steps: number): number[] {
  const origin = Array.from({ length: 50 }, (_, i) => (i + 1) * (T / 50) - 1).reverse()
  return Array.from({ length: steps }, (_, i) => origin[Math.floor((i * 50) / steps)]!)
}

interface SamplerSettings {
  readonly steps: number
  readonly scheduler: string
  readonly timesteps: string
  readonly cfg: number
  readonly eta: number
  readonly denoise: number
}

/** The graph's samplers in the order they run: one, or two where a second pass samples the first's upscaled latent. */
function samplersOf(graph: GraphFile): SamplerSettings[] {
  const samplers = graph.nodes.filter((n) => n.type === 'TSCDSampler')
  expect(samplers.length === 1 || samplers.length === 2).toBe(true)
  if (samplers.length === 2) {
    const upscale = graph.nodes.find((n) => n.type === 'LatentUpscaleBy')!
    expect(upscale.inputs['samples']).toEqual({ from: [samplers[0]!.id, 'latent'] })
    expect(samplers[1]!.inputs['latent']).toEqual({ from: [upscale.id, 'latent'] })
  }
  return samplers.map((n) => n.inputs as unknown as SamplerSettings)
}

/** The saved image's side for a 64 px latent: Upscale Latent By rounds each side to whole cells, halves to even. */
function savedSide(graph: GraphFile): number {
  const cells = graph.nodes.filter((n) => n.type === 'LatentUpscaleBy').reduce((side, n) => roundHalfEven(side * (n.inputs['scale_by'] as number)), 8)
  return cells * 8
}

function expectedSchedule(sampler: SamplerSettings): number[] {
  return img2imgTail(fullSchedule(sampler), sampler)
}

function fullSchedule(sampler: SamplerSettings): number[] {
  if (sampler.timesteps.trim()) return sampler.timesteps.split(',').map(Number)
  if (sampler.scheduler === 'tcd') return tcd(sampler.steps)
  if (sampler.scheduler === 'ddim-trailing' || sampler.scheduler === 'ddim-trailing-cfg') return ddimTrailing(sampler.steps)
  throw new Error(`no reference schedule for preset ${sampler.scheduler}`)
}

/** diffusers' img2img get_timesteps: strength s keeps the last min(int(steps * s), steps) timesteps. */
function img2imgTail(timesteps: number[], sampler: SamplerSettings): number[] {
  if (sampler.denoise >= 1) return timesteps
  const kept = Math.min(Math.floor(sampler.steps * sampler.denoise), sampler.steps)
  return timesteps.slice(sampler.steps - kept)
}

/** The reference's table, per shipped Hyper-SD graph: what its UNet must see. */
const REFERENCE_TABLE: Readonly<Record<string, { timesteps: number[]; cfg: boolean; eta?: number }>> = {
  'hyper-sd15-1step.json': { timesteps: [999], cfg: false, eta: 1 },
  'hyper-sdxl-1step.json': { timesteps: [999], cfg: false, eta: 1 },
  'hyper-sd15-unified-4step.json': { timesteps: [999, 759, 499, 259], cfg: false, eta: 0.5 },
  'hyper-sdxl-unified-4step.json': { timesteps: [999, 759, 499, 259], cfg: false, eta: 0.5 },
  'hyper-sd15-2step.json': { timesteps: [999, 499], cfg: false },
  'hyper-sdxl-2step.json': { timesteps: [999, 499], cfg: false },
  'hyper-sd15-4step.json': { timesteps: [999, 749, 499, 249], cfg: false },
  'hyper-sdxl-4step.json': { timesteps: [999, 749, 499, 249], cfg: false },
  'hyper-sd15-8step.json': { timesteps: [999, 874, 749, 624, 499, 374, 249, 124], cfg: false },
  'hyper-sdxl-8step.json': { timesteps: [999, 874, 749, 624, 499, 374, 249, 124], cfg: false },
  'hyper-sd15-8step-cfg.json': { timesteps: [999, 874, 749, 624, 499, 374, 249, 124], cfg: true },
  'hyper-sdxl-8step-cfg.json': { timesteps: [999, 874, 749, 624, 499, 374, 249, 124], cfg: true },
  'hyper-sdxl-1step-unet.json': { timesteps: [800], cfg: false },
  // Two passes: the 4-step schedule, then its last two steps (denoise 0.5) over the upscaled latent.
  'hyper-sd15-4step-hires-fix.json': { timesteps: [999, 749, 499, 249, 499, 249], cfg: false },
}

/** Small latents for the tiny twins: every EmptyLatent at 64 px. */
function small(file: string, extra: readonly string[] = []): ExecGraph {
  const graph = shippedGraph(file)
  const latents = graph.nodes.filter((n) => n.type === 'EmptyLatent').flatMap((n) => [`${n.id}.width=64`, `${n.id}.height=64`])
  return withOverrides(graph, [...latents, ...extra])
}

async function run(graph: ExecGraph) {
  unetCalls.length = 0
  // Graphs share nodes (e.g. the same sampler settings): a cached result would feed the UNet nothing.
  host.engine.clearCache()
  const before = host.images.length
  await host.engine.run(graph)
  const out = host.images[before]
  if (!out) throw new Error('the graph saved no image')
  return { image: decodePng(out.pngs[0]!), parameters: out.parameters, calls: [...unetCalls] }
}

describe('the graph library on tiny twins', () => {
  it('lists every Hyper-SD graph the reference describes, and each is shipped', () => {
    expect(Object.keys(REFERENCE_TABLE).filter((f) => !SHIPPED.includes(f))).toEqual([])
    expect(SHIPPED.filter((f) => f.startsWith('hyper-sd') && !(f in REFERENCE_TABLE))).toEqual([])
  })

  it.each(SHIPPED)('%s runs, saves an image, and feeds its UNet the reference schedule', async (file) => {
    const samplers = samplersOf(shippedGraph(file))
    const sampler = samplers.at(-1)!
    const { image, parameters, calls } = await run(small(file))
    const side = savedSide(shippedGraph(file))
    expect([image.width, image.height]).toEqual([side, side])
    // A picture, not a constant fill.
    expect(new Set(image.data.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(1)

    const expected = samplers.flatMap(expectedSchedule)
    const table = REFERENCE_TABLE[file]
    if (table) expect(expected).toEqual(table.timesteps)
    expect(calls.map((c) => c.timestep)).toEqual(expected)
    // The saved image's parameters are the last pass's.
    expect(parameters['timesteps']).toBe(expectedSchedule(sampler).join(','))
    // CFG: each step evaluates the UNet on the negative and the positive row, and the two differ.
    const guided = sampler.cfg > 1
    if (table) expect(guided).toBe(table.cfg)
    expect(calls.every((c) => c.batch === (guided ? 2 : 1))).toBe(true)
    if (guided) expect(calls.every((c) => c.rowsDiffer)).toBe(true)
    if (table?.eta !== undefined) expect(parameters['eta']).toBe(table.eta)
  })

  it('the CFG graphs use their negative prompt: another negative gives another image', async () => {
    for (const file of ['hyper-sd15-8step-cfg.json', 'hyper-sdxl-8step-cfg.json']) {
      const negative = shippedGraph(file).nodes.find((n) => n.title === 'Negative prompt')!
      const shipped = await run(small(file))
      expect(shipped.parameters['negative_prompt']).toBe(negative.inputs['text'])
      const other = await run(small(file, [`${negative.id}.text=a watercolour painting`]))
      expect(other.parameters['negative_prompt']).toBe('a watercolour painting')
      let changed = 0
      for (let i = 0; i < shipped.image.data.length; i++) changed += Number(shipped.image.data[i] !== other.image.data[i])
      expect(changed).toBeGreaterThan(0)
    }
  })
})
