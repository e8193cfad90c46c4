// What LCM and TCD share: their config fields and defaults, and the timestep schedule drawn from the
// original_inference_steps-sized distillation schedule (diffusers' LCMScheduler/TCDScheduler.set_timesteps).
import type { BetaConfig, ClipConfig, FieldSpec } from './config.js'
import { BETA_FIELDS, CLIP_FIELDS, readConfig } from './config.js'
import { alphasCumprod, makeBetas } from './betas.js'
import { addNoiseAlphas, scheduleIndex } from './discrete.js'
import { checkCustomTimesteps, checkSteps, checkStrength, npLinspace, refuseCustomSigmas, SchedulerArgumentError } from './spacing.js'
import type { SetTimestepsOptions } from './types.js'

export type ConsistencyConfig = BetaConfig & ClipConfig & {
  original_inference_steps: number | null
  timestep_scaling: number
}

export const CONSISTENCY_SPEC = {
  ...BETA_FIELDS,
  ...CLIP_FIELDS,
  original_inference_steps: { kind: 'integer', min: 1, nullable: true },
  timestep_scaling: { kind: 'number' },
} as const satisfies Record<keyof ConsistencyConfig, FieldSpec>

export const CONSISTENCY_DEFAULTS: ConsistencyConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  trained_betas: null,
  original_inference_steps: 50,
  clip_sample: false,
  clip_sample_range: 1.0,
  set_alpha_to_one: true,
  steps_offset: 0,
  prediction_type: 'epsilon',
  thresholding: false,
  dynamic_thresholding_ratio: 0.995,
  sample_max_value: 1.0,
  timestep_spacing: 'leading',
  timestep_scaling: 10.0,
  rescale_betas_zero_snr: false,
}

/**
 * The inference timesteps. `originalSteps` null (TCD only) means every training timestep is a distillation step.
 */
export function consistencyTimesteps(
  steps: number,
  opts: { timesteps?: number[]; strength?: number },
  numTrainTimesteps: number,
  originalSteps: number | null,
): number[] {
  const T = numTrainTimesteps
  const strength = opts.strength ?? 1
  checkStrength(strength)
  if (originalSteps !== null && originalSteps > T) {
    throw new SchedulerArgumentError(
      'original_inference_steps',
      `\`original_steps\`: ${originalSteps} cannot be larger than \`self.config.train_timesteps\`: ${T} as the unet ` +
        `model trained with this scheduler can only handle maximal ${T} timesteps.`,
    )
  }
  if (opts.timesteps !== undefined) {
    checkCustomTimesteps(opts.timesteps, T, true)
    const n = opts.timesteps.length
    const initTimestep = Math.min(Math.floor(n * strength), n)
    return opts.timesteps.slice(Math.max(n - initTimestep, 0))
  }
  checkSteps(steps, T)
  // Distillation schedule: k-spaced ending at T-1 (k = T // original_steps), truncated by strength.
  const origin: number[] = []
  if (originalSteps !== null) {
    const k = Math.floor(T / originalSteps)
    const count = Math.floor(originalSteps * strength)
    for (let i = 1; i <= count; i++) origin.push(i * k - 1)
  } else {
    const count = Math.floor(T * strength)
    for (let i = 0; i < count; i++) origin.push(i)
  }
  if (originalSteps !== null && Math.floor(origin.length / steps) < 1) {
    throw new SchedulerArgumentError(
      'steps',
      `The combination of \`original_steps x strength\`: ${originalSteps} x ${strength} is smaller than ` +
        `\`num_inference_steps\`: ${steps}. Make sure to either reduce \`num_inference_steps\` to a value smaller than ` +
        `${Math.floor(originalSteps * strength)} or increase \`strength\` to a value higher than ${steps / originalSteps}.`,
    )
  }
  const limit = originalSteps ?? T
  if (steps > limit) {
    throw new SchedulerArgumentError(
      'steps',
      `\`num_inference_steps\`: ${steps} cannot be larger than \`original_inference_steps\`: ${limit} because the ` +
        `final timestep schedule will be a subset of the \`original_inference_steps\`-sized initial timestep schedule.`,
    )
  }
  origin.reverse()
  return npLinspace(0, origin.length, steps, false).map((x) => origin[Math.floor(x)]!)
}

/** Config, alphas, schedule and add_noise common to LCM and TCD; subclasses supply step(). */
export abstract class ConsistencySchedulerBase {
  readonly config: ConsistencyConfig
  readonly alphasCumprod: Float32Array
  readonly initNoiseSigma = 1
  protected schedule: number[] = []
  protected custom = false
  private readonly schedulerName: string

  constructor(name: string, config: Record<string, unknown> | undefined) {
    this.schedulerName = name
    this.config = readConfig(name, CONSISTENCY_SPEC, CONSISTENCY_DEFAULTS, config)
    this.alphasCumprod = alphasCumprod(makeBetas(name, this.config))
  }

  get timesteps(): number[] {
    return this.schedule.slice()
  }

  setTimesteps(steps: number, opts: SetTimestepsOptions = {}): void {
    refuseCustomSigmas(this.schedulerName, opts.sigmas)
    this.custom = opts.timesteps !== undefined
    this.schedule = consistencyTimesteps(
      steps,
      opts,
      this.config.num_train_timesteps,
      this.config.original_inference_steps,
    )
  }

  /** Both schedulers take the model input unscaled. */
  scaleModelInput(sample: Float32Array): Float32Array {
    return sample
  }

  /** The schedule position of t and whether it is the last step. */
  protected position(t: number): { index: number; last: boolean } {
    const index = scheduleIndex(this.schedule, t)
    return { index, last: index === this.schedule.length - 1 }
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    return addNoiseAlphas(this.alphasCumprod, original, noise, t)
  }
}
