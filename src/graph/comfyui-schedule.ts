// ComfyUI's noise tables and sigma schedules for SD1.5/SDXL, computed as ComfyUI computes them, so an imported
// workflow can be translated by its numbers. Sources (comfyanonymous/ComfyUI): comfy/model_sampling.py
// (ModelSamplingDiscrete), comfy_extras/nodes_model_advanced.py (ModelSamplingDiscreteDistilled, the LCM table),
// comfy/samplers.py (the schedulers), comfy/k_diffusion/sampling.py (karras, exponential),
// comfy_extras/nodes_custom_sampler.py (BasicScheduler, SDTurboScheduler, BetaSamplingScheduler),
// comfy_extras/nodes_align_your_steps.py; JettHu/ComfyUI-TCD __init__.py (TCDModelSamplingDiscrete); the Hyper-SD
// authors' ComfyUI-HyperSDXL1StepUnetScheduler node.py.
// Precision: ComfyUI builds the table in float64 and keeps float32 sigmas and log-sigmas; tensor arithmetic on them
// is float32 (emulated with Math.fround), Python-float arithmetic is float64.
import { betaQuantile } from '../sampling/beta-distribution.js'
import { torchLinspaceF32 } from '../sampling/betas.js'
import { npLinspace } from '../sampling/spacing.js'

const f32 = Math.fround

export type ModelSamplingKind = 'discrete' | 'distilled'

/** A model's noise table: ascending sigmas, the timestep of each entry, and ComfyUI's timestep <-> sigma maps. */
export interface ModelSampling {
  readonly kind: ModelSamplingKind
  /** float32, ascending (index 0 is the least noise). */
  readonly sigmas: Float32Array
  readonly logSigmas: Float32Array
  /** The UNet timestep ComfyUI feeds for a sigma: the nearest table entry in log sigma (an integer). */
  timestep(sigma: number): number
  /** ComfyUI's sigma(t): log sigma interpolated linearly between table entries (float32). */
  sigma(t: number): number
  readonly sigmaMin: number
  readonly sigmaMax: number
}

/** torch.linspace in float64 (the first half counts up from start, the second half down from end). */
function torchLinspaceF64(start: number, end: number, steps: number): number[] {
  const step = (end - start) / (steps - 1)
  const half = Math.floor(steps / 2)
  return Array.from({ length: steps }, (_, i) => (i < half ? start + step * i : end - step * (steps - i - 1)))
}

/** SD1.5/SDXL's scaled-linear schedule as ComfyUI's make_beta_schedule("linear") builds it: float64 throughout. */
function discreteSigmasF64(linearStart = 0.00085, linearEnd = 0.012, timesteps = 1000): number[] {
  const roots = torchLinspaceF64(Math.sqrt(linearStart), Math.sqrt(linearEnd), timesteps)
  let acp = 1
  return roots.map((r) => {
    acp *= 1 - r * r
    return Math.sqrt((1 - acp) / acp)
  })
}

/** argmin |log(sigma) - logSigmas| with torch's first-index tie rule, in float32. */
function nearestIndex(sigma: number, logSigmas: Float32Array): number {
  const logSigma = f32(Math.log(sigma))
  let best = 0
  let bestDist = Infinity
  for (let i = 0; i < logSigmas.length; i++) {
    const d = Math.abs(f32(logSigma - logSigmas[i]!))
    if (d < bestDist) {
      bestDist = d
      best = i
    }
  }
  return best
}

/** log-sigma interpolation at a fractional table index (float32, as ComfyUI's sigma()). */
function interpolatedSigma(index: number, logSigmas: Float32Array): number {
  const t = Math.min(Math.max(f32(index), 0), logSigmas.length - 1)
  const lo = Math.floor(t)
  const hi = Math.ceil(t)
  const w = f32(t - lo)
  return f32(Math.exp(f32(f32(f32(1 - w) * logSigmas[lo]!) + f32(w * logSigmas[hi]!))))
}

