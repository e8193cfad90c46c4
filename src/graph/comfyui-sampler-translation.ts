// What a ComfyUI sampler run (sampler name + the sigmas it is given + the model's noise table) becomes on our TSCD
// sampler: a preset, and custom timesteps or sigmas only where the preset's own schedule differs. Every difference
// that remains (ComfyUI's Euler-as-DDIM last step, noise levels off the table, initial noise scale) is reported by
// how much, so an import says what it could not reproduce.
import { float32Text } from '../sampling/float-text.js'
import { spacedTimesteps } from '../sampling/spacing.js'
import { comfyTimesteps, discreteSampling } from './comfyui-schedule.js'
import type { ModelSampling, Sigmas } from './comfyui-schedule.js'

export interface ComfySamplingRun {
  /** ComfyUI's sampler: KSampler's sampler_name, KSamplerSelect's, or 'tcd' for TCDModelSamplingDiscrete's SAMPLER. */
  readonly sampler: string
  readonly sampling: ModelSampling
  /** The schedule as computed (after any end cut), final sigma included. */
  readonly sigmas: Sigmas
  /** Steps skipped at its start (denoise < 1, start_at_step): ComfyUI runs sigmas.slice(start), noised at their first. */
  readonly start?: number
  /** TCD's eta (gamma). */
  readonly eta?: number
}

export interface TranslatedSampling {
  readonly scheduler: string
  readonly steps: number
  readonly timesteps?: string
  readonly sigmas?: string
  readonly eta?: number
  readonly denoise?: number
}

const MAX_STEPS = 50

/** ComfyUI sampler name -> our preset; the caller's warn says when it is only the nearest. */
export function presetForSampler(sampler: string, warn: (message: string) => void): string {
  switch (sampler) {
    case 'euler':
      return 'euler-trailing'
    case 'ddim':
      return 'ddim-trailing'
    case 'ddpm':
      return 'ddpm-trailing-cfg'
    case 'lcm':
      return 'lcm-800'
    case 'tcd':
      return 'tcd'
    case 'euler_ancestral':
      warn('sampler "euler_ancestral" mapped to "euler-trailing" (no ancestral noise)')
      return 'euler-trailing'
    default:
      warn(`sampler "${sampler}" has no equivalent; using the nearest, "ddim-trailing"`)
      return 'ddim-trailing'
  }
}

/** diffusers' TCD timesteps for n steps (original_inference_steps 50): what our tcd preset runs on its own. */
export function tcdOwnTimesteps(n: number): number[] {
  const origin = Array.from({ length: 50 }, (_, i) => (i + 1) * 20 - 1).reverse()
  return Array.from({ length: n }, (_, i) => origin[Math.floor((i * 50) / n)]!)
}

const fmt = (x: number, digits = 4): string => Number(x.toPrecision(digits)).toString()
const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** The full 1000-entry table's sigma at a whole timestep (the distilled table's entries are among them). */
const tableSigma = (t: number): number => discreteSampling().sigmas[t]!

/** The fractional training timestep whose (interpolated) log sigma is log(sigma): what our Euler feeds the UNet. */
function fractionalTimestep(sigma: number): number {
  const logs = discreteSampling().logSigmas
  const l = Math.log(sigma)
  if (l <= logs[0]!) return 0
  if (l >= logs[logs.length - 1]!) return logs.length - 1
  let i = 0
  while (logs[i + 1]! < l) i++
  return i + (l - logs[i]!) / (logs[i + 1]! - logs[i]!)
}

/** A denoise value that makes our sampler keep exactly the last `kept` of `total` steps: floor(total * d) = kept. */
export function denoiseKeeping(kept: number, total: number): number {
  let d = kept / total
  while (Math.floor(total * d) < kept) d += Number.EPSILON
  return d
}

/** The largest relative gap between ComfyUI's sigmas and the table sigma at the timestep it feeds the UNet. */
function offTable(sigmas: Sigmas, ts: readonly number[]): { rel: number; at: number } {
  let worst = { rel: 0, at: 0 }
  ts.forEach((t, i) => {
    const rel = Math.abs(sigmas[i]! - tableSigma(t)) / tableSigma(t)
    if (rel > worst.rel) worst = { rel, at: sigmas[i]! }
  })
  return worst
}

