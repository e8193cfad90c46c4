// LCM (diffusers LCMScheduler): the Hyper-SDXL 1-step UNet runs it with custom timesteps [800]. Each step applies
// the consistency boundary condition (c_skip, c_out) and, except on the last step, re-noises to the next timestep.
import { ConsistencySchedulerBase } from './consistency.js'
import { SchedulerConfigError } from './config.js'
import { checkEta, checkSameLength, clipBound, predictionCoefficients, requireNoise } from './discrete.js'
import { dynamicThreshold } from './threshold.js'
import { clampedAffine, linearCombine, outputBuffer } from './kernels.js'
import type { LinearStep, SamplingScheduler, StepOptions } from './types.js'

const SIGMA_DATA = 0.5

/** c_skip and c_out of the discrete boundary condition at timestep t. */
export function lcmBoundaryScalings(t: number, timestepScaling: number): { cSkip: number; cOut: number } {
  const scaled = t * timestepScaling
  const denom = scaled * scaled + SIGMA_DATA * SIGMA_DATA
  return { cSkip: (SIGMA_DATA * SIGMA_DATA) / denom, cOut: scaled / Math.sqrt(denom) }
}

export class LcmScheduler extends ConsistencySchedulerBase implements SamplingScheduler {
  readonly name = 'lcm' as const

  constructor(config?: Record<string, unknown>) {
    super('lcm', config)
    if (this.config.original_inference_steps === null) {
      throw new SchedulerConfigError('lcm', 'original_inference_steps', 'must be a positive integer for LCM, got null')
    }
  }

  needsNoise(t: number): boolean {
    return !this.position(t).last
  }

  /** predictedOriginal receives LCM's `denoised` (the boundary-conditioned x0), the better preview. */
  /** denoised = (cOut * x0s + cSkip) * x + cOut * x0o * output; prev = keep * denoised + add * noise. */
  linearStep(t: number): LinearStep | undefined {
    if (this.config.thresholding || clipBound(this.config.clip_sample, this.config.clip_sample_range) !== Infinity) return undefined
    const { index, last } = this.position(t)
    const alphaPrev = this.alphasCumprod[last ? t : this.schedule[index + 1]!]!
    const { cSkip, cOut } = lcmBoundaryScalings(t, this.config.timestep_scaling)
    const { x0s, x0o } = predictionCoefficients(this.config.prediction_type, this.alphasCumprod[t]!)
    const keep = last ? 1 : Math.sqrt(alphaPrev)
    return { sample: keep * (cOut * x0s + cSkip), modelOutput: keep * cOut * x0o, noise: last ? 0 : Math.sqrt(1 - alphaPrev) }
  }

  inputScale(): number {
    return 1
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): Float32Array {
    if (opts.eta !== undefined) checkEta(opts.eta) // unused by LCM, but a bad value is still a caller bug
    checkSameLength('modelOutput', modelOutput, sample)
    const { index, last } = this.position(t)
    // diffusers' prev timestep is always >= 0 here, so set_alpha_to_one never applies.
    const alphaPrev = this.alphasCumprod[last ? t : this.schedule[index + 1]!]!
    const { cSkip, cOut } = lcmBoundaryScalings(t, this.config.timestep_scaling)
    const { x0s, x0o } = predictionCoefficients(this.config.prediction_type, this.alphasCumprod[t]!)
    const bound = clipBound(this.config.clip_sample, this.config.clip_sample_range)
    const noise = last ? null : requireNoise(opts.noise, sample, 'lcm before the last step')
    const keep = last ? 1 : Math.sqrt(alphaPrev)
    const add = last ? 0 : Math.sqrt(1 - alphaPrev)
    const out = outputBuffer(opts.out, sample.length)
    if (bound === Infinity && !this.config.thresholding) {
      // denoised = (cOut * x0s + cSkip) * x + cOut * x0o * output; prev = keep * denoised + add * noise.
      if (opts.predictedOriginal) {
        checkSameLength('predictedOriginal', opts.predictedOriginal, sample)
        linearCombine(opts.predictedOriginal, cOut * x0s + cSkip, sample, cOut * x0o, modelOutput)
      }
      const linear = this.linearStep(t)!
      return linearCombine(out, linear.sample, sample, linear.modelOutput, modelOutput, linear.noise, noise)
    }
    // x0 thresholded per image, or clipped, before the boundary condition (diffusers' order).
    const denoised = this.config.thresholding
      ? dynamicThreshold(linearCombine(new Float32Array(sample.length), x0s, sample, x0o, modelOutput), opts.batch ?? 1, this.config.dynamic_thresholding_ratio, this.config.sample_max_value)
      : clampedAffine(new Float32Array(sample.length), x0s, sample, x0o, modelOutput, bound)
    linearCombine(denoised, cOut, denoised, cSkip, sample)
    if (opts.predictedOriginal) {
      checkSameLength('predictedOriginal', opts.predictedOriginal, sample)
      opts.predictedOriginal.set(denoised)
    }
    if (noise) return linearCombine(out, keep, denoised, add, noise)
    out.set(denoised)
    return out
  }
}
