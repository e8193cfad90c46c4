// ComfyUI's discrete model sampling for SD1.5 / SDXL, reimplemented from its Python for the translation tests:
// the sigma table, sigma -> the integer timestep the UNet is fed, and timestep -> sigma.
import { f32, torchLinspace64 } from './float32.js'

export interface ComfyModelSampling {
  /** Ascending float32 sigmas (1000 for ModelSamplingDiscrete, 50 for the distilled LCM/TCD table). */
  readonly sigmas: readonly number[]
  readonly logSigmas: readonly number[]
  readonly sigmaMin: number
  readonly sigmaMax: number
  /** The UNet timestep for a sigma (comfy/model_base.py _apply_model: model_sampling.timestep(sigma)). */
  timestep(sigma: number): number
  /**
   * Every timestep torch could pick for this sigma: more than one where sigma lies halfway between two table
   * entries in log space (e.g. sgm_uniform's t = 499.5), so the argmin hangs on the last bit of a float32 log.
   */
  timestepChoices(sigma: number): number[]
  /** sigma(t), log-linear between table entries. */
  sigma(timestep: number): number
  /** The inverse of sigma(t): the fractional timestep whose sigma this is (what a schedule really steps to). */
  continuousTimestep(sigma: number): number
}

/** argmin_i |log(sigma) - logSigmas[i]| in float32, the first index on a tie (torch.argmin). */
function nearestLogSigma(sigma: number, logSigmas: readonly number[]): number {
  return nearLogSigmas(sigma, logSigmas, 0)[0]!
}

/** Table indices within `slack` of the nearest in log space, nearest first (slack 0: the argmin alone). */
function nearLogSigmas(sigma: number, logSigmas: readonly number[], slack: number): number[] {
  const logSigma = f32(Math.log(sigma))
  const dists = logSigmas.map((l) => Math.abs(f32(logSigma - l)))
  const best = Math.min(...dists)
  const first = dists.indexOf(best)
  if (slack === 0) return [first]
  return [first, ...dists.flatMap((d, i) => (i !== first && d <= best + slack ? [i] : []))]
}

/** The fractional table index whose log-linear sigma is `sigma` (clamped to the table). */
function fractionalIndex(sigma: number, logSigmas: readonly number[]): number {
  const logSigma = Math.log(sigma)
  if (logSigma <= logSigmas[0]!) return 0
  const last = logSigmas.length - 1
  if (logSigma >= logSigmas[last]!) return last
  let i = 0
  while (logSigmas[i + 1]! < logSigma) i++
  return i + (logSigma - logSigmas[i]!) / (logSigmas[i + 1]! - logSigmas[i]!)
}

/** Float32 logs near 0.5 are 6e-8 apart; table entries are at least 1e-3 apart in log sigma. */
const TIE_SLACK = 1e-6

/** (1 - w) * log[low] + w * log[high], exp'd, all in float32 (ModelSamplingDiscrete.sigma). */
function interpolateLogSigma(index: number, logSigmas: readonly number[]): number {
  const t = Math.min(Math.max(f32(index), 0), logSigmas.length - 1)
  const low = Math.floor(t)
  const high = Math.ceil(t)
  const w = f32(t - low)
  const log = f32(f32(f32(1 - w) * logSigmas[low]!) + f32(w * logSigmas[high]!))
  return f32(Math.exp(log))
}

/**
 * comfy/model_sampling.py ModelSamplingDiscrete with SD1.5/SDXL sampling_settings (beta_schedule "linear",
 * linear_start 0.00085, linear_end 0.012): make_beta_schedule("linear") in comfy/ldm/modules/diffusionmodules/util.py
 * squares a float64 torch.linspace of the square roots; alphas_cumprod is a float64 cumprod; sigmas
 * ((1 - acp) / acp) ** 0.5 are kept as float32, log_sigmas as float32 of the float64 log.
 */
export function modelSamplingDiscrete(): ComfyModelSampling {
  const betas = torchLinspace64(Math.sqrt(0.00085), Math.sqrt(0.012), 1000).map((b) => b * b)
  let acp = 1
  const sigmas64 = betas.map((b) => {
    acp *= 1 - b
    return Math.sqrt((1 - acp) / acp)
  })
  const sigmas = sigmas64.map(f32)
  const logSigmas = sigmas64.map((s) => f32(Math.log(s)))
  return {
    sigmas,
    logSigmas,
    sigmaMin: sigmas[0]!,
    sigmaMax: sigmas[sigmas.length - 1]!,
    timestep: (sigma) => nearestLogSigma(sigma, logSigmas),
    timestepChoices: (sigma) => nearLogSigmas(sigma, logSigmas, TIE_SLACK),
    sigma: (t) => interpolateLogSigma(t, logSigmas),
    continuousTimestep: (sigma) => fractionalIndex(sigma, logSigmas),
  }
}

/**
 * comfy_extras/nodes_model_advanced.py ModelSamplingDiscreteDistilled (ModelSamplingDiscrete "lcm", and the base
 * of ComfyUI-TCD's ModelSamplingDiscreteDistilledTCD): 50 of the 1000 sigmas, at t = 19, 39, ..., 999
 * (skip_steps = 1000 // 50 = 20). timestep(sigma) = argmin * 20 + 19; sigma(t) interpolates at (t - 19) / 20.
 */
export function modelSamplingDistilled(base: ComfyModelSampling = modelSamplingDiscrete()): ComfyModelSampling {
  const original = 50
  const skip = Math.floor(base.sigmas.length / original)
  const sigmas: number[] = new Array<number>(original)
  for (let x = 0; x < original; x++) sigmas[original - 1 - x] = base.sigmas[base.sigmas.length - 1 - x * skip]!
  // set_sigmas on a float32 tensor: the log is taken in float32.
  const logSigmas = sigmas.map((s) => f32(Math.log(s)))
  return {
    sigmas,
    logSigmas,
    sigmaMin: sigmas[0]!,
    sigmaMax: sigmas[original - 1]!,
    timestep: (sigma) => nearestLogSigma(sigma, logSigmas) * skip + (skip - 1),
    timestepChoices: (sigma) => nearLogSigmas(sigma, logSigmas, TIE_SLACK).map((i) => i * skip + (skip - 1)),
    sigma: (t) => interpolateLogSigma(f32(f32(f32(t) - (skip - 1)) / skip), logSigmas),
    continuousTimestep: (sigma) => fractionalIndex(sigma, logSigmas) * skip + (skip - 1),
  }
}

/** The UNet timesteps a k-diffusion sampler feeds for a sigma schedule: one per step, the final sigma excluded. */
export function unetTimesteps(ms: ComfyModelSampling, sigmas: readonly number[]): number[] {
  return sigmas.slice(0, -1).map((s) => ms.timestep(s))
}

/** Per step, every timestep torch could feed (see timestepChoices). */
export function unetTimestepChoices(ms: ComfyModelSampling, sigmas: readonly number[]): number[][] {
  return sigmas.slice(0, -1).map((s) => ms.timestepChoices(s))
}