/** Translates a ComfyUI run; `warn` receives one line per difference that remains. */
export function translateSampling(run: ComfySamplingRun, warn: (message: string) => void): TranslatedSampling {
  const scheduler = presetForSampler(run.sampler, warn)
  const eta = scheduler === 'tcd' && run.eta !== undefined ? { eta: run.eta } : {}
  const sigmas = run.sigmas
  const total = sigmas.length - 1
  if (total < 1) {
    warn('the schedule is empty (denoise 0): ComfyUI returns the latent unchanged; the preset\'s default schedule is used')
    return { scheduler, steps: 1, ...eta }
  }
  const start = Math.min(run.start ?? 0, total - 1)
  const kept = total - start
  const final = sigmas[total]!
  const ms = run.sampling
  const denoise = start > 0 ? { denoise: denoiseKeeping(kept, total) } : {}
  const steps = Math.min(total, MAX_STEPS)
  initialNoise(run, scheduler, start, warn)

  if (scheduler === 'euler-trailing') {
    const ts = comfyTimesteps(ms, sigmas)
    const own = spacedTimesteps('trailing', total, 1000, 1, true)
    const onTable = offTable(sigmas, ts).rel < 1e-6
    if (final === 0 && total <= MAX_STEPS && onTable && sameList(ts, own)) return { scheduler, steps, ...denoise }
    const worst = Math.max(...sigmas.slice(0, -1).map((s, i) => Math.abs(fractionalTimestep(s) - ts[i]!)))
    if (worst > 1e-3) {
      warn(`UNet timesteps differ by up to ${fmt(worst, 3)}: ComfyUI feeds the nearest ${ms.kind === 'distilled' ? 'distilled-table' : 'whole'} timestep, ours the fractional one of the same sigma`)
    }
    return { scheduler, steps, sigmas: sigmas.map(float32Text).join(','), ...denoise }
  }

  // Alpha-space samplers run whole timesteps: ComfyUI's, i.e. timestep(sigma) of each step's sigma.
  let ts = comfyTimesteps(ms, sigmas)
  let keptSteps = kept
  const distinct = ts.filter((t, i) => i === 0 || t < ts[i - 1]!)
  if (distinct.length !== ts.length) {
    keptSteps = distinct.length - ts.slice(0, start).filter((t, i, all) => i === 0 || t < all[i - 1]!).length
    warn(`ComfyUI's ${ts.length} steps feed only ${distinct.length} distinct timesteps (${ts.join(',')}); repeated steps are run once`)
    ts = distinct
  }
  const gap = offTable(sigmas, comfyTimesteps(ms, sigmas))
  if (gap.rel > 1e-4) {
    warn(`noise levels differ by up to ${fmt(gap.rel * 100, 3)}% (at sigma ${fmt(gap.at)}): ComfyUI steps through its schedule's sigmas, ours through the noise table at the timesteps it feeds the UNet`)
  }
  if (final > 0) {
    warn(`ComfyUI stops at sigma ${fmt(final)} with leftover noise; ours denoises to the end`)
  } else if (scheduler === 'ddim-trailing' || scheduler === 'ddim-trailing-cfg') {
    warn(`last step: ComfyUI's "ddim" is Euler and ends at sigma 0; our DDIM ends at alpha_cumprod[0] (sigma ${fmt(tableSigma(0))})`)
  } else if (scheduler === 'ddpm-trailing-cfg') {
    warn(`last step: ComfyUI's "ddpm" ends at sigma 0; ours (DDIM with eta 1) ends at alpha_cumprod[0] (sigma ${fmt(tableSigma(0))}) with its posterior noise`)
  }
  if (scheduler === 'lcm-800' && ms.kind === 'discrete') {
    // LCM's boundary condition: c_skip = 0.25 / ((10 t)^2 + 0.25), largest at the last (smallest) timestep.
    const last = ts[ts.length - 1]!
    const c = 0.25 / ((10 * last) ** 2 + 0.25)
    const size = c < 1e-3 ? 'negligible' : `at timestep ${last} the step keeps that much of its input`
    warn(`ComfyUI's lcm sampler without LCM model sampling has no boundary condition; ours applies LCM's c_skip/c_out (c_skip up to ${fmt(c, 2)}: ${size})`)
  }
  const own = scheduler === 'tcd' ? (total <= MAX_STEPS ? tcdOwnTimesteps(total) : []) : scheduler === 'lcm-800' ? [] : spacedTimesteps('trailing', total, 1000, 1, true)
  // TCD's own denoise (strength) shortens its distillation schedule rather than keeping the tail: a partial TCD
  // schedule always goes in as timesteps, whose tail the strength then keeps.
  const ownRuns = sameList(ts, own) && ts.length <= MAX_STEPS && !(scheduler === 'tcd' && start > 0)
  const custom = ownRuns ? {} : { timesteps: ts.join(',') }
  const keptDenoise = start > 0 ? { denoise: denoiseKeeping(keptSteps, ts.length) } : {}
  return { scheduler, steps: Math.min(ts.length, MAX_STEPS), ...custom, ...eta, ...keptDenoise }
}

/**
 * ComfyUI noises a full schedule with noise * sqrt(1 + sigma0^2) and a partial one (first sigma below the table's
 * maximum) with noise * sigma0. Ours: unit noise in alpha space (DDIM, LCM, TCD: the same as ComfyUI's full start),
 * noise * sigma0 for Euler, and latent + noise at the first timestep when denoise < 1 (ComfyUI's partial start).
 */
function initialNoise(run: ComfySamplingRun, scheduler: string, start: number, warn: (message: string) => void): void {
  if (start > 0) return
  const sigma0 = run.sigmas[0]!
  const full = sigma0 >= run.sampling.sigmaMax * (1 - 1e-5)
  if (scheduler === 'euler-trailing') {
    if (full) {
      const comfy = Math.sqrt(1 + sigma0 * sigma0)
      warn(`initial noise: ComfyUI scales it by sqrt(1 + sigma0^2) = ${fmt(comfy)}, ours (as diffusers' Euler) by sigma0 = ${fmt(sigma0)} (${fmt((comfy / sigma0 - 1) * 100, 2)}% less)`)
    }
    return
  }
  if (!full) {
    const scale = sigma0 / Math.sqrt(1 + sigma0 * sigma0)
    warn(`initial noise: ComfyUI starts this schedule below the model's largest sigma with noise * sigma0, i.e. ${fmt(scale)} of the unit noise ours (as diffusers) starts from`)
  }
}
