// The custom-sampling family on import: ComfyUI's schedules as numbers, their translation onto our TSCD sampler,
// the nodes folded into it (model sampling, sampler, sigmas, noise, guider), and the sampler's custom sigmas input.
import { afterAll, describe, expect, it } from 'vitest'
import type { Latent } from '../../nodes/types.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { denoiseKeeping, tcdOwnTimesteps, translateSampling } from '../../src/graph/comfyui-sampler-translation.js'
import {
  alignYourStepsSigmas,
  calculateSigmas,
  comfyTimesteps,
  discreteSampling,
  distilledSampling,
  hyperSdxl1StepSigmas,
  runSigmas,
  sdTurboSigmas,
  tcdSigmas,
  withDenoise,
} from '../../src/graph/comfyui-schedule.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'
import { float32Text } from '../../src/sampling/index.js'
import { createTestHost, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

const ms = discreteSampling()
const close = (actual: readonly number[], expected: readonly number[], digits = 4) => {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, digits))
}

describe("ComfyUI's noise tables and schedules", () => {
  it('has the SD1.5/SDXL table ComfyUI prints (sigma_min 0.0292, sigma_max 14.6146) and its distilled 50-entry subset', () => {
    expect(ms.sigmas).toHaveLength(1000)
    expect(ms.sigmaMin).toBeCloseTo(0.029167, 5)
    expect(ms.sigmaMax).toBeCloseTo(14.614641, 5)
    const d = distilledSampling()
    expect(d.sigmas).toHaveLength(50)
    expect(d.sigmas[49]).toBe(ms.sigmas[999])
    expect(d.sigmas[0]).toBe(ms.sigmas[19])
    // timestep(sigma) on the distilled table is argmin * 20 + 19; sigma(t) interpolates in log sigma
    expect(d.timestep(ms.sigmas[500]!)).toBe(499)
    expect(ms.timestep(ms.sigma(749.25))).toBe(749)
    expect(ms.timestep(0)).toBe(0)
  })

  it.each([
    ['simple', [14.6146, 4.0817, 1.6129, 0.6932, 0], [999, 749, 499, 249]],
    ['karras', [14.6146, 3.1686, 0.4469, 0.0292, 0], [999, 687, 146, 0]],
    ['normal', [14.6146, 2.9183, 0.9324, 0.0292, 0], [999, 666, 333, 0]],
    ['ddim_uniform', [4.1167, 1.6237, 0.6984, 0.0413, 0], [751, 501, 251, 1]],
    ['sgm_uniform', [14.6146, 4.0861, 1.6156, 0.69515, 0], [999, 749, 500, 250]],
  ] as const)('%s, 4 steps: sigmas and the UNet timesteps they feed', (scheduler, sigmas, timesteps) => {
    const computed = calculateSigmas(ms, scheduler, 4)
    close(computed, sigmas)
    expect(comfyTimesteps(ms, computed)).toEqual(timesteps)
  })

  it('runs the tail of a longer schedule for denoise < 1 (BasicScheduler, KSampler)', () => {
    const partial = withDenoise(4, 0.5, (total) => calculateSigmas(ms, 'simple', total))
    expect(partial.start).toBe(4)
    expect(comfyTimesteps(ms, runSigmas(partial))).toEqual([499, 374, 249, 124])
    expect(withDenoise(4, 0, (total) => calculateSigmas(ms, 'simple', total)).sigmas).toEqual([])
  })

  it('computes the scheduler nodes: TCD, Hyper-SDXL 1-step, SD Turbo, Align Your Steps', () => {
    const d = distilledSampling()
    expect(comfyTimesteps(d, tcdSigmas(4, 'simple', 1).sigmas)).toEqual([999, 759, 499, 259])
    expect(comfyTimesteps(d, tcdSigmas(1, 'simple', 1).sigmas)).toEqual([999])
    const tcdPartial = tcdSigmas(2, 'simple', 0.5)
    expect(comfyTimesteps(d, runSigmas(tcdPartial))).toEqual([499, 259])
    const hyper = hyperSdxl1StepSigmas(ms)
    expect(hyper[1]).toBe(0)
    expect(hyper[0]).toBeCloseTo(5.111, 3)
    expect(comfyTimesteps(ms, hyper)).toEqual([800])
    expect(comfyTimesteps(ms, sdTurboSigmas(ms, 4, 1).sigmas)).toEqual([999, 899, 799, 699])
    expect(comfyTimesteps(ms, runSigmas(sdTurboSigmas(ms, 2, 0.5)))).toEqual([499, 399])
    // 10 steps is the published table itself, its last level replaced by 0
    close(alignYourStepsSigmas('SDXL', 10, 1).sigmas, [14.6146, 6.3184, 3.7682, 2.1811, 1.3405, 0.8621, 0.5551, 0.3799, 0.2332, 0.1114, 0])
    const ays4 = alignYourStepsSigmas('SD1', 4, 1).sigmas
    expect(ays4).toHaveLength(5)
    expect(ays4[0]).toBeCloseTo(14.6146, 4)
  })
})