function makeSampling(kind: ModelSamplingKind, sigmas: Float32Array, logSigmas: Float32Array, skip: number): ModelSampling {
  return {
    kind,
    sigmas,
    logSigmas,
    // The distilled table holds every skip-th timestep, ending at 999: entry i is timestep i * skip + skip - 1.
    timestep: (sigma) => nearestIndex(sigma, logSigmas) * skip + (skip - 1),
    sigma: (t) => interpolatedSigma(skip === 1 ? t : f32(f32(t - (skip - 1)) / skip), logSigmas),
    sigmaMin: sigmas[0]!,
    sigmaMax: sigmas[sigmas.length - 1]!,
  }
}

let discreteCache: ModelSampling | undefined
let distilledCache: ModelSampling | undefined

/** ModelSamplingDiscrete: 1000 sigmas (eps and v-prediction share the table). */
export function discreteSampling(): ModelSampling {
  if (!discreteCache) {
    const f64 = discreteSigmasF64()
    discreteCache = makeSampling('discrete', Float32Array.from(f64), Float32Array.from(f64, Math.log), 1)
  }
  return discreteCache
}

/** ModelSamplingDiscreteDistilled (LCM, TCD): 50 of the 1000 sigmas, at t = 19, 39, ..., 999. */
export function distilledSampling(): ModelSampling {
  if (!distilledCache) {
    const full = discreteSampling().sigmas
    const valid = new Float32Array(50)
    for (let x = 0; x < 50; x++) valid[49 - x] = full[999 - x * 20]!
    // set_sigmas on a float32 tensor: the log is taken in float32.
    distilledCache = makeSampling('distilled', valid, valid.map((s) => f32(Math.log(s))), 20)
  }
  return distilledCache
}

export function modelSampling(kind: ModelSamplingKind): ModelSampling {
  return kind === 'distilled' ? distilledSampling() : discreteSampling()
}

/** Descending sigmas, the final 0 included, as ComfyUI's SIGMAS tensor (float32 values). */
export type Sigmas = number[]

export const COMFY_SCHEDULERS = ['simple', 'sgm_uniform', 'normal', 'karras', 'exponential', 'ddim_uniform', 'beta', 'linear_quadratic'] as const
export type ComfyScheduler = (typeof COMFY_SCHEDULERS)[number]

export function isComfyScheduler(name: string): name is ComfyScheduler {
  return (COMFY_SCHEDULERS as readonly string[]).includes(name)
}

function simpleSchedule(ms: ModelSampling, steps: number): Sigmas {
  const n = ms.sigmas.length
  const out: number[] = []
  for (let x = 0; x < steps; x++) out.push(ms.sigmas[n - 1 - Math.trunc((x * n) / steps)]!)
  return [...out, 0]
}

/** normal and sgm_uniform: evenly spaced timesteps (float32 linspace) from timestep(sigma_max) to timestep(sigma_min). */
function normalSchedule(ms: ModelSampling, steps: number, sgm: boolean): Sigmas {
  const start = ms.timestep(ms.sigmaMax)
  const end = ms.timestep(ms.sigmaMin)
  let appendZero = true
  let ts: Float32Array
  if (sgm) {
    ts = torchLinspaceF32(start, end, steps + 1).subarray(0, steps)
  } else {
    if (Math.abs(ms.sigma(end)) <= 1e-5) {
      steps += 1
      appendZero = false
    }
    ts = torchLinspaceF32(start, end, steps)
  }
  const out = Array.from(ts, (t) => ms.sigma(t))
  return appendZero ? [...out, 0] : out
}

function ddimUniformSchedule(ms: ModelSampling, steps: number): Sigmas {
  const n = ms.sigmas.length
  let sigs: number[]
  let x = 1
  if (Math.abs(ms.sigmas[x]!) <= 1e-5) {
    steps += 1
    sigs = []
  } else {
    sigs = [0]
  }
  const ss = Math.max(Math.floor(n / steps), 1)
  while (x < n) {
    sigs.push(ms.sigmas[x]!)
    x += ss
  }
  return sigs.reverse()
}

