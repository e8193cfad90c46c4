// ComfyUI translations checked by numbers: for every fixture under fixtures/comfyui/sched-*, the schedule our
// imported TSCDSampler runs (built as nodes/sampler.ts builds it) against the schedule ComfyUI runs, computed by an
// independent reimplementation of ComfyUI's formulas (comfyui-reference/). Exact where the translation is exact;
// elsewhere within the difference the import report states.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { NodeRegistry, validateGraph, validateRun } from '../../src/engine/index.js'
import { importComfyUI } from '../../src/graph/comfyui.js'
import { toExecGraph } from '../../src/graph/exec.js'
import { readPngTextChunks } from '../../src/graph/png.js'
import type { GraphFile, GraphNode } from '../../src/graph/schema.js'
import { nodeDefinitions } from '../../nodes/index.js'
import {
  alignYourStepsScheduler,
  AYS_NOISE_LEVELS,
  basicScheduler,
  betaPpf,
  calculateSigmas,
  f32,
  hyperSdxl1StepUnetScheduler,
  modelSamplingDiscrete,
  modelSamplingDistilled,
  ourSchedule,
  sdTurboScheduler,
  tcdModelSamplingDiscrete,
  unetTimestepChoices,
  unetTimesteps,
} from './comfyui-reference/index.js'
import { FIXTURE_CASES, FIXTURES_DIR, importFixture } from './comfyui-reference/cases.js'

const registry = new NodeRegistry(nodeDefinitions)
const base = modelSamplingDiscrete()
const distilled = modelSamplingDistilled(base)
const rounded = (xs: readonly number[], digits = 4): number[] => xs.map((x) => Number(x.toFixed(digits)))

