// Seeded pseudo-random numbers for the tiny models: identical weights on every run and platform.

/** mulberry32: a small, fast 32-bit generator; plenty for weight initialisation. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal samples (Box-Muller on the uniform generator). */
export function normalSampler(uniform: () => number): () => number {
  return () => {
    const u1 = Math.max(uniform(), 1e-12)
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform())
  }
}

export function normalArray(normal: () => number, count: number, std: number): Float32Array {
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) out[i] = normal() * std
  return out
}
