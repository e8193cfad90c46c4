// LCM (diffusers LCMScheduler): the Hyper-SDXL 1-step UNet runs it with custom timesteps [800]. Each step applies
// the consistency boundary condition (c_skip, c_out) and, except on the last step, re-noises to the next timestep.
import type { ConsistencyConfig } from './consistency.js'
import { CONSISTENCY_DEFAULTS, CONSISTENCY_SPEC, consistencyTimesteps } from './consistency.js'
import { SchedulerConfigError, readConfig, rejectThresholding } from './config.js'
import { alphasCumprod, makeBetas } from './betas.js'
import {
  addNoiseAlphas,
  checkSameLength,
  clipBound,
  predictionCoefficients,
  requireNoise,
  scheduleIndex,
} from './discrete.js'
import type { SamplingScheduler, SetTimestepsOptions, StepOptions } from './types.js'

const SIGMA_DATA = 0.5

/** c_skip and c_out of the discrete boundary condition at timestep t. */
export function lcmBoundaryScalings(t: number, timestepScaling: number): { cSkip: number; cOut: number } {
  const scaled = t * timestepScaling
  const denom = scaled * scaled + SIGMA_DATA * SIGMA_DATA
  return { cSkip: (SIGMA_DATA * SIGMA_DATA) / denom, cOut: scaled / Math.sqrt(denom) }
}

export class LcmScheduler implements SamplingScheduler {
  readonly name = 'lcm' as const
  readonly config: ConsistencyConfig
  readonly alphasCumprod: Float32Array
  readonly finalAlphaCumprod: number
  readonly initNoiseSigma = 1
  private schedule: number[] = []

  constructor(config?: Record<string, unknown>) {
    this.config = readConfig('lcm', CONSISTENCY_SPEC, CONSISTENCY_DEFAULTS, config)
    if (this.config.original_inference_steps === null) {
      throw new SchedulerConfigError('lcm', 'original_inference_steps', 'must be a positive integer for LCM, got null')
    }
    rejectThresholding('lcm', this.config)
    this.alphasCumprod = alphasCumprod(makeBetas('lcm', this.config))
    this.finalAlphaCumprod = this.config.set_alpha_to_one ? 1 : this.alphasCumprod[0]!
  }

  get timesteps(): number[] {
    return this.schedule.slice()
  }

  setTimesteps(steps: number, opts: SetTimestepsOptions = {}): void {
    this.schedule = consistencyTimesteps(
      steps,
      opts,
      this.config.num_train_timesteps,
      this.config.original_inference_steps,
    )
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample
  }

  needsNoise(t: number): boolean {
    return scheduleIndex(this.schedule, t) !== this.schedule.length - 1
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): Float32Array {
    checkSameLength('modelOutput', modelOutput, sample)
    const index = scheduleIndex(this.schedule, t)
    const last = index === this.schedule.length - 1
    const prevT = last ? t : this.schedule[index + 1]!
    const alphaT = this.alphasCumprod[t]!
    const alphaPrev = prevT >= 0 ? this.alphasCumprod[prevT]! : this.finalAlphaCumprod
    const { cSkip, cOut } = lcmBoundaryScalings(t, this.config.timestep_scaling)
    const { x0s, x0o } = predictionCoefficients(this.config.prediction_type, alphaT)
    const bound = clipBound(this.config.clip_sample, this.config.clip_sample_range)
    const noise = last ? null : requireNoise(opts.noise, sample, 'lcm before the last step')
    const keep = last ? 1 : Math.sqrt(alphaPrev)
    const add = last ? 0 : Math.sqrt(1 - alphaPrev)
    const x0Out = opts.predictedOriginal
    if (x0Out) checkSameLength('predictedOriginal', x0Out, sample)
    const out = new Float32Array(sample.length)
    for (let i = 0; i < out.length; i++) {
      const x = sample[i]!
      let x0 = x0s * x + x0o * modelOutput[i]!
      if (x0 > bound) x0 = bound
      else if (x0 < -bound) x0 = -bound
      const denoised = cOut * x0 + cSkip * x
      if (x0Out) x0Out[i] = denoised
      out[i] = noise ? keep * denoised + add * noise[i]! : denoised
    }
    return out
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    return addNoiseAlphas(this.alphasCumprod, original, noise, t)
  }
}