describe('the ComfyUI reference itself', () => {
  it('has the SD sigma table ComfyUI documents (KarrasScheduler defaults 14.614642 / 0.0291675)', () => {
    expect(base.sigmaMax).toBeCloseTo(14.614642, 5)
    expect(base.sigmaMin).toBeCloseTo(0.0291675, 6)
    expect(base.timestep(base.sigmaMax)).toBe(999)
    expect(base.timestep(base.sigma(800))).toBe(800)
    expect(distilled.sigmas).toHaveLength(50)
    expect(distilled.timestep(distilled.sigmaMin)).toBe(19)
    expect(distilled.timestep(base.sigma(759))).toBe(759)
  })

  it('gives simple 4 steps 999/749/499/249 and ddim_uniform 751/501/251/1', () => {
    expect(unetTimesteps(base, calculateSigmas(base, 'simple', 4))).toEqual([999, 749, 499, 249])
    expect(unetTimesteps(base, calculateSigmas(base, 'simple', 8))).toEqual([999, 874, 749, 624, 499, 374, 249, 124])
    expect(unetTimesteps(base, calculateSigmas(base, 'ddim_uniform', 4))).toEqual([751, 501, 251, 1])
  })

  it('gives sgm_uniform fractional timesteps, whose UNet timestep at 499.5 is a float32 tie', () => {
    const sigmas = calculateSigmas(base, 'sgm_uniform', 4)
    expect(sigmas.slice(0, -1).map((s) => Number(base.continuousTimestep(s).toFixed(3)))).toEqual([999, 749.25, 499.5, 249.75])
    expect(unetTimestepChoices(base, sigmas)).toEqual([[999], [749], [500, 499], [250]])
    expect(unetTimesteps(base, calculateSigmas(base, 'normal', 4))).toEqual([999, 666, 333, 0])
  })

  it('gives karras, exponential, beta and linear_quadratic as ComfyUI (checked against numpy/scipy float32 or by hand)', () => {
    expect(unetTimesteps(base, calculateSigmas(base, 'karras', 4))).toEqual([999, 687, 146, 0])
    expect(rounded(calculateSigmas(base, 'karras', 4))).toEqual([14.6146, 3.1686, 0.4469, 0.0292, 0])
    expect(unetTimesteps(base, calculateSigmas(base, 'exponential', 4))).toEqual([999, 538, 52, 0])
    expect(unetTimesteps(base, calculateSigmas(base, 'beta', 4))).toEqual([999, 823, 500, 176])
    expect(unetTimesteps(base, calculateSigmas(base, 'beta', 8))).toEqual([999, 942, 823, 670, 500, 329, 176, 57])
    expect(betaPpf(0.75, 0.6, 0.6)).toBeCloseTo(0.8243196213473, 10) // scipy.stats.beta.ppf(0.75, 0.6, 0.6)
    expect(betaPpf(0.25, 0.6, 0.6) + betaPpf(0.75, 0.6, 0.6)).toBeCloseTo(1, 12)
    // linear_quadratic 4 steps: 1 - [0, 0.0125, 0.025, 0.275, 1] of sigma_max (worked by hand from the Python)
    expect(rounded(calculateSigmas(base, 'linear_quadratic', 4))).toEqual([14.6146, 14.4320, 14.2493, 10.5956, 0])
    expect(calculateSigmas(base, 'linear_quadratic', 1)).toEqual([base.sigmaMax, 0])
  })

  it('keeps the last steps + 1 sigmas of int(steps / denoise) under denoise', () => {
    expect(unetTimesteps(base, basicScheduler(base, 'simple', 4, 0.5))).toEqual([499, 374, 249, 124])
    expect(basicScheduler(base, 'simple', 4, 0)).toEqual([])
  })

  it('gives SDTurbo 999/899, the 1-step UNet scheduler t=800 and the AYS levels', () => {
    expect(unetTimesteps(base, sdTurboScheduler(base, 2))).toEqual([999, 899])
    expect(unetTimesteps(base, sdTurboScheduler(base, 2, 0.5))).toEqual([499, 399])
    expect(unetTimesteps(base, hyperSdxl1StepUnetScheduler(base))).toEqual([800])
    expect(rounded(alignYourStepsScheduler('SD1', 10))).toEqual([...rounded(AYS_NOISE_LEVELS.SD1.slice(0, -1)), 0])
    expect(rounded(alignYourStepsScheduler('SD1', 10))).toEqual([14.6146, 6.4746, 3.8637, 2.6946, 1.8842, 1.3944, 0.9643, 0.6524, 0.3977, 0.1515, 0])
    // 4 steps: the levels interpolated log-linearly at 0, 1/4, 1/2, 3/4 of the way
    expect(rounded(alignYourStepsScheduler('SD1', 4))).toEqual([14.6146, 3.2266, 1.3944, 0.5094, 0])
    expect(unetTimesteps(base, alignYourStepsScheduler('SDXL', 4))).toEqual([999, 661, 310, 80])
  })

  it('gives TCD 999/759/499/259 (diffusers TCD), its s-timesteps by eta, and 499.. under denoise 0.5', () => {
    const four = tcdModelSamplingDiscrete(distilled, 4, 'simple', 1, 0.3)
    expect(unetTimesteps(distilled, four.sigmas)).toEqual([999, 759, 499, 259])
    expect(four.timestepsS).toEqual([699, 531, 349, 181, 0])
    expect(unetTimesteps(distilled, tcdModelSamplingDiscrete(distilled, 1, 'simple', 1, 1).sigmas)).toEqual([999])
    expect(unetTimesteps(distilled, tcdModelSamplingDiscrete(distilled, 4, 'simple', 0.5, 0.3).sigmas)).toEqual([499, 379, 259, 139])
    const sgm = tcdModelSamplingDiscrete(distilled, 4, 'sgm_uniform', 1, 0.3).sigmas
    expect(sgm.slice(0, -1).map((s) => Number(distilled.continuousTimestep(s).toFixed(3)))).toEqual([999, 754, 509, 264])
    expect(unetTimestepChoices(distilled, sgm)).toEqual([[999], [759], [519, 499], [259]])
  })
})

/** The largest difference a report states as "... by up to X" (timesteps) or "... by up to X%" (noise levels). */
function statedDifference(warnings: readonly string[], unit: 'timesteps' | 'percent'): number {
  let max = 0
  for (const w of warnings) {
    for (const m of w.matchAll(/by up to (\d+(?:\.\d+)?)(%?)/g)) if ((m[2] === '%') === (unit === 'percent')) max = Math.max(max, Number(m[1]))
  }
  return max
}

