// TCD (diffusers TCDScheduler): Hyper-SD's unified 1-step LoRA runs 1 to 8 steps through it. eta ("gamma")
// sets how far back each step jumps before re-noising: 0 is deterministic, 1 jumps to x0 and re-noises fully.
import { ConsistencySchedulerBase } from './consistency.js'
import { checkEta, checkSameLength, predictionCoefficients, requireNoise } from './discrete.js'
import { linearCombine, outputBuffer } from './kernels.js'
import type { LinearStep, SamplingScheduler, StepOptions } from './types.js'

/** diffusers' TCDScheduler.step default for eta. */
export const TCD_DEFAULT_ETA = 0.3

export class TcdScheduler extends ConsistencySchedulerBase implements SamplingScheduler {
  readonly name = 'tcd' as const

  constructor(config?: Record<string, unknown>) {
    super('tcd', config)
  }

  /**
   * diffusers' previous_timestep (copied from DDPM): the next custom timestep or -1 after the last; otherwise
   * t - T // N. step() itself moves to the next scheduled timestep (or 0).
   */
  previousTimestep(t: number): number {
    if (this.custom) {
      const { index, last } = this.position(t)
      return last ? -1 : this.schedule[index + 1]!
    }
    return t - Math.floor(this.config.num_train_timesteps / this.schedule.length)
  }

  needsNoise(t: number, eta = TCD_DEFAULT_ETA): boolean {
    return eta > 0 && !this.position(t).last
  }

  /** x_s = sqrt(a_s) x0 + sqrt(1 - a_s) eps, then (not on the last step) re-noised forward from s to prev. */
  linearStep(t: number, eta = TCD_DEFAULT_ETA): LinearStep {
    checkEta(eta)
    const { index, last } = this.position(t)
    const prevT = last ? 0 : this.schedule[index + 1]!
    const s = Math.floor((1 - eta) * prevT)
    const acp = this.alphasCumprod
    const alphaPrev = acp[prevT]!
    const alphaS = acp[s]!
    const { x0s, x0o, es, eo } = predictionCoefficients(this.config.prediction_type, acp[t]!)
    const ca = Math.sqrt(alphaS)
    const cb = Math.sqrt(1 - alphaS)
    const renoise = eta > 0 && !last
    const keep = renoise ? Math.sqrt(alphaPrev / alphaS) : 1
    return { sample: keep * (ca * x0s + cb * es), modelOutput: keep * (ca * x0o + cb * eo), noise: renoise ? Math.sqrt(1 - alphaPrev / alphaS) : 0 }
  }

  inputScale(): number {
    return 1
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): Float32Array {
    const eta = opts.eta ?? TCD_DEFAULT_ETA
    const linear = this.linearStep(t, eta)
    checkSameLength('modelOutput', modelOutput, sample)
    const noise = linear.noise > 0 ? requireNoise(opts.noise, sample, `tcd with eta ${eta} before the last step`) : null
    const x0Out = opts.predictedOriginal
    if (x0Out) {
      checkSameLength('predictedOriginal', x0Out, sample)
      const { x0s, x0o } = predictionCoefficients(this.config.prediction_type, this.alphasCumprod[t]!)
      linearCombine(x0Out, x0s, sample, x0o, modelOutput)
    }
    // prev = keep * (ca * x0 + cb * eps) + add * noise, linear in (sample, output, noise): one pass.
    return linearCombine(outputBuffer(opts.out, sample.length), linear.sample, sample, linear.modelOutput, modelOutput, linear.noise, noise)
  }
}
