// Timestep schedules and the argument checks diffusers performs before building them.

/** numpy's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** np.linspace(start, stop, num) with endpoint, as float64. */
export function npLinspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num
  const step = div > 0 ? (stop - start) / div : 0
  const out: number[] = []
  for (let i = 0; i < num; i++) out.push(start + i * step)
  if (endpoint && num > 1) out[num - 1] = stop
  return out
}

/** np.arange(start, stop, step) for a negative step, values start + i*step as numpy computes them. */
function npArangeDown(start: number, stop: number, step: number): number[] {
  const count = Math.ceil((stop - start) / step)
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(start + i * step)
  return out
}

export class SchedulerArgumentError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message)
    this.name = 'SchedulerArgumentError'
  }
}

export function checkSteps(steps: number, numTrainTimesteps: number): void {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps <= 0) {
    throw new SchedulerArgumentError('steps', `\`num_inference_steps\` (steps) must be a positive integer, got ${steps}`)
  }
  if (steps > numTrainTimesteps) {
    throw new SchedulerArgumentError(
      'steps',
      `\`num_inference_steps\`: ${steps} cannot be larger than \`self.config.train_timesteps\`: ${numTrainTimesteps} as ` +
        `the unet model trained with this scheduler can only handle maximal ${numTrainTimesteps} timesteps.`,
    )
  }
}

export function checkStrength(strength: number): void {
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength <= 0 || strength > 1) {
    throw new SchedulerArgumentError('strength', `\`strength\` must be in (0, 1], got ${strength}`)
  }
}

/** Custom sigmas are an Euler (sigma-space) option; the alpha-space schedulers take timesteps only. */
export function refuseCustomSigmas(scheduler: string, sigmas: readonly number[] | undefined): void {
  if (sigmas !== undefined) throw new SchedulerArgumentError('sigmas', `${scheduler}: custom \`sigmas\` are for euler only; pass \`timesteps\``)
}

/** Custom timesteps: strictly descending integers-or-floats in [0, numTrainTimesteps). */
export function checkCustomTimesteps(timesteps: readonly number[], numTrainTimesteps: number, integer: boolean): void {
  if (!Array.isArray(timesteps) || timesteps.length === 0) {
    throw new SchedulerArgumentError('timesteps', '`timesteps` must be a non-empty array of numbers')
  }
  timesteps.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t) || (integer && !Number.isInteger(t))) {
      throw new SchedulerArgumentError('timesteps', `\`timesteps\`[${i}] must be ${integer ? 'an integer' : 'a number'}, got ${t}`)
    }
    if (t < 0) throw new SchedulerArgumentError('timesteps', `\`timesteps\`[${i}] must not be negative, got ${t}`)
    if (i > 0 && t >= timesteps[i - 1]!) {
      throw new SchedulerArgumentError('timesteps', '`custom_timesteps` must be in descending order.')
    }
  })
  if (timesteps[0]! >= numTrainTimesteps) {
    throw new SchedulerArgumentError(
      'timesteps',
      `\`timesteps\` must start before \`self.config.train_timesteps\`: ${numTrainTimesteps}.`,
    )
  }
}

/** The img2img pipelines' get_timesteps: keep the last int(N * strength) steps. */
export function applyStrength<T>(timesteps: T[], strength: number): T[] {
  const n = timesteps.length
  const initTimestep = Math.min(Math.floor(n * strength), n)
  const tStart = Math.max(n - initTimestep, 0)
  return timesteps.slice(tStart)
}

/**
 * DDIM/Euler style spacing. Returns descending timesteps as float64 numbers; `integer` rounds like numpy and
 * truncates like `.astype(int64)` (DDIM), otherwise the float32 values Euler keeps.
 */
export function spacedTimesteps(
  spacing: string,
  steps: number,
  numTrainTimesteps: number,
  stepsOffset: number,
  integer: boolean,
): number[] {
  const T = numTrainTimesteps
  let ts: number[]
  if (spacing === 'linspace') {
    ts = npLinspace(0, T - 1, steps).reverse()
    ts = integer ? ts.map(roundHalfEven) : ts.map(Math.fround)
  } else if (spacing === 'leading') {
    const ratio = Math.floor(T / steps)
    ts = []
    for (let i = steps - 1; i >= 0; i--) ts.push(i * ratio + stepsOffset)
  } else {
    const ratio = T / steps
    ts = npArangeDown(T, 0, -ratio).map((x) => roundHalfEven(x) - 1)
  }
  return ts
}
