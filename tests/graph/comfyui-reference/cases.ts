// The ComfyUI fixtures under tests/graph/fixtures/comfyui/sched-*, each with the schedule ComfyUI runs for its
// sampler (node 10), computed by the reference. Shared by the schedule and workflow-run tests.
import { readFileSync } from 'node:fs'
import { importComfyUI } from '../../../src/graph/comfyui.js'
import type { ComfyImportResult } from '../../../src/graph/comfyui.js'
import { extractGraphFromPng } from '../../../src/graph/png.js'
import { modelSamplingDiscrete, modelSamplingDistilled } from './model-sampling.js'
import type { ComfyModelSampling } from './model-sampling.js'
import {
  advancedSigmas,
  alignYourStepsScheduler,
  basicScheduler,
  betaSamplingScheduler,
  calculateSigmas,
  hyperSdxl1StepUnetScheduler,
  sdTurboScheduler,
  tcdModelSamplingDiscrete,
} from './schedules.js'

export interface ComfyRun {
  /** The model sampling the sampler's UNet timesteps come from. */
  readonly ms: ComfyModelSampling
  /** ComfyUI's sigma schedule, final sigma included. */
  readonly sigmas: readonly number[]
  /** The k-diffusion sampler ComfyUI runs. */
  readonly sampler: 'euler' | 'ddim' | 'lcm' | 'tcd'
  /** TCD's eta (gamma). */
  readonly eta?: number
  /** TCD: each step's s-timestep, floor((1 - eta) * the next step's timestep), 0 for the last. */
  readonly timestepsS?: readonly number[]
}

export interface FixtureCase {
  readonly file: string
  readonly comfy: () => ComfyRun
}

const base = modelSamplingDiscrete()
const distilled = modelSamplingDistilled(base)

const basic = (sampler: ComfyRun['sampler'], scheduler: Parameters<typeof basicScheduler>[1], steps: number, denoise = 1): ComfyRun => ({
  ms: base,
  sigmas: basicScheduler(base, scheduler, steps, denoise),
  sampler,
})
const tcd = (steps: number, scheduler: 'simple' | 'sgm_uniform', denoise: number, eta: number): ComfyRun => {
  const { sigmas, timestepsS } = tcdModelSamplingDiscrete(distilled, steps, scheduler, denoise, eta)
  // sample_tcd steps from sigma i with alpha_prod_s[i + 1].
  return { ms: distilled, sigmas, sampler: 'tcd', eta, timestepsS: timestepsS.slice(1) }
}

