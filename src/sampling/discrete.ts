// Pieces shared by the alphas_cumprod-based schedulers (DDIM, TCD, LCM): the x0/epsilon coefficients of each
// prediction type, add_noise, and argument checks for step().
import { SchedulerArgumentError } from './spacing.js'

/**
 * x0 = x0s * sample + x0o * output and eps = es * sample + eo * output; every prediction type is linear in
 * (sample, output), which lets each step run as one pass over the arrays.
 */
export interface PredictionCoefficients {
  x0s: number
  x0o: number
  es: number
  eo: number
}

export function predictionCoefficients(predictionType: string, alphaProdT: number): PredictionCoefficients {
  const sa = Math.sqrt(alphaProdT)
  const sb = Math.sqrt(1 - alphaProdT)
  switch (predictionType) {
    case 'epsilon':
      return { x0s: 1 / sa, x0o: -sb / sa, es: 0, eo: 1 }
    case 'sample':
      return { x0s: 0, x0o: 1, es: 1 / sb, eo: -sa / sb }
    case 'v_prediction':
      return { x0s: sa, x0o: -sb, es: sb, eo: sa }
    default:
      throw new SchedulerArgumentError('prediction_type', `unknown prediction_type ${predictionType}`)
  }
}

export function checkSameLength(name: string, array: Float32Array, sample: Float32Array): void {
  if (!(array instanceof Float32Array)) throw new SchedulerArgumentError(name, `\`${name}\` must be a Float32Array`)
  if (array.length !== sample.length) {
    throw new SchedulerArgumentError(name, `\`${name}\` has ${array.length} values but the sample has ${sample.length}`)
  }
}

export function checkEta(eta: number): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || eta < 0 || eta > 1) {
    throw new SchedulerArgumentError('eta', `\`eta\` must be in [0, 1], got ${eta}`)
  }
}

export function requireNoise(noise: Float32Array | undefined, sample: Float32Array, why: string): Float32Array {
  if (noise === undefined) {
    throw new SchedulerArgumentError('noise', `step() needs a \`noise\` array here (${why}); draw it with randn()`)
  }
  checkSameLength('noise', noise, sample)
  return noise
}

export function checkTrainTimestep(t: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= numTrainTimesteps) {
    throw new SchedulerArgumentError('t', `timestep ${t} must be an integer in [0, ${numTrainTimesteps})`)
  }
}

/** The schedule index of t; the error lists the schedule so a stale or foreign timestep is easy to spot. */
export function scheduleIndex(timesteps: readonly number[], t: number): number {
  if (timesteps.length === 0) {
    throw new SchedulerArgumentError('t', 'setTimesteps() must be called before step()')
  }
  const index = timesteps.indexOf(t)
  if (index < 0) {
    throw new SchedulerArgumentError('t', `timestep ${t} is not in the schedule [${timesteps.join(', ')}]`)
  }
  return index
}

/** DDPM add_noise: sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise, each operation rounded to float32 as torch does. */
export function addNoiseAlphas(
  alphasCumprod: Float32Array,
  original: Float32Array,
  noise: Float32Array,
  t: number,
): Float32Array {
  checkTrainTimestep(t, alphasCumprod.length)
  checkSameLength('noise', noise, original)
  const a = alphasCumprod[t]!
  const f = Math.fround
  const sa = f(Math.sqrt(a))
  const sb = f(Math.sqrt(f(1 - a)))
  const out = new Float32Array(original.length)
  for (let i = 0; i < out.length; i++) out[i] = f(sa * original[i]!) + f(sb * noise[i]!)
  return out
}

/** Clamp range for x0: Infinity when clipping is off. */
export function clipBound(clipSample: boolean, range: number): number {
  return clipSample ? range : Infinity
}