/** numpy's rint: halves to even. */
function rint(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** The beta scheduler (arXiv 2407.12173): table entries at beta(alpha, beta) quantiles, repeats skipped. */
export function betaSchedule(ms: ModelSampling, steps: number, alpha = 0.6, beta = 0.6): Sigmas {
  const total = ms.sigmas.length - 1
  const out: number[] = []
  let last = -1
  for (const p of npLinspace(0, 1, steps, false)) {
    const t = rint(betaQuantile(1 - p, alpha, beta) * total)
    if (t !== last) out.push(ms.sigmas[t]!)
    last = t
  }
  return [...out, 0]
}

function linearQuadraticSchedule(ms: ModelSampling, steps: number, thresholdNoise = 0.025): Sigmas {
  let schedule: number[]
  if (steps === 1) {
    schedule = [1, 0]
  } else {
    const linearSteps = Math.floor(steps / 2)
    const linear = Array.from({ length: linearSteps }, (_, i) => (i * thresholdNoise) / linearSteps)
    const diff = linearSteps - thresholdNoise * steps
    const quadraticSteps = steps - linearSteps
    const quadCoef = diff / (linearSteps * quadraticSteps ** 2)
    const linCoef = thresholdNoise / linearSteps - (2 * diff) / quadraticSteps ** 2
    const constant = quadCoef * linearSteps ** 2
    const quadratic = Array.from({ length: quadraticSteps }, (_, k) => {
      const i = linearSteps + k
      return quadCoef * i * i + linCoef * i + constant
    })
    schedule = [...linear, ...quadratic, 1].map((x) => 1 - x)
  }
  // FloatTensor(schedule) * sigma_max: float32.
  return schedule.map((x) => f32(f32(x) * ms.sigmaMax))
}

/** k-diffusion's get_sigmas_karras (rho 7) in float32, final 0 appended. */
function karrasSchedule(ms: ModelSampling, steps: number): Sigmas {
  const rho = 7
  const minInv = ms.sigmaMin ** (1 / rho)
  const maxInv = ms.sigmaMax ** (1 / rho)
  const ramp = torchLinspaceF32(0, 1, steps)
  const out = Array.from(ramp, (r) => f32(f32(f32(maxInv) + f32(r * f32(minInv - maxInv))) ** rho))
  return [...out, 0]
}

function exponentialSchedule(ms: ModelSampling, steps: number): Sigmas {
  const logs = torchLinspaceF32(Math.log(ms.sigmaMax), Math.log(ms.sigmaMin), steps)
  return [...Array.from(logs, (l) => f32(Math.exp(l))), 0]
}

/** comfy.samplers.calculate_sigmas: one of the scheduler names a KSampler or BasicScheduler offers. */
export function calculateSigmas(ms: ModelSampling, scheduler: ComfyScheduler, steps: number): Sigmas {
  switch (scheduler) {
    case 'simple':
      return simpleSchedule(ms, steps)
    case 'sgm_uniform':
      return normalSchedule(ms, steps, true)
    case 'normal':
      return normalSchedule(ms, steps, false)
    case 'karras':
      return karrasSchedule(ms, steps)
    case 'exponential':
      return exponentialSchedule(ms, steps)
    case 'ddim_uniform':
      return ddimUniformSchedule(ms, steps)
    case 'beta':
      return betaSchedule(ms, steps)
    case 'linear_quadratic':
      return linearQuadraticSchedule(ms, steps)
  }
}

/**
 * A schedule ComfyUI may run only the tail of: it runs sigmas.slice(start), noising the latent at its first sigma.
 * Keeping the whole schedule says where that start lies (our sampler's denoise reproduces it).
 */
export interface PartialSchedule {
  readonly sigmas: Sigmas
  readonly start: number
}

/** What ComfyUI runs of a partial schedule. */
export function runSigmas(schedule: PartialSchedule): Sigmas {
  return schedule.sigmas.slice(schedule.start)
}

/**
 * Denoise < 1 as BasicScheduler and KSampler apply it: a schedule for int(steps / denoise) steps, of which the last
 * steps + 1 sigmas run. Denoise 0 gives an empty schedule.
 */
export function withDenoise(steps: number, denoise: number, full: (totalSteps: number) => Sigmas): PartialSchedule {
  if (denoise <= 0) return { sigmas: [], start: 0 }
  // KSampler treats denoise > 0.9999 as 1; BasicScheduler uses denoise < 1.0. The difference is below int() here.
  const sigmas = full(denoise < 1 ? Math.trunc(steps / denoise) : steps)
  return { sigmas, start: Math.max(sigmas.length - (steps + 1), 0) }
}

/** SDTurboScheduler: timesteps 999, 899, ..., 99 from 10 - int(10 * denoise), `steps` of them, then 0. */
export function sdTurboSigmas(ms: ModelSampling, steps: number, denoise: number): PartialSchedule {
  const start = Math.min(10 - Math.trunc(10 * denoise), 10)
  const ts = Array.from({ length: 10 }, (_, i) => (10 - i) * 100 - 1).slice(0, start + steps)
  if (ts.length <= start) return { sigmas: [], start: 0 }
  return { sigmas: [...ts.map((t) => ms.sigma(t)), 0], start }
}

/** Align Your Steps noise levels (NVIDIA's published tables, as ComfyUI ships them). */
export const AYS_NOISE_LEVELS = {
  SD1: [14.6146412293, 6.4745760956, 3.8636745985, 2.694615152, 1.8841921177, 1.3943805092, 0.9642583904, 0.6523686016, 0.3977456272, 0.1515232662, 0.0291671582],
  SDXL: [14.6146412293, 6.3184485287, 3.7681790315, 2.1811480769, 1.3405244945, 0.8620721141, 0.5550693289, 0.3798540708, 0.2332364134, 0.1114188177, 0.0291671582],
} as const

/** np.interp(x, xs, ys) for ascending xs. */
function npInterp(x: number, xs: readonly number[], ys: readonly number[]): number {
  if (x <= xs[0]!) return ys[0]!
  const last = xs.length - 1
  if (x >= xs[last]!) return ys[last]!
  let i = 0
  while (xs[i + 1]! < x) i++
  const w = (x - xs[i]!) / (xs[i + 1]! - xs[i]!)
  return ys[i]! + w * (ys[i + 1]! - ys[i]!)
}

/** AlignYourStepsScheduler: the table, log-linearly interpolated to steps + 1 levels; denoise keeps round(steps * d). */
export function alignYourStepsSigmas(modelType: keyof typeof AYS_NOISE_LEVELS, steps: number, denoise: number): PartialSchedule {
  if (denoise <= 0) return { sigmas: [], start: 0 }
  // Python's round(): halves to even.
  const totalSteps = denoise < 1 ? rint(steps * denoise) : steps
  let levels: number[] = [...AYS_NOISE_LEVELS[modelType]]
  if (steps + 1 !== levels.length) {
    const xs = npLinspace(0, 1, levels.length)
    const ys = levels.slice().reverse().map(Math.log)
    levels = npLinspace(0, 1, steps + 1)
      .map((x) => Math.exp(npInterp(x, xs, ys)))
      .reverse()
  }
  // ComfyUI keeps the last total_steps + 1 levels and zeroes the last (the full table's last, too).
  levels[levels.length - 1] = 0
  return { sigmas: levels.map(f32), start: Math.max(levels.length - (totalSteps + 1), 0) }
}

/** HyperSDXL1StepUnetScheduler: [sigma(800), 0] whatever its steps widget says. */
export function hyperSdxl1StepSigmas(ms: ModelSampling): Sigmas {
  return [ms.sigma(800), 0]
}

/** TCDModelSamplingDiscrete's SIGMAS: its scheduler on the distilled table, total_steps = int(steps / denoise). */
export function tcdSigmas(steps: number, scheduler: 'simple' | 'sgm_uniform', denoise: number): PartialSchedule {
  const ms = distilledSampling()
  return withDenoise(steps, denoise, (total) => calculateSigmas(ms, scheduler, total))
}

/** The UNet timesteps ComfyUI runs for a schedule: timestep(sigma) for every sigma but the final one. */
export function comfyTimesteps(ms: ModelSampling, sigmas: Sigmas): number[] {
  return sigmas.slice(0, -1).map((s) => ms.timestep(s))
}
