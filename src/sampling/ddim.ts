// DDIM (diffusers DDIMScheduler): deterministic at eta 0, the scheduler behind Hyper-SD's N-step LoRAs with
// trailing spacing. Custom timesteps (an extension: diffusers' DDIM has none) step to the next listed timestep.
import type { BetaConfig, ClipConfig, ConfigSpec } from './config.js'
import { BETA_FIELDS, CLIP_FIELDS, readConfig } from './config.js'
import { dynamicThreshold } from './threshold.js'
import { alphasCumprod, makeBetas } from './betas.js'
import {
  addNoiseAlphas,
  checkEta,
  checkSameLength,
  checkTrainTimestep,
  clipBound,
  predictionCoefficients,
  requireNoise,
} from './discrete.js'
import { applyStrength, checkCustomTimesteps, checkSteps, checkStrength, refuseCustomSigmas, spacedTimesteps } from './spacing.js'
import { clampedAffine, linearCombine, outputBuffer } from './kernels.js'
import type { LinearStep, SamplingScheduler, SetTimestepsOptions, StepOptions } from './types.js'

export type DdimConfig = BetaConfig & ClipConfig

const SPEC: ConfigSpec<DdimConfig> = { ...BETA_FIELDS, ...CLIP_FIELDS }

export const DDIM_DEFAULTS: DdimConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  clip_sample: true,
  set_alpha_to_one: true,
  steps_offset: 0,
  prediction_type: 'epsilon',
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  clip_sample_range: 1.0,
  sample_max_value: 1.0,
  timestep_spacing: 'leading',
  rescale_betas_zero_snr: false,
}

export class DdimScheduler implements SamplingScheduler {
  readonly name = 'ddim' as const
  readonly config: DdimConfig
  readonly alphasCumprod: Float32Array
  readonly finalAlphaCumprod: number
  readonly initNoiseSigma = 1
  private schedule: number[] = []
  private numInferenceSteps = 0
  /** Previous timestep per schedule entry when custom timesteps are in use. */
  private customPrev: Map<number, number> | null = null

  constructor(config?: Record<string, unknown>) {
    this.config = readConfig('ddim', SPEC, DDIM_DEFAULTS, config)
    this.alphasCumprod = alphasCumprod(makeBetas('ddim', this.config))
    this.finalAlphaCumprod = this.config.set_alpha_to_one ? 1 : this.alphasCumprod[0]!
  }

  get timesteps(): number[] {
    return this.schedule.slice()
  }

  setTimesteps(steps: number, opts: SetTimestepsOptions = {}): void {
    refuseCustomSigmas('ddim', opts.sigmas)
    const T = this.config.num_train_timesteps
    let ts: number[]
    if (opts.timesteps !== undefined) {
      checkCustomTimesteps(opts.timesteps, T, true)
      ts = opts.timesteps.slice()
      this.customPrev = new Map(ts.map((t, i) => [t, i + 1 < ts.length ? ts[i + 1]! : -1]))
    } else {
      checkSteps(steps, T)
      ts = spacedTimesteps(this.config.timestep_spacing, steps, T, this.config.steps_offset, true)
      this.customPrev = null
    }
    this.numInferenceSteps = ts.length
    if (opts.strength !== undefined) {
      checkStrength(opts.strength)
      ts = applyStrength(ts, opts.strength)
    }
    this.schedule = ts
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample
  }

  needsNoise(_t: number, eta = 0): boolean {
    return eta > 0
  }

  previousTimestep(t: number): number {
    if (this.customPrev) {
      const prev = this.customPrev.get(t)
      if (prev === undefined) throw new RangeError(`ddim: timestep ${t} is not in the custom schedule`)
      return prev
    }
    return t - Math.floor(this.config.num_train_timesteps / this.numInferenceSteps)
  }

  /** diffusers' _get_variance(t, prev). */
  variance(t: number, prev: number): number {
    const a = this.alphasCumprod[t]!
    const ap = prev >= 0 ? this.alphasCumprod[prev]! : this.finalAlphaCumprod
    return ((1 - ap) / (1 - a)) * (1 - a / ap)
  }

  /** x0 = x0s * x + x0o * out and eps = es * x + eo * out, then prev = cx0 * x0 + ceps * eps + std * noise. */
  private coefficients(t: number, eta: number) {
    if (this.numInferenceSteps === 0) throw new RangeError('ddim: setTimesteps() must be called before step()')
    checkEta(eta)
    checkTrainTimestep(t, this.config.num_train_timesteps)
    const prev = this.previousTimestep(t)
    const alphaT = this.alphasCumprod[t]!
    const alphaPrev = prev >= 0 ? this.alphasCumprod[prev]! : this.finalAlphaCumprod
    const std = eta * Math.sqrt(this.variance(t, prev))
    return { ...predictionCoefficients(this.config.prediction_type, alphaT), std, cx0: Math.sqrt(alphaPrev), ceps: Math.sqrt(Math.max(1 - alphaPrev - std * std, 0)) }
  }

  linearStep(t: number, eta = 0): LinearStep | undefined {
    if (this.config.thresholding || clipBound(this.config.clip_sample, this.config.clip_sample_range) !== Infinity) return undefined
    const { x0s, x0o, es, eo, std, cx0, ceps } = this.coefficients(t, eta)
    return { sample: cx0 * x0s + ceps * es, modelOutput: cx0 * x0o + ceps * eo, noise: std }
  }

  inputScale(): number {
    return 1
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): Float32Array {
    const eta = opts.eta ?? 0
    const { x0s, x0o, es, eo, std, cx0, ceps } = this.coefficients(t, eta)
    checkSameLength('modelOutput', modelOutput, sample)
    const bound = clipBound(this.config.clip_sample, this.config.clip_sample_range)
    const noise = eta > 0 ? requireNoise(opts.noise, sample, `ddim with eta ${eta}`) : null
    const out = outputBuffer(opts.out, sample.length)
    const x0Out = opts.predictedOriginal
    if (x0Out) {
      checkSameLength('predictedOriginal', x0Out, sample)
      clampedAffine(x0Out, x0s, sample, x0o, modelOutput, bound)
    }
    if (this.config.thresholding) {
      // x0 thresholded per image (it replaces clip_sample, as in diffusers), then the same combination.
      const x0 = dynamicThreshold(linearCombine(new Float32Array(sample.length), x0s, sample, x0o, modelOutput), opts.batch ?? 1, this.config.dynamic_thresholding_ratio, this.config.sample_max_value)
      if (x0Out) x0Out.set(x0)
      for (let i = 0; i < out.length; i++) {
        out[i] = cx0 * x0[i]! + ceps * (es * sample[i]! + eo * modelOutput[i]!) + (noise ? std * noise[i]! : 0)
      }
      return out
    }
    if (bound === Infinity) {
      // Without clipping the step is linear in (sample, output, noise): one pass.
      const linear = this.linearStep(t, eta)!
      return linearCombine(out, linear.sample, sample, linear.modelOutput, modelOutput, linear.noise, noise)
    }
    for (let i = 0; i < out.length; i++) {
      const s = sample[i]!
      const o = modelOutput[i]!
      const x0 = Math.min(Math.max(x0s * s + x0o * o, -bound), bound)
      out[i] = cx0 * x0 + ceps * (es * s + eo * o) + (noise ? std * noise[i]! : 0)
    }
    return out
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    return addNoiseAlphas(this.alphasCumprod, original, noise, t)
  }
}
