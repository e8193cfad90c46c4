// The beta distribution's quantile function (scipy.stats.beta.ppf), for diffusers' beta sigmas ("Beta Sampling is
// All You Need", arXiv:2407.12173): the regularized incomplete beta function by its continued fraction, inverted by
// bisection, which converges to double precision even where the density is unbounded (a or b below 1).

/** ln(Gamma(x)) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ]
  const z = x - 1
  let sum = c[0]!
  for (let i = 1; i < c.length; i++) sum += c[i]! / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum)
}

/** The continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + even * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + even / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + odd * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + odd / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return h
}

/** The regularized incomplete beta function I_x(a, b): the beta(a, b) distribution's CDF at x. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x))
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b
}

/** scipy.stats.beta.ppf(p, a, b): the x in [0, 1] with I_x(a, b) = p. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`beta quantile: probability ${p} is outside [0, 1]`)
  if (p === 0) return 0
  if (p === 1) return 1
  let lo = 0
  let hi = 1
  // The CDF is increasing: halve the bracket until it stops shrinking in double precision.
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi)
    if (mid === lo || mid === hi) break
    if (regularizedIncompleteBeta(mid, a, b) < p) lo = mid
    else hi = mid
  }
  return 0.5 * (lo + hi)
}
