// Euler discrete (diffusers EulerDiscreteScheduler): sigma-space Euler steps, sigmas = sqrt((1-acp)/acp)
// interpolated at the (possibly fractional) timesteps. Also Karras, exponential and beta sigma schedules, custom
// sigmas, continuous timesteps (0.25 log sigma, with v-prediction) and s_churn, as diffusers has them.
import type { BetaConfig, ConfigSpec } from './config.js'
import { BETA_FIELDS, SchedulerConfigError, readConfig } from './config.js'
import { alphasCumprod, makeBetas, torchLinspaceF32 } from './betas.js'
import { betaQuantile } from './beta-distribution.js'
import { checkEta, checkSameLength, requireNoise, scheduleIndex } from './discrete.js'
import { applyStrength, checkCustomTimesteps, checkSteps, checkStrength, npLinspace, SchedulerArgumentError, spacedTimesteps } from './spacing.js'
import { linearCombine, outputBuffer } from './kernels.js'
import type { LinearStep, SamplingScheduler, SetTimestepsOptions, StepOptions } from './types.js'

export type EulerConfig = BetaConfig & {
  interpolation_type: string
  use_karras_sigmas: boolean
  use_exponential_sigmas: boolean
  use_beta_sigmas: boolean
  timestep_type: string
  sigma_min: number | null
  sigma_max: number | null
  final_sigmas_type: string
  s_churn: number
  s_tmin: number
  s_tmax: number
}

const SPEC: ConfigSpec<EulerConfig> = {
  ...BETA_FIELDS,
  interpolation_type: { kind: 'enum', values: ['linear', 'log_linear'] },
  use_karras_sigmas: { kind: 'boolean' },
  use_exponential_sigmas: { kind: 'boolean' },
  use_beta_sigmas: { kind: 'boolean' },
  timestep_type: { kind: 'enum', values: ['discrete', 'continuous'] },
  sigma_min: { kind: 'number', above: 0, nullable: true },
  sigma_max: { kind: 'number', above: 0, nullable: true },
  final_sigmas_type: { kind: 'enum', values: ['zero', 'sigma_min'] },
  s_churn: { kind: 'number', min: 0 },
  s_tmin: { kind: 'number', min: 0 },
  s_tmax: { kind: 'number', min: 0 },
}

export const EULER_DEFAULTS: EulerConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  prediction_type: 'epsilon',
  interpolation_type: 'linear',
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  timestep_type: 'discrete',
  sigma_min: null,
  sigma_max: null,
  timestep_spacing: 'linspace',
  steps_offset: 0,
  rescale_betas_zero_snr: false,
  final_sigmas_type: 'zero',
  // step() arguments in diffusers; config keys here so a preset can carry them.
  s_churn: 0,
  s_tmin: 0,
  s_tmax: Infinity,
}

const f32 = Math.fround

/** np.interp(x, arange(len(ys)), ys) for x inside [0, len-1] (clamped outside, as numpy does). */
function interpIndex(x: number, ys: ArrayLike<number>): number {
  if (x <= 0) return ys[0]!
  const last = ys.length - 1
  if (x >= last) return ys[last]!
  const i = Math.floor(x)
  const w = x - i
  return ys[i]! + (ys[i + 1]! - ys[i]!) * w
}

/** diffusers' _sigma_to_t: the fractional training timestep whose log-sigma is log(sigma). */
export function sigmaToT(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10))
  let low = 0
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i]! >= 0) low = i
  low = Math.min(low, logSigmas.length - 2)
  const lo = logSigmas[low]!
  const hi = logSigmas[low + 1]!
  const w = Math.min(Math.max((lo - logSigma) / (lo - hi), 0), 1)
  return (1 - w) * low + w * (low + 1)
}

export class EulerScheduler implements SamplingScheduler {
  readonly name = 'euler' as const
  readonly config: EulerConfig
  readonly alphasCumprod: Float32Array
  /** Training sigmas and their logs (float32, as diffusers keeps them). */
  private readonly trainSigmas: Float32Array
  private readonly logSigmas: Float32Array
  private schedule: number[] = []
  /** One more entry than the schedule: the final sigma. */
  sigmas = new Float32Array(0)

