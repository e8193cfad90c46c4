// ComfyUI's sigma schedules, reimplemented from its Python (each function names the file and function it follows).
// Every schedule is descending and ends with the final sigma (0 unless a partial KSamplerAdvanced keeps noise).
import { betaPpf } from './beta-ppf.js'
import { f32, numpyInterp, numpyLinspace, roundHalfEven, torchLinspace32 } from './float32.js'
import type { ComfyModelSampling } from './model-sampling.js'

export type SchedulerName = 'simple' | 'sgm_uniform' | 'normal' | 'karras' | 'exponential' | 'ddim_uniform' | 'beta' | 'linear_quadratic'

/** comfy/samplers.py simple_scheduler: every len/steps-th table sigma from the top (int() truncates). */
export function simpleScheduler(ms: ComfyModelSampling, steps: number): number[] {
  const n = ms.sigmas.length
  const ss = n / steps
  const sigs: number[] = []
  for (let x = 0; x < steps; x++) sigs.push(ms.sigmas[n - 1 - Math.trunc(x * ss)]!)
  return [...sigs, 0]
}

/** comfy/samplers.py ddim_scheduler: table sigmas 1, 1 + ss, ... (ss = len // steps), reversed, 0 first-appended. */
export function ddimUniformScheduler(ms: ComfyModelSampling, steps: number): number[] {
  const n = ms.sigmas.length
  let sigs: number[]
  let count = steps
  // The SD tables never start at sigma 0, so the final 0 is prepended before reversal (the `else` branch).
  if (Math.abs(ms.sigmas[1]!) <= 0.00001) {
    count += 1
    sigs = []
  } else {
    sigs = [0]
  }
  const ss = Math.max(Math.floor(n / count), 1)
  for (let x = 1; x < n; x += ss) sigs.push(ms.sigmas[x]!)
  return sigs.reverse()
}

/**
 * comfy/samplers.py normal_scheduler: timesteps from timestep(sigma_max) to timestep(sigma_min) by a float32
 * torch.linspace (sgm_uniform: steps + 1 points, the last dropped), each turned into sigma(t); then 0.
 */
export function normalScheduler(ms: ComfyModelSampling, steps: number, sgm: boolean): number[] {
  const start = ms.timestep(ms.sigmaMax)
  const end = ms.timestep(ms.sigmaMin)
  let count = steps
  let appendZero = true
  if (!sgm && Math.abs(ms.sigma(end)) <= 0.00001) {
    count += 1
    appendZero = false
  }
  const ts = sgm ? torchLinspace32(start, end, steps + 1).slice(0, -1) : torchLinspace32(start, end, count)
  const sigs = ts.map((t) => ms.sigma(t))
  return appendZero ? [...sigs, 0] : sigs
}

/** comfy/k_diffusion/sampling.py get_sigmas_karras (rho 7): float32 ramp, then append_zero. */
export function karrasSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7): number[] {
  const minInv = sigmaMin ** (1 / rho)
  const maxInv = sigmaMax ** (1 / rho)
  const ramp = torchLinspace32(0, 1, n)
  return [...ramp.map((r) => f32(f32(f32(maxInv) + f32(r * f32(minInv - maxInv))) ** rho)), 0]
}

/** comfy/k_diffusion/sampling.py get_sigmas_exponential: float32 linspace of the logs, exp'd, then append_zero. */
export function exponentialSigmas(n: number, sigmaMin: number, sigmaMax: number): number[] {
  return [...torchLinspace32(Math.log(sigmaMax), Math.log(sigmaMin), n).map((l) => f32(Math.exp(l))), 0]
}

/**
 * comfy/samplers.py beta_scheduler: table indices rint(beta.ppf(1 - linspace(0, 1, steps, endpoint=False)) * 999),
 * repeats of the previous index skipped; then 0.
 */
export function betaScheduler(ms: ComfyModelSampling, steps: number, alpha = 0.6, beta = 0.6): number[] {
  const total = ms.sigmas.length - 1
  const ts = numpyLinspace(0, 1, steps, false).map((x) => roundHalfEven(betaPpf(1 - x, alpha, beta) * total))
  const sigs: number[] = []
  let last = -1
  for (const t of ts) {
    if (t !== last) sigs.push(ms.sigmas[t]!)
    last = t
  }
  return [...sigs, 0]
}