/** Stated to the precision a report prints (3 significant digits): at least the true difference, less rounding. */
function expectStated(stated: number, actual: number, warnings: readonly string[]): void {
  expect(stated, warnings.join('\n')).toBeGreaterThanOrEqual(Number(actual.toPrecision(3)) * 0.995)
}

function sampler(graph: GraphFile): GraphNode {
  const node = graph.nodes.find((n) => n.id === '10')
  if (!node) throw new Error('no node 10')
  return node
}

describe.each(FIXTURE_CASES)('$file', ({ file, comfy }) => {
  const ref = comfy()
  // Imported inside each test, so an importer failure fails the tests rather than the file's collection.
  let imported: ReturnType<typeof importFixture> | undefined
  const fixture = (): { graph: GraphFile; warnings: readonly string[]; report: ReturnType<typeof importFixture>['report'] } => {
    imported ??= importFixture(file)
    return { graph: imported.graph, warnings: imported.report.warnings, report: imported.report }
  }

  it('imports into a graph that validates and can run (nothing missing, no placeholders)', () => {
    const { graph, report } = fixture()
    expect(report.placeholders).toEqual([])
    expect(validateGraph(toExecGraph(graph), registry)).toEqual([])
    expect(validateRun(toExecGraph(graph), registry)).toEqual([])
    expect(sampler(graph).type).toBe('TSCDSampler')
    expect(sampler(graph).inputs['model']).toBeDefined()
  })

  it('runs the UNet timesteps ComfyUI runs', () => {
    const { graph, warnings } = fixture()
    const ours = ourSchedule(sampler(graph))
    const theirs = unetTimestepChoices(ref.ms, ref.sigmas)
    expect(ours.timesteps).toHaveLength(theirs.length)
    if (ref.sampler === 'euler') {
      // ComfyUI feeds the nearest integer timestep; our Euler feeds the exact fractional one of the same sigma.
      const gaps = ours.timesteps.map((t, i) => Math.min(...theirs[i]!.map((c) => Math.abs(t - c))))
      gaps.forEach((gap, i) => expect(gap, `step ${i}: ours ${ours.timesteps[i]}, ComfyUI ${theirs[i]}`).toBeLessThanOrEqual(0.5 + 1e-4))
      const differ = Math.max(...gaps)
      if (differ > 1e-3) expectStated(statedDifference(warnings, 'timesteps'), differ, warnings)
    } else {
      ours.timesteps.forEach((t, i) => expect(theirs[i], `step ${i}: ours ${t}`).toContain(t))
    }
  })

  if (ref.sampler === 'euler') {
    it('steps through ComfyUI\'s sigmas (euler-trailing)', () => {
      const { graph } = fixture()
      const ours = ourSchedule(sampler(graph))
      expect(ours.preset).toBe('euler-trailing')
      expect(ours.sigmas).toHaveLength(ref.sigmas.length)
      ours.sigmas!.forEach((s, i) => expect(s, `sigma ${i}`).toBeCloseTo(ref.sigmas[i]!, 5))
    })
  } else {
    it('steps between the noise levels ComfyUI steps between, or the report says by how much they differ', () => {
      const { graph, warnings } = fixture()
      const ours = ourSchedule(sampler(graph))
      // Our alpha-space samplers step at the noise level of the integer timestep; ComfyUI at its schedule's sigma.
      // Relative to the smaller of the two, so either way of normalising the statement passes.
      const relative = ours.timesteps.map((t, i) => Math.abs(base.sigmas[t]! - ref.sigmas[i]!) / Math.max(base.sigmas[t]!, ref.sigmas[i]!))
      const differ = Math.max(...relative)
      if (differ > 1e-5) expectStated(statedDifference(warnings, 'percent'), 100 * differ, warnings)
      const expected = { euler: 'euler-trailing', ddim: 'ddim-trailing', lcm: 'lcm-800', tcd: 'tcd' }[ref.sampler]
      expect(ours.preset).toBe(expected)
      if (ref.sampler === 'tcd') {
        // Same stochasticity: eta, and the s each step jumps back to (our TcdScheduler: floor((1 - eta) * next), 0 last).
        expect(ours.eta).toBe(ref.eta)
        const oursS = [...ours.timesteps.slice(1).map((t) => Math.floor((1 - ours.eta) * t)), 0]
        const theirsS = [...unetTimestepChoices(ref.ms, ref.sigmas).slice(1).map((cs) => cs.map((c) => Math.floor(f32(f32(1 - ref.eta!) * c)))), [0]]
        expect(ref.timestepsS).toEqual(theirsS.map((cs) => cs[0]))
        oursS.forEach((s, i) => expect(theirsS[i], `s at step ${i}`).toContain(s))
      }
      // DDIM's last step goes to alpha_0 = acp[0] where ComfyUI's goes to sigma 0.
      if (ref.sampler === 'ddim') expect(warnings.join('\n')).toMatch(/last step.*sigma 0/i)
      // LCM's c_skip/c_out: ComfyUI applies them only with LCM model sampling (the distilled table); ours always.
      if (ref.sampler === 'lcm' && ref.ms.sigmas.length === 1000) expect(warnings.join('\n')).toMatch(/c_skip/)
      if (ref.sampler === 'lcm' && ref.ms.sigmas.length === 50) expect(warnings.join('\n')).not.toMatch(/c_skip/)
    })
  }
})