  constructor(config?: Record<string, unknown>) {
    this.config = readConfig('euler', SPEC, EULER_DEFAULTS, config)
    const acp = alphasCumprod(makeBetas('euler', this.config))
    // Zero terminal SNR makes the last sigma infinite; diffusers nudges it as here.
    if (this.config.rescale_betas_zero_snr) acp[acp.length - 1] = 2 ** -24
    this.alphasCumprod = acp
    this.trainSigmas = acp.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))))
    this.logSigmas = this.trainSigmas.map(Math.log)
  }

  get timesteps(): number[] {
    return this.schedule.slice()
  }

  get initNoiseSigma(): number {
    let max = 0
    for (const s of this.sigmas) max = Math.max(max, s)
    const spacing = this.config.timestep_spacing
    return spacing === 'linspace' || spacing === 'trailing' ? max : Math.sqrt(max * max + 1)
  }

  setTimesteps(steps: number, opts: SetTimestepsOptions = {}): void {
    const T = this.config.num_train_timesteps
    this.checkScheduleOptions(opts)
    let ts: number[]
    let sigmas: number[]
    if (opts.sigmas !== undefined) {
      // Custom sigmas are used as given, final sigma included; the timesteps are found from them.
      sigmas = opts.sigmas.map(Math.fround)
      ts = sigmas.slice(0, -1).map((s) => Math.fround(sigmaToT(s, this.logSigmas)))
    } else {
      if (opts.timesteps !== undefined) {
        checkCustomTimesteps(opts.timesteps, T, false)
        ts = opts.timesteps.map(Math.fround)
      } else {
        checkSteps(steps, T)
        ts = spacedTimesteps(this.config.timestep_spacing, steps, T, this.config.steps_offset, false)
      }
      sigmas = this.scheduleSigmas(ts)
      const family = this.sigmaFamily(sigmas, ts.length)
      if (family) {
        sigmas = family
        ts = sigmas.map((s) => Math.fround(sigmaToT(s, this.logSigmas)))
      }
      sigmas.push(this.config.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0]! : 0)
    }
    this.sigmas = Float32Array.from(sigmas)
    if (this.continuousTimesteps()) {
      // diffusers feeds such models 0.25 * log(sigma) (float32) instead of a training timestep.
      ts = Array.from(this.sigmas.subarray(0, -1), (s) => Math.fround(0.25 * Math.fround(Math.log(s))))
    }
    if (opts.strength !== undefined) {
      checkStrength(opts.strength)
      const kept = applyStrength(ts, opts.strength)
      this.sigmas = this.sigmas.slice(ts.length - kept.length)
      ts = kept
    }
    this.schedule = ts
  }

  /** diffusers' argument checks: one schedule source, and custom timesteps only where they mean something. */
  private checkScheduleOptions(opts: SetTimestepsOptions): void {
    if (opts.sigmas !== undefined) {
      if (opts.timesteps !== undefined) throw new SchedulerArgumentError('sigmas', 'euler: pass custom `timesteps` or custom `sigmas`, not both')
      if (opts.sigmas.length < 2) throw new SchedulerArgumentError('sigmas', 'euler: custom `sigmas` need at least two values (the last is the final sigma)')
      const bad = opts.sigmas.findIndex((s) => !Number.isFinite(s) || s < 0)
      if (bad >= 0) throw new SchedulerArgumentError('sigmas', `euler: custom sigma ${opts.sigmas[bad]} at index ${bad} is not a finite value >= 0`)
    }
    if (opts.timesteps === undefined) return
    for (const key of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas'] as const) {
      if (this.config[key]) throw new SchedulerConfigError('euler', key, 'cannot be combined with custom `timesteps`')
    }
    if (this.continuousTimesteps()) {
      throw new SchedulerConfigError('euler', 'timestep_type', '"continuous" with v_prediction cannot be combined with custom `timesteps`')
    }
  }

  private continuousTimesteps(): boolean {
    return this.config.timestep_type === 'continuous' && this.config.prediction_type === 'v_prediction'
  }

  /** Sigmas at the schedule's timesteps, by interpolation_type. */
  private scheduleSigmas(ts: readonly number[]): number[] {
    if (this.config.interpolation_type === 'linear') return ts.map((t) => interpIndex(t, this.trainSigmas))
    // diffusers' log_linear: evenly spaced in log sigma over the whole training range (n + 1 values, ascending).
    const T = this.config.num_train_timesteps
    const logs = torchLinspaceF32(Math.log(this.trainSigmas[T - 1]!), Math.log(this.trainSigmas[0]!), ts.length + 1)
    return Array.from(logs, (l) => Math.fround(Math.exp(l)))
  }

  /** The Karras, exponential or beta schedule between sigma_max and sigma_min, when the config asks for one. */
  private sigmaFamily(sigmas: readonly number[], n: number): number[] | undefined {
    const { use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas } = this.config
    if (!use_karras_sigmas && !use_exponential_sigmas && !use_beta_sigmas) return undefined
    const sigmaMin = this.config.sigma_min ?? sigmas[sigmas.length - 1]!
    const sigmaMax = this.config.sigma_max ?? sigmas[0]!
    if (use_karras_sigmas) {
      const rho = 7
      const minInv = sigmaMin ** (1 / rho)
      const maxInv = sigmaMax ** (1 / rho)
      return npLinspace(0, 1, n).map((r) => (maxInv + r * (minInv - maxInv)) ** rho)
    }
    if (use_exponential_sigmas) return npLinspace(Math.log(sigmaMax), Math.log(sigmaMin), n).map(Math.exp)
    // Beta(0.6, 0.6) quantiles of 1 - linspace(0, 1, n): dense near both ends of the range.
    return npLinspace(0, 1, n).map((r) => sigmaMin + betaQuantile(1 - r, 0.6, 0.6) * (sigmaMax - sigmaMin))
  }

  private sigmaAt(t: number): { index: number; sigma: number } {
    const index = scheduleIndex(this.schedule, t)
    return { index, sigma: this.sigmas[index]! }
  }

  scaleModelInput(sample: Float32Array, t: number): Float32Array {
    const { sigma } = this.sigmaAt(t)
    // Division by a float32 divisor, as diffusers' sample / ((sigma**2 + 1) ** 0.5) on float32 tensors.
    const divisor = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)))
    const out = new Float32Array(sample.length)
    for (let i = 0; i < out.length; i++) out[i] = sample[i]! / divisor
    return out
  }

  private churn(sigma: number): number {
    const { s_churn, s_tmin, s_tmax } = this.config
    if (s_churn <= 0 || sigma < s_tmin || sigma > s_tmax) return 0
    return Math.min(s_churn / (this.sigmas.length - 1), Math.SQRT2 - 1)
  }

  needsNoise(t: number): boolean {
    return this.churn(this.sigmaAt(t).sigma) > 0
  }

  inputScale(t: number): number {
    const { sigma } = this.sigmaAt(t)
    return 1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1)))
  }

  /** With churn x = sample + churnScale * noise; then prev = (1 + (1 - xs) k) x - xo k output (see step). */
  linearStep(t: number): LinearStep {
    const { k, xs, xo, churnScale } = this.stepParts(t)
    const onX = 1 + (1 - xs) * k
    return { sample: onX, modelOutput: -xo * k, noise: onX * churnScale }
  }

  private stepParts(t: number): { k: number; xs: number; xo: number; churnScale: number; gamma: number } {
    const { index, sigma } = this.sigmaAt(t)
    const gamma = this.churn(sigma)
    const sigmaHat = sigma * (gamma + 1)
    const churnScale = gamma > 0 ? Math.sqrt(sigmaHat * sigmaHat - sigma * sigma) : 0
    const dt = this.sigmas[index + 1]! - sigmaHat
    // x0 = xs * x + xo * out per prediction type (v_prediction uses sigma, not sigma_hat, as diffusers does).
    let xs: number
    let xo: number
    switch (this.config.prediction_type) {
      case 'epsilon':
        xs = 1
        xo = -sigmaHat
        break
      case 'v_prediction':
        xs = 1 / (sigma * sigma + 1)
        xo = -sigma / Math.sqrt(sigma * sigma + 1)
        break
      default:
        xs = 0
        xo = 1
    }
    return { k: dt / sigmaHat, xs, xo, churnScale, gamma }
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): Float32Array {
    if (opts.eta !== undefined) checkEta(opts.eta) // unused by Euler, but a bad value is still a caller bug
    checkSameLength('modelOutput', modelOutput, sample)
    const { k, xs, xo, churnScale, gamma } = this.stepParts(t)
    const noise = gamma > 0 ? requireNoise(opts.noise, sample, `euler with s_churn ${this.config.s_churn}`) : null
    // With churn the step starts from x + noise * sqrt(sigma_hat^2 - sigma^2).
    const x = noise ? linearCombine(new Float32Array(sample.length), 1, sample, churnScale, noise) : sample
    if (opts.predictedOriginal) {
      checkSameLength('predictedOriginal', opts.predictedOriginal, sample)
      linearCombine(opts.predictedOriginal, xs, x, xo, modelOutput)
    }
    // out = x + (x - x0) * dt / sigma_hat, linear in (x, output): one pass.
    return linearCombine(outputBuffer(opts.out, sample.length), 1 + (1 - xs) * k, x, -xo * k, modelOutput)
  }

  /** diffusers' add_noise: original + noise * sigma(t), in float32. */
  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    checkSameLength('noise', noise, original)
    const { sigma } = this.sigmaAt(t)
    const out = new Float32Array(original.length)
    // In float32 as torch computes it: the product is rounded before the sum.
    const s = Math.fround(sigma)
    for (let i = 0; i < out.length; i++) out[i] = original[i]! + Math.fround(noise[i]! * s)
    return out
  }
}