/**
 * comfy/samplers.py linear_quadratic_schedule (from Mochi): 1 - x over a linear ramp to threshold_noise for
 * steps // 2 steps, then a quadratic to 1, computed in float64, then torch.FloatTensor(...) * sigma_max in float32.
 */
export function linearQuadraticScheduler(ms: ComfyModelSampling, steps: number, thresholdNoise = 0.025): number[] {
  let schedule: number[]
  if (steps === 1) {
    schedule = [1, 0]
  } else {
    const linearSteps = Math.floor(steps / 2)
    const linear = Array.from({ length: linearSteps }, (_, i) => (i * thresholdNoise) / linearSteps)
    const thresholdNoiseStepDiff = linearSteps - thresholdNoise * steps
    const quadraticSteps = steps - linearSteps
    const quadraticCoef = thresholdNoiseStepDiff / (linearSteps * quadraticSteps ** 2)
    const linearCoef = thresholdNoise / linearSteps - (2 * thresholdNoiseStepDiff) / quadraticSteps ** 2
    const constant = quadraticCoef * linearSteps ** 2
    const quadratic = Array.from({ length: steps - linearSteps }, (_, k) => {
      const i = linearSteps + k
      return quadraticCoef * i ** 2 + linearCoef * i + constant
    })
    schedule = [...linear, ...quadratic, 1].map((x) => 1 - x)
  }
  return schedule.map((x) => f32(f32(x) * f32(ms.sigmaMax)))
}

/** comfy/samplers.py calculate_sigmas: the SCHEDULER_HANDLERS table (karras/exponential take sigma_min/max). */
export function calculateSigmas(ms: ComfyModelSampling, scheduler: SchedulerName, steps: number): number[] {
  switch (scheduler) {
    case 'simple':
      return simpleScheduler(ms, steps)
    case 'sgm_uniform':
      return normalScheduler(ms, steps, true)
    case 'normal':
      return normalScheduler(ms, steps, false)
    case 'karras':
      return karrasSigmas(steps, ms.sigmaMin, ms.sigmaMax)
    case 'exponential':
      return exponentialSigmas(steps, ms.sigmaMin, ms.sigmaMax)
    case 'ddim_uniform':
      return ddimUniformScheduler(ms, steps)
    case 'beta':
      return betaScheduler(ms, steps)
    case 'linear_quadratic':
      return linearQuadraticScheduler(ms, steps)
  }
}

/**
 * comfy_extras/nodes_custom_sampler.py BasicScheduler and comfy/samplers.py KSampler.set_steps: with denoise < 1
 * the schedule is built for int(steps / denoise) steps and its last steps + 1 sigmas are kept.
 */
export function basicScheduler(ms: ComfyModelSampling, scheduler: SchedulerName, steps: number, denoise = 1): number[] {
  if (denoise <= 0) return []
  const total = denoise < 1 ? Math.trunc(steps / denoise) : steps
  return calculateSigmas(ms, scheduler, total).slice(-(steps + 1))
}

/**
 * comfy/samplers.py KSampler.sample for KSamplerAdvanced (nodes.py: force_full_denoise when
 * return_with_leftover_noise is "disable"): cut at last_step (its sigma set to 0 when forced), then from start_step.
 * Undefined when start_step leaves nothing to sample (ComfyUI returns the latent unchanged).
 */
export function advancedSigmas(sigmas: readonly number[], startStep: number, lastStep: number, forceFullDenoise: boolean): number[] | undefined {
  let out = sigmas.slice()
  if (lastStep < out.length - 1) {
    out = out.slice(0, lastStep + 1)
    if (forceFullDenoise) out[out.length - 1] = 0
  }
  if (startStep >= out.length - 1) return undefined
  return out.slice(startStep)
}