describe('fixture details the schedule alone does not show', () => {
  it('SamplerCustomAdvanced with a CFGGuider keeps cfg and the negative prompt; RandomNoise gives the seed', () => {
    const { graph } = importFixture('sched-custom-advanced-cfg.workflow.json')
    expect(sampler(graph).inputs).toMatchObject({ cfg: 5, seed: 1234, positive: { from: ['2', 'conditioning'] }, negative: { from: ['3', 'conditioning'] } })
  })

  it('SamplerCustomAdvanced with a BasicGuider runs without guidance', () => {
    const { graph } = importFixture('sched-custom-advanced-basic.prompt.json')
    const inputs = sampler(graph).inputs
    expect(inputs['positive']).toEqual({ from: ['2', 'conditioning'] })
    expect(typeof inputs['cfg'] === 'number' ? inputs['cfg'] : 1).toBeLessThanOrEqual(1)
  })

  it('TCDModelSamplingDiscrete passes the LoRA model through to the sampler', () => {
    const { graph } = importFixture('sched-official-sd15-1step-unified-lora.workflow.json')
    expect(sampler(graph).inputs['model']).toEqual({ from: ['5', 'unet'] })
  })

  it('ModelSamplingDiscrete eps and v_prediction pass MODEL through; only v_prediction is reported, naming the node', () => {
    const eps = importFixture('sched-model-sampling-eps.prompt.json')
    expect(sampler(eps.graph).inputs['model']).toEqual({ from: ['1', 'unet'] })
    expect(eps.report.warnings.filter((w) => w.includes('ModelSamplingDiscrete'))).toEqual([])
    const v = importFixture('sched-model-sampling-v-prediction.workflow.json')
    expect(sampler(v.graph).inputs['model']).toEqual({ from: ['1', 'unet'] })
    expect(v.report.warnings).toContainEqual(expect.stringMatching(/^node 9 \(ModelSamplingDiscrete\): sampling "v_prediction" is not applied: .*prediction_type/))
  })

  it('a PNG\'s prompt chunk gives the same sampler as its workflow chunk', () => {
    const png = readFileSync(new URL('sched-official-sd15-1step-unified-lora.png', FIXTURES_DIR))
    const prompt = readPngTextChunks(new Uint8Array(png)).get('prompt')!
    const fromPrompt = importComfyUI(prompt, 'prompt chunk')
    const fromWorkflow = importFixture('sched-official-sd15-1step-unified-lora.png')
    expect(sampler(fromPrompt.graph).inputs).toEqual(sampler(fromWorkflow.graph).inputs)
  })
})