describe('translation onto our sampler', () => {
  const lines = () => {
    const warnings: string[] = []
    return { warnings, warn: (m: string) => warnings.push(m) }
  }

  it('leaves the preset its own schedule where ComfyUI runs the same one (euler/ddim + simple, TCD simple)', () => {
    const { warnings, warn } = lines()
    expect(translateSampling({ sampler: 'euler', sampling: ms, sigmas: calculateSigmas(ms, 'simple', 4) }, warn)).toEqual({ scheduler: 'euler-trailing', steps: 4 })
    expect(warnings).toEqual([expect.stringContaining('initial noise: ComfyUI scales it by sqrt(1 + sigma0^2)')])
    const ddim = lines()
    expect(translateSampling({ sampler: 'ddim', sampling: ms, sigmas: calculateSigmas(ms, 'simple', 8) }, ddim.warn)).toEqual({ scheduler: 'ddim-trailing', steps: 8 })
    expect(ddim.warnings).toEqual([`last step: ComfyUI's "ddim" is Euler and ends at sigma 0; our DDIM ends at alpha_cumprod[0] (sigma 0.02917)`])
    const tcd = lines()
    const d = distilledSampling()
    expect(translateSampling({ sampler: 'tcd', sampling: d, sigmas: tcdSigmas(4, 'simple', 1).sigmas, eta: 0.4 }, tcd.warn)).toEqual({ scheduler: 'tcd', steps: 4, eta: 0.4 })
    expect(tcd.warnings).toEqual([])
    expect(tcdOwnTimesteps(8)).toEqual([999, 879, 759, 639, 499, 379, 259, 139])
  })

  it('writes timesteps or sigmas where the schedules differ, and reports by how much', () => {
    const ddim = lines()
    // 3 does not divide 1000: ComfyUI's simple gives 333 where trailing spacing gives 332
    expect(translateSampling({ sampler: 'ddim', sampling: ms, sigmas: calculateSigmas(ms, 'simple', 3) }, ddim.warn)).toMatchObject({ timesteps: '999,666,333' })
    const karras = calculateSigmas(ms, 'karras', 4)
    const euler = lines()
    const t = translateSampling({ sampler: 'euler', sampling: ms, sigmas: karras }, euler.warn)
    expect(t.sigmas!.split(',').map(Number).map(Math.fround)).toEqual(karras.map(Math.fround))
    expect(euler.warnings).toContainEqual(expect.stringMatching(/^UNet timesteps differ by up to 0\.\d+: ComfyUI feeds the nearest whole timestep/))
    const lcm = lines()
    expect(translateSampling({ sampler: 'lcm', sampling: ms, sigmas: karras }, lcm.warn)).toMatchObject({ scheduler: 'lcm-800', timesteps: '999,687,146,0' })
    expect(lcm.warnings).toContainEqual(expect.stringMatching(/^noise levels differ by up to [\d.]+% \(at sigma/))
    const other = lines()
    expect(translateSampling({ sampler: 'dpmpp_2m', sampling: ms, sigmas: calculateSigmas(ms, 'simple', 4) }, other.warn).scheduler).toBe('ddim-trailing')
    expect(other.warnings[0]).toBe('sampler "dpmpp_2m" has no equivalent; using the nearest, "ddim-trailing"')
  })

  it('reproduces a partial schedule with the full one and a denoise that keeps exactly its tail', () => {
    const half = translateSampling({ sampler: 'ddim', sampling: ms, ...withDenoise(4, 0.5, (n) => calculateSigmas(ms, 'simple', n)) }, () => {})
    expect(half).toEqual({ scheduler: 'ddim-trailing', steps: 8, denoise: 0.5 })
    const odd = translateSampling({ sampler: 'ddim', sampling: ms, ...withDenoise(4, 0.3, (n) => calculateSigmas(ms, 'simple', n)) }, () => {})
    expect(odd.steps).toBe(13)
    expect(Math.floor(13 * odd.denoise!)).toBe(4)
    // TCD's strength would shorten its schedule, so a partial TCD schedule is written out in full
    const tcd = translateSampling({ sampler: 'tcd', sampling: distilledSampling(), ...tcdSigmas(2, 'simple', 0.5), eta: 0.5 }, () => {})
    expect(tcd).toEqual({ scheduler: 'tcd', steps: 4, timesteps: '999,759,499,259', eta: 0.5, denoise: 0.5 })
    for (const [kept, total] of [[4, 13], [1, 3], [7, 49], [3, 10]] as const) expect(Math.floor(total * denoiseKeeping(kept, total))).toBe(kept)
    expect(float32Text(Math.fround(14.614641189575195))).toBe('14.614641')
  })
})

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>
const importPrompt = (prompt: Prompt) => importComfyUI(JSON.stringify(prompt), 'test.json')
const node = (graph: GraphFile, id: string): GraphNode => graph.nodes.find((n) => n.id === id)!
const BASE: Prompt = {
  '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd15' } },
  '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['1', 1] } },
  '3': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
}

