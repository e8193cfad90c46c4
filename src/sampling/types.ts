// The scheduler contract shared by every scheduler module and re-exported from index.ts.

export type SchedulerName = 'ddim' | 'tcd' | 'lcm' | 'euler'

export interface SetTimestepsOptions {
  /** Custom descending timesteps; replaces the spacing rule (steps is then ignored). */
  timesteps?: number[]
  /** Denoising strength in (0, 1]: img2img keeps the tail of the schedule. */
  strength?: number
  /** Euler only: custom descending sigmas, the final sigma included (steps is then len - 1). */
  sigmas?: number[]
}

export interface StepOptions {
  /** DDIM eta / TCD gamma, in [0, 1]. Defaults: DDIM 0, TCD 0.3 (diffusers' defaults). */
  eta?: number
  /** Standard normal noise, same length as the sample; required where the step injects noise. */
  noise?: Float32Array
  /** When given, receives the step's predicted x0 (for previews). */
  predictedOriginal?: Float32Array
  /** Where to write prev_sample instead of a new array; may be `sample` itself (every step is elementwise). */
  out?: Float32Array
  /** Images stacked in the sample (default 1): dynamic thresholding takes its quantile per image. */
  batch?: number
}

export interface Scheduler {
  setTimesteps(steps: number, opts?: SetTimestepsOptions): void
  readonly timesteps: number[]
  readonly initNoiseSigma: number
  scaleModelInput(sample: Float32Array, t: number): Float32Array
  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts?: StepOptions): Float32Array
  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array
}

/** A step that is linear in its inputs: prev = sample * x_t + modelOutput * model output + noise * z. */
export interface LinearStep {
  readonly sample: number
  readonly modelOutput: number
  /** Zero where the step draws no noise. */
  readonly noise: number
}

/** What every scheduler here offers beyond the stable contract. */
export interface SamplingScheduler extends Scheduler {
  readonly name: SchedulerName
  /** The merged, validated diffusers config (snake_case keys). */
  readonly config: Readonly<Record<string, unknown>>
  /** alphas_cumprod over the training timesteps (float32, as diffusers holds it). */
  readonly alphasCumprod: Float32Array
  /** Whether step(t) with this eta would consume a noise array (so callers draw noise only when needed). */
  needsNoise(t: number, eta?: number): boolean
  /**
   * The step at t as three numbers when it is linear (no clipping or thresholding of x0), else undefined: a loop
   * that keeps its tensors on a GPU then needs only an axpy there. step() uses the same numbers where it can.
   */
  linearStep(t: number, eta?: number): LinearStep | undefined
  /** scaleModelInput(sample, t) as a multiplier (1 where the model input is the sample itself). */
  inputScale(t: number): number
}