export const FIXTURE_CASES: readonly FixtureCase[] = [
  // KSampler family
  { file: 'sched-ksampler-ddim-sgm-uniform.workflow.json', comfy: () => basic('ddim', 'sgm_uniform', 4) },
  { file: 'sched-ksampler-euler-simple.prompt.json', comfy: () => basic('euler', 'simple', 4) },
  { file: 'sched-ksampler-euler-karras.prompt.json', comfy: () => basic('euler', 'karras', 4) },
  { file: 'sched-ksampler-lcm.prompt.json', comfy: () => basic('lcm', 'sgm_uniform', 4) },
  { file: 'sched-ksampler-lcm.png', comfy: () => basic('lcm', 'sgm_uniform', 4) },
  { file: 'sched-ksampler-ddim-denoise.prompt.json', comfy: () => basic('ddim', 'simple', 4, 0.5) },
  {
    file: 'sched-ksampler-advanced.workflow.json',
    comfy: () => ({ ms: base, sigmas: advancedSigmas(calculateSigmas(base, 'simple', 8), 2, 10000, true)!, sampler: 'euler' }),
  },
  // ModelSamplingDiscrete "lcm": the distilled 50-sigma table under KSampler
  { file: 'sched-model-sampling-lcm.prompt.json', comfy: () => ({ ms: distilled, sigmas: basicScheduler(distilled, 'simple', 4), sampler: 'lcm' }) },
  // ModelSamplingDiscrete "eps" and "v_prediction" keep the SD table (v_prediction changes what the UNet predicts,
  // not the schedule): the same sigmas as without the node
  { file: 'sched-model-sampling-eps.prompt.json', comfy: () => basic('euler', 'normal', 4) },
  { file: 'sched-model-sampling-v-prediction.workflow.json', comfy: () => basic('ddim', 'sgm_uniform', 4) },
  // SamplerCustom + KSamplerSelect + BasicScheduler
  { file: 'sched-basic-simple.prompt.json', comfy: () => basic('euler', 'simple', 4) },
  { file: 'sched-basic-sgm-uniform.prompt.json', comfy: () => basic('ddim', 'sgm_uniform', 4) },
  { file: 'sched-basic-normal.prompt.json', comfy: () => basic('euler', 'normal', 4) },
  { file: 'sched-basic-karras.workflow.json', comfy: () => basic('euler', 'karras', 4) },
  { file: 'sched-basic-exponential.prompt.json', comfy: () => basic('euler', 'exponential', 4) },
  { file: 'sched-basic-ddim-uniform.prompt.json', comfy: () => basic('ddim', 'ddim_uniform', 4) },
  { file: 'sched-basic-beta.prompt.json', comfy: () => basic('euler', 'beta', 4) },
  { file: 'sched-basic-linear-quadratic.prompt.json', comfy: () => basic('ddim', 'linear_quadratic', 5) },
  // Other SIGMAS nodes
  { file: 'sched-sdturbo.prompt.json', comfy: () => ({ ms: base, sigmas: sdTurboScheduler(base, 2), sampler: 'euler' }) },
  { file: 'sched-sdturbo-denoise.prompt.json', comfy: () => ({ ms: base, sigmas: sdTurboScheduler(base, 3, 0.6), sampler: 'lcm' }) },
  { file: 'sched-beta-sampling.prompt.json', comfy: () => ({ ms: base, sigmas: betaSamplingScheduler(base, 4, 0.5, 0.5), sampler: 'euler' }) },
  { file: 'sched-ays-sd1-4.prompt.json', comfy: () => ({ ms: base, sigmas: alignYourStepsScheduler('SD1', 4), sampler: 'euler' }) },
  { file: 'sched-ays-sd1-10.prompt.json', comfy: () => ({ ms: base, sigmas: alignYourStepsScheduler('SD1', 10), sampler: 'euler' }) },
  { file: 'sched-ays-sdxl-4.prompt.json', comfy: () => ({ ms: base, sigmas: alignYourStepsScheduler('SDXL', 4), sampler: 'euler' }) },
  { file: 'sched-ays-sdxl-10.prompt.json', comfy: () => ({ ms: base, sigmas: alignYourStepsScheduler('SDXL', 10), sampler: 'euler' }) },
  // SamplerCustomAdvanced with RandomNoise and a guider
  { file: 'sched-custom-advanced-cfg.workflow.json', comfy: () => basic('ddim', 'simple', 8) },
  { file: 'sched-custom-advanced-basic.prompt.json', comfy: () => basic('euler', 'karras', 4) },
  // TCD (ComfyUI-TCD's TCDModelSamplingDiscrete feeding SamplerCustom its MODEL, SAMPLER and SIGMAS)
  { file: 'sched-tcd-simple-4.prompt.json', comfy: () => tcd(4, 'simple', 1, 0.3) },
  { file: 'sched-tcd-sgm-uniform-4.prompt.json', comfy: () => tcd(4, 'sgm_uniform', 1, 0.3) },
  { file: 'sched-tcd-denoise-half.prompt.json', comfy: () => tcd(4, 'simple', 0.5, 0.3) },
  // The four official Hyper-SD workflows
  { file: 'sched-official-sd15-nstep-lora.workflow.json', comfy: () => basic('ddim', 'sgm_uniform', 8) },
  { file: 'sched-official-sd15-1step-unified-lora.workflow.json', comfy: () => tcd(1, 'simple', 1, 1) },
  { file: 'sched-official-sd15-1step-unified-lora.png', comfy: () => tcd(1, 'simple', 1, 1) },
  { file: 'sched-official-sdxl-1step-unified-lora.workflow.json', comfy: () => tcd(1, 'simple', 1, 1) },
  { file: 'sched-official-sdxl-1step-unet.workflow.json', comfy: () => ({ ms: base, sigmas: hyperSdxl1StepUnetScheduler(base), sampler: 'lcm' }) },
]

export const FIXTURES_DIR = new URL('../fixtures/comfyui/', import.meta.url)

/** Imports a fixture as a user would: JSON directly, a PNG through its ComfyUI text chunks. */
export function importFixture(file: string): ComfyImportResult {
  const bytes = readFileSync(new URL(file, FIXTURES_DIR))
  if (!file.endsWith('.png')) return importComfyUI(bytes.toString('utf8'), file)
  const found = extractGraphFromPng(new Uint8Array(bytes), file)
  if (!found || found.kind === 'graph') throw new Error(`${file} carries no ComfyUI workflow or prompt`)
  return importComfyUI(found.text, file)
}