describe('importing the custom-sampling nodes', () => {
  it('TCDModelSamplingDiscrete: MODEL passes through to the sampler, SAMPLER and SIGMAS become the tcd preset with its eta', () => {
    const { graph, report } = importPrompt({
      ...BASE,
      '4': { class_type: 'TCDModelSamplingDiscrete', inputs: { model: ['1', 0], steps: 4, scheduler: 'simple', denoise: 1, eta: 0.6 } },
      '5': { class_type: 'SamplerCustom', inputs: { model: ['4', 0], add_noise: true, noise_seed: 3, cfg: 1, positive: ['2', 0], negative: ['2', 0], sampler: ['4', 1], sigmas: ['4', 2], latent_image: ['3', 0] } },
    })
    expect(node(graph, '5').inputs).toMatchObject({ model: { from: ['1', 'unet'] }, scheduler: 'tcd', steps: 4, eta: 0.6, seed: 3 })
    expect(node(graph, '5').inputs['timesteps']).toBeUndefined()
    expect(report.folded).toEqual(["node 4 (TCDModelSamplingDiscrete): MODEL passes through it; its model sampling goes into the sampler's schedule"])
    expect(report.dropped).toEqual([])
    expect(report.warnings.filter((w) => w.startsWith('node 5'))).toEqual([])
  })

  it('HyperSDXL1StepUnetScheduler with lcm: one LCM step at t=800, and the initial noise scale reported', () => {
    const { graph, report } = importPrompt({
      ...BASE,
      '4': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'lcm' } },
      '5': { class_type: 'HyperSDXL1StepUnetScheduler', inputs: { model: ['1', 0], steps: 1 } },
      '6': { class_type: 'SamplerCustom', inputs: { model: ['1', 0], add_noise: true, noise_seed: 1, cfg: 1, positive: ['2', 0], negative: ['2', 0], sampler: ['4', 0], sigmas: ['5', 0], latent_image: ['3', 0] } },
    })
    expect(node(graph, '6').inputs).toMatchObject({ scheduler: 'lcm-800', steps: 1, timesteps: '800' })
    expect(report.folded).toHaveLength(2)
    expect(report.warnings).toContainEqual(expect.stringMatching(/^node 6 \(SamplerCustom\): initial noise: ComfyUI starts this schedule below the model's largest sigma with noise \* sigma0, i\.e\. 0\.98\d* of the unit noise/))
  })

  it('SamplerCustomAdvanced: model, prompts and cfg from CFGGuider, seed from RandomNoise, both outputs are the latent', () => {
    const { graph, report } = importPrompt({
      ...BASE,
      '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['1', 1] } },
      '4': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
      '5': { class_type: 'BasicScheduler', inputs: { model: ['1', 0], scheduler: 'simple', steps: 2, denoise: 1 } },
      '6': { class_type: 'CFGGuider', inputs: { model: ['1', 0], positive: ['2', 0], negative: ['7', 0], cfg: 5 } },
      '8': { class_type: 'RandomNoise', inputs: { noise_seed: 99 } },
      '9': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['8', 0], guider: ['6', 0], sampler: ['4', 0], sigmas: ['5', 0], latent_image: ['3', 0] } },
      '10': { class_type: 'VAEDecode', inputs: { samples: ['9', 1], vae: ['1', 2] } },
    })
    expect(node(graph, '9').inputs).toEqual({
      latent: { from: ['3', 'latent'] },
      model: { from: ['1', 'unet'] },
      positive: { from: ['2', 'conditioning'] },
      negative: { from: ['7', 'conditioning'] },
      cfg: 5,
      seed: 99,
      scheduler: 'euler-trailing',
      steps: 2,
    })
    expect(node(graph, '10').inputs['latent']).toEqual({ from: ['9', 'latent'] })
    expect(report.folded).toHaveLength(4)
  })

  it('ModelSamplingDiscrete: lcm switches to the distilled table, v_prediction is reported, MODEL passes through', () => {
    const prompt = (sampling: string): Prompt => ({
      ...BASE,
      '4': { class_type: 'ModelSamplingDiscrete', inputs: { model: ['1', 0], sampling, zsnr: false } },
      '5': { class_type: 'KSampler', inputs: { model: ['4', 0], seed: 1, steps: 4, cfg: 1, sampler_name: 'lcm', scheduler: 'sgm_uniform', denoise: 1, positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0] } },
    })
    const lcm = importPrompt(prompt('lcm'))
    // sgm_uniform on the 50-entry table: 999, 754, 509, 264 -> the nearest distilled timesteps
    expect(node(lcm.graph, '5').inputs).toMatchObject({ model: { from: ['1', 'unet'] }, scheduler: 'lcm-800', timesteps: '999,759,519,259' })
    expect(lcm.report.warnings.some((w) => w.includes('c_skip'))).toBe(false)
    const v = importPrompt(prompt('v_prediction'))
    expect(v.report.warnings).toContainEqual(expect.stringContaining("node 4 (ModelSamplingDiscrete): sampling \"v_prediction\" is not applied: our sampler takes the prediction type from the model folder's scheduler_config.json"))
  })

  it('KSamplerAdvanced: start and end steps run the same part of the schedule', () => {
    const { graph } = importPrompt({
      ...BASE,
      '5': { class_type: 'KSamplerAdvanced', inputs: { model: ['1', 0], add_noise: 'enable', noise_seed: 1, steps: 8, cfg: 1, sampler_name: 'euler', scheduler: 'simple', start_at_step: 2, end_at_step: 6, return_with_leftover_noise: 'disable', positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0] } },
    })
    const inputs = node(graph, '5').inputs
    const sigmas = String(inputs['sigmas']).split(',').map(Number)
    // steps 0..6 of 8, the last forced to 0; our denoise keeps the 4 after start_at_step 2
    expect(sigmas).toHaveLength(7)
    expect(sigmas[6]).toBe(0)
    expect(Math.floor(6 * Number(inputs['denoise']))).toBe(4)
  })

  it('keeps the import runnable with the default schedule when the sigmas come from a node it does not know', () => {
    const { graph, report } = importPrompt({
      ...BASE,
      '4': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
      '5': { class_type: 'PolyexponentialScheduler', inputs: { steps: 4, sigma_max: 14.6, sigma_min: 0.03, rho: 1 } },
      '6': { class_type: 'SamplerCustom', inputs: { model: ['1', 0], add_noise: true, noise_seed: 1, cfg: 1, positive: ['2', 0], negative: ['2', 0], sampler: ['4', 0], sigmas: ['5', 0], latent_image: ['3', 0] } },
    })
    expect(node(graph, '6').inputs).toMatchObject({ scheduler: 'euler-trailing' })
    expect(node(graph, '6').inputs['sigmas']).toBeUndefined()
    expect(report.warnings).toContain("node 6 (SamplerCustom): sigmas from node 5 (PolyexponentialScheduler) are not understood; the preset's default schedule is used")
  })
})

