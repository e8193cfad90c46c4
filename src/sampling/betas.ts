// Noise schedules as diffusers builds them in float32 torch tensors; float32 rounding is emulated with
// Math.fround so alphas_cumprod matches diffusers to the last bit or so (it drives every scheduler step).
import type { BetaConfig } from './config.js'
import { SchedulerConfigError } from './config.js'

const f32 = Math.fround

/**
 * torch.linspace(start, end, steps) in float32 as torch's CPU kernel (AVX2 build) computes it: the first half
 * counts up from start, the second half down from end, and within each 8-wide vector the lanes count up from
 * the vector's base; vectors go two at a time and the remainder is scalar. The compiler fuses `a + b * c` into
 * one rounding (FMA), reproduced by rounding the exact double result once.
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps)
  if (steps === 1) {
    out[0] = start
    return out
  }
  const s = f32(start)
  const e = f32(end)
  const step = f32(f32(e - s) / (steps - 1))
  const half = Math.floor(steps / 2)
  const base = (idx: number) => (idx < half ? f32(s + step * idx) : f32(e - step * (steps - idx - 1)))
  const VEC = 8
  let idx = 0
  while (idx + 2 * VEC <= steps) {
    for (let v = 0; v < 2; v++, idx += VEC) {
      const b = base(idx)
      for (let lane = 0; lane < VEC; lane++) out[idx + lane] = f32(b + lane * step)
    }
  }
  for (; idx < steps; idx++) out[idx] = base(idx)
  return out
}

function cosineBetas(T: number): Float32Array {
  // betas_for_alpha_bar with the "cosine" transform, computed in float64 and then stored as float32.
  const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2
  const out = new Float32Array(T)
  for (let i = 0; i < T; i++) out[i] = Math.min(1 - alphaBar((i + 1) / T) / alphaBar(i / T), 0.999)
  return out
}

/** Rescales betas to zero terminal SNR (arXiv 2305.08891, Algorithm 1), as diffusers' rescale_zero_terminal_snr. */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const T = betas.length
  const sqrtAcp = alphasCumprod(betas).map(Math.sqrt)
  const first = sqrtAcp[0]!
  const last = sqrtAcp[T - 1]!
  const factor = f32(first / f32(first - last))
  const scaledAcp = new Float32Array(T)
  for (let i = 0; i < T; i++) {
    const scaled = f32(f32(sqrtAcp[i]! - last) * factor)
    scaledAcp[i] = f32(scaled * scaled)
  }
  const out = new Float32Array(T)
  out[0] = f32(1 - scaledAcp[0]!)
  for (let i = 1; i < T; i++) out[i] = f32(1 - f32(scaledAcp[i]! / scaledAcp[i - 1]!))
  return out
}

export function makeBetas(scheduler: string, config: BetaConfig): Float32Array {
  const T = config.num_train_timesteps
  let betas: Float32Array
  if (config.trained_betas !== null) {
    if (config.trained_betas.length !== T) {
      throw new SchedulerConfigError(
        scheduler,
        'trained_betas',
        `has ${config.trained_betas.length} entries but num_train_timesteps is ${T}`,
      )
    }
    betas = Float32Array.from(config.trained_betas)
  } else if (config.beta_schedule === 'linear') {
    betas = torchLinspaceF32(config.beta_start, config.beta_end, T)
  } else if (config.beta_schedule === 'scaled_linear') {
    betas = torchLinspaceF32(Math.sqrt(config.beta_start), Math.sqrt(config.beta_end), T)
    for (let i = 0; i < T; i++) betas[i] = f32(betas[i]! * betas[i]!)
  } else {
    betas = cosineBetas(T)
  }
  return config.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas
}

/** cumprod(1 - betas) as torch.cumprod computes it on float32 CPU tensors: a float64 accumulator, float32 results. */
export function alphasCumprod(betas: Float32Array): Float32Array {
  const out = new Float32Array(betas.length)
  let acc = 1
  for (let i = 0; i < betas.length; i++) {
    acc *= f32(1 - betas[i]!)
    out[i] = acc
  }
  return out
}