/** comfy_extras/nodes_custom_sampler.py SDTurboScheduler: sigma at 999, 899, ..., 99, from 10 - int(10 * denoise). */
export function sdTurboScheduler(ms: ComfyModelSampling, steps: number, denoise = 1): number[] {
  const start = 10 - Math.trunc(10 * denoise)
  const timesteps = Array.from({ length: 10 }, (_, i) => (10 - i) * 100 - 1).slice(start, start + steps)
  return [...timesteps.map((t) => ms.sigma(t)), 0]
}

/** comfy_extras/nodes_custom_sampler.py BetaSamplingScheduler: beta_scheduler with its own alpha and beta. */
export function betaSamplingScheduler(ms: ComfyModelSampling, steps: number, alpha: number, beta: number): number[] {
  return betaScheduler(ms, steps, alpha, beta)
}

/** comfy_extras/nodes_align_your_steps.py NOISE_LEVELS (SD1 and SDXL; SVD is not an SD UNet). */
export const AYS_NOISE_LEVELS: Readonly<Record<'SD1' | 'SDXL', readonly number[]>> = {
  SD1: [14.6146412293, 6.4745760956, 3.8636745985, 2.694615152, 1.8841921177, 1.3943805092, 0.9642583904, 0.6523686016, 0.3977456272, 0.1515232662, 0.0291671582],
  SDXL: [14.6146412293, 6.3184485287, 3.7681790315, 2.1811480769, 1.3405244945, 0.8620721141, 0.5550693289, 0.3798540708, 0.2332364134, 0.1114188177, 0.0291671582],
}

/** comfy_extras/nodes_align_your_steps.py loglinear_interp: np.interp of the reversed logs on [0, 1]. */
export function loglinearInterp(levels: readonly number[], num: number): number[] {
  const xs = numpyLinspace(0, 1, levels.length)
  const ys = levels.slice().reverse().map(Math.log)
  return numpyLinspace(0, 1, num).map((x) => Math.exp(numpyInterp(x, xs, ys))).reverse()
}

/** comfy_extras/nodes_align_your_steps.py AlignYourStepsScheduler: denoise keeps round(steps * denoise) steps. */
export function alignYourStepsScheduler(modelType: 'SD1' | 'SDXL', steps: number, denoise = 1): number[] {
  if (denoise <= 0) return []
  const total = denoise < 1 ? roundHalfEven(steps * denoise) : steps
  const levels = AYS_NOISE_LEVELS[modelType]
  let sigmas = steps + 1 !== levels.length ? loglinearInterp(levels, steps + 1) : levels.slice()
  sigmas = sigmas.slice(-(total + 1))
  sigmas[sigmas.length - 1] = 0
  return sigmas.map(f32)
}

/** The Hyper-SD authors' HyperSDXL1StepUnetScheduler (comfyui/ComfyUI-HyperSDXL1StepUnetScheduler/node.py). */
export function hyperSdxl1StepUnetScheduler(ms: ComfyModelSampling): number[] {
  return [ms.sigma(800), 0]
}

/**
 * JettHu/ComfyUI-TCD __init__.py TCDModelSamplingDiscrete.patch: the schedule on the distilled 50-sigma model
 * sampling (int(steps / denoise) steps, the last steps + 1 kept), and the sampler's s-timesteps
 * floor((1 - eta) * timestep(sigma)) with the last set to 0.
 */
export function tcdModelSamplingDiscrete(
  distilled: ComfyModelSampling,
  steps: number,
  scheduler: 'simple' | 'sgm_uniform',
  denoise: number,
  eta: number,
): { sigmas: number[]; timestepsS: number[] } {
  if (denoise <= 0) return { sigmas: [], timestepsS: [] }
  const total = Math.trunc(steps / denoise)
  const sigmas = calculateSigmas(distilled, scheduler, total).slice(-(steps + 1))
  // timestep(0) is the argmin against log(0) = -inf: the smallest sigma's t; it is overwritten by 0 anyway.
  // (1 - eta) * a long tensor is computed in float32.
  const timestepsS = sigmas.map((s) => (s > 0 ? Math.floor(f32(f32(1 - eta) * distilled.timestep(s))) : 0))
  timestepsS[timestepsS.length - 1] = 0
  return { sigmas, timestepsS }
}