describe("the sampler's custom sigmas", () => {
  const host = createTestHost()
  afterAll(() => host.dispose())
  const graph = shippedGraph('tiny-sd15-4step.json')
  const run = (overrides: string[]) => host.engine.run(withOverrides(graph, overrides))

  it('runs an euler schedule from sigmas (steps = count - 1) and records the sigmas and timesteps it ran', async () => {
    const sigmas = calculateSigmas(ms, 'karras', 3).map(float32Text).join(',')
    const latent = (await run(['4.scheduler=euler-trailing', `4.sigmas=${sigmas}`])).outputs.get('4')!.latent as Latent
    expect(latent.parameters).toMatchObject({ steps: 3, sigmas })
    expect(String(latent.parameters?.['timesteps']).split(',')).toHaveLength(3)
    expect(latent.data.every(Number.isFinite)).toBe(true)
  })

  it('refuses sigmas for a timestep preset, with timesteps, or out of order, naming the input', async () => {
    await expect(run(['4.sigmas=14.6,1,0'])).rejects.toThrow('input "sigmas": custom sigmas need an euler preset (euler-trailing); "ddim-trailing" takes timesteps')
    await expect(run(['4.scheduler=euler-trailing', '4.sigmas=14.6,1,0', '4.timesteps=999,499'])).rejects.toThrow('input "sigmas": set custom timesteps or custom sigmas, not both')
    await expect(run(['4.scheduler=euler-trailing', '4.sigmas=1,14.6,0'])).rejects.toThrow('input "sigmas": must descend: 14.6 at position 2 is not below 1')
  })
})
