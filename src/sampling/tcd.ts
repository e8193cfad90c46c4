// TCD (diffusers TCDScheduler): Hyper-SD's unified 1-step LoRA runs 1 to 8 steps through it. eta ("gamma")
// sets how far back each step jumps before re-noising: 0 is deterministic, 1 jumps to x0 and re-noises fully.
import type { ConsistencyConfig } from './consistency.js'
import { CONSISTENCY_DEFAULTS, CONSISTENCY_SPEC, consistencyTimesteps } from './consistency.js'
import { readConfig, rejectThresholding } from './config.js'
import { alphasCumprod, makeBetas } from './betas.js'
import {
  addNoiseAlphas,
  checkEta,
  checkSameLength,
  predictionCoefficients,
  requireNoise,
  scheduleIndex,
} from './discrete.js'
import type { SamplingScheduler, SetTimestepsOptions, StepOptions } from './types.js'

/** diffusers' TCDScheduler.step default for eta. */
export const TCD_DEFAULT_ETA = 0.3

export class TcdScheduler implements SamplingScheduler {
  readonly name = 'tcd' as const
  readonly config: ConsistencyConfig
  readonly alphasCumprod: Float32Array
  readonly initNoiseSigma = 1
  private schedule: number[] = []
  private custom = false

  constructor(config?: Record<string, unknown>) {
    this.config = readConfig('tcd', CONSISTENCY_SPEC, CONSISTENCY_DEFAULTS, config)
    rejectThresholding('tcd', this.config)
    this.alphasCumprod = alphasCumprod(makeBetas('tcd', this.config))
  }

  get timesteps(): number[] {
    return this.schedule.slice()
  }

  setTimesteps(steps: number, opts: SetTimestepsOptions = {}): void {
    this.custom = opts.timesteps !== undefined
    this.schedule = consistencyTimesteps(
      steps,
      opts,
      this.config.num_train_timesteps,
      this.config.original_inference_steps,
    )
  }

  /**
   * diffusers' previous_timestep (copied from DDPM): the next custom timestep or -1 after the last; otherwise
   * t - T // N. step() itself moves to the next scheduled timestep (or 0).
   */
  previousTimestep(t: number): number {
    if (this.custom) {
      const index = scheduleIndex(this.schedule, t)
      return index === this.schedule.length - 1 ? -1 : this.schedule[index + 1]!
    }
    return t - Math.floor(this.config.num_train_timesteps / this.schedule.length)
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample
  }

  private isLast(t: number): boolean {
    return scheduleIndex(this.schedule, t) === this.schedule.length - 1
  }

  needsNoise(t: number, eta = TCD_DEFAULT_ETA): boolean {
    return eta > 0 && !this.isLast(t)
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): Float32Array {
    const eta = opts.eta ?? TCD_DEFAULT_ETA
    checkEta(eta)
    checkSameLength('modelOutput', modelOutput, sample)
    const index = scheduleIndex(this.schedule, t)
    const prevT = index + 1 < this.schedule.length ? this.schedule[index + 1]! : 0
    const s = Math.floor((1 - eta) * prevT)
    const acp = this.alphasCumprod
    const alphaT = acp[t]!
    const alphaPrev = acp[prevT]!
    const alphaS = acp[s]!
    const { x0s, x0o, es, eo } = predictionCoefficients(this.config.prediction_type, alphaT)
    // x_s = sqrt(a_s) x0 + sqrt(1 - a_s) eps, then (not on the last step) re-noised forward from s to prev.
    const ca = Math.sqrt(alphaS)
    const cb = Math.sqrt(1 - alphaS)
    const renoise = eta > 0 && index !== this.schedule.length - 1
    const noise = renoise ? requireNoise(opts.noise, sample, `tcd with eta ${eta} before the last step`) : null
    const keep = renoise ? Math.sqrt(alphaPrev / alphaS) : 1
    const add = renoise ? Math.sqrt(1 - alphaPrev / alphaS) : 0
    const x0Out = opts.predictedOriginal
    if (x0Out) checkSameLength('predictedOriginal', x0Out, sample)
    const out = new Float32Array(sample.length)
    for (let i = 0; i < out.length; i++) {
      const x = sample[i]!
      const o = modelOutput[i]!
      const x0 = x0s * x + x0o * o
      if (x0Out) x0Out[i] = x0
      const xs = ca * x0 + cb * (es * x + eo * o)
      out[i] = noise ? keep * xs + add * noise[i]! : xs
    }
    return out
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    return addNoiseAlphas(this.alphasCumprod, original, noise, t)
  }
}
