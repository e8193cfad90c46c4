// float32 arithmetic as torch does it on CPU tensors, for the few places where ComfyUI's schedules are computed
// in float32 (its sigma tables, torch.linspace with the default dtype, get_sigmas_karras/exponential).
// Written independently of src/sampling for the ComfyUI translation tests.

export const f32 = Math.fround

/**
 * torch.linspace(start, end, steps) in float32: the first half counts up from start, the second half down from
 * end (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp), so both endpoints are exact.
 */
export function torchLinspace32(start: number, end: number, steps: number): number[] {
  if (steps === 1) return [f32(start)]
  const step = f32((end - start) / (steps - 1))
  const halfway = Math.floor(steps / 2)
  const out: number[] = []
  for (let i = 0; i < steps; i++) {
    out.push(i < halfway ? f32(f32(start) + f32(step * i)) : f32(f32(end) - f32(step * (steps - i - 1))))
  }
  return out
}

/** The same in float64 (torch.linspace(..., dtype=torch.float64)). */
export function torchLinspace64(start: number, end: number, steps: number): number[] {
  if (steps === 1) return [start]
  const step = (end - start) / (steps - 1)
  const halfway = Math.floor(steps / 2)
  const out: number[] = []
  for (let i = 0; i < steps; i++) out.push(i < halfway ? start + step * i : end - step * (steps - i - 1))
  return out
}

/** numpy.linspace(start, stop, num, endpoint) in float64: start + i * step (the endpoint itself when included). */
export function numpyLinspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num
  const step = div > 0 ? (stop - start) / div : 0
  const out: number[] = []
  for (let i = 0; i < num; i++) out.push(start + i * step)
  if (endpoint && num > 1) out[num - 1] = stop
  return out
}

/** numpy.rint / Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff < 0.5) return floor
  if (diff > 0.5) return floor + 1
  return floor % 2 === 0 ? floor : floor + 1
}

/** numpy.interp(x, xs, ys) for increasing xs (clamped at both ends). */
export function numpyInterp(x: number, xs: readonly number[], ys: readonly number[]): number {
  if (x <= xs[0]!) return ys[0]!
  const last = xs.length - 1
  if (x >= xs[last]!) return ys[last]!
  let j = 0
  while (xs[j + 1]! < x) j++
  const slope = (ys[j + 1]! - ys[j]!) / (xs[j + 1]! - xs[j]!)
  return slope * (x - xs[j]!) + ys[j]!
}
