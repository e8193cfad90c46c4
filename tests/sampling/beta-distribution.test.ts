// The beta quantile behind Euler's beta sigmas (scipy.stats.beta.ppf), checked against closed forms and against
// a quadrature of the density that shares no code with the continued fraction.
import { describe, expect, it } from 'vitest'
import { betaQuantile, logGamma, regularizedIncompleteBeta } from '../../src/sampling/beta-distribution.js'

const GRID = [1e-6, 0.001, 0.05, 0.2, 0.37, 0.5, 0.63, 0.8, 0.95, 0.999, 1 - 1e-6]

/** I_x(a, b) for a, b in (0, 1] by x = sin^2(theta), which makes the integrand bounded, and Simpson's rule. */
function quadratureCdf(x: number, a: number, b: number): number {
  const integrand = (theta: number): number => 2 * Math.sin(theta) ** (2 * a - 1) * Math.cos(theta) ** (2 * b - 1)
  const top = Math.asin(Math.sqrt(x))
  const n = 20000
  const h = top / n
  let sum = integrand(1e-300) + integrand(top)
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * integrand(i * h)
  const beta = Math.exp(logGamma(a) + logGamma(b) - logGamma(a + b))
  return (sum * h) / 3 / beta
}

describe('beta distribution', () => {
  it('log-gamma matches factorials and Gamma(1/2) = sqrt(pi)', () => {
    for (const [n, factorial] of [[1, 1], [2, 1], [5, 24], [11, 3628800]] as const) expect(logGamma(n)).toBeCloseTo(Math.log(factorial), 12)
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13)
  })

  it('the CDF matches closed forms: uniform, x^2, arcsine, and a binomial sum', () => {
    for (const x of GRID) {
      expect(regularizedIncompleteBeta(x, 1, 1)).toBeCloseTo(x, 13)
      expect(regularizedIncompleteBeta(x, 2, 1)).toBeCloseTo(x * x, 13)
      expect(regularizedIncompleteBeta(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 12)
      // I_x(2, 3) = P(Binomial(4, x) >= 2)
      const y = 1 - x
      expect(regularizedIncompleteBeta(x, 2, 3)).toBeCloseTo(6 * x ** 2 * y ** 2 + 4 * x ** 3 * y + x ** 4, 12)
    }
  })

  it('the CDF for Beta(0.6, 0.6), the beta-sigmas shape, agrees with a quadrature of its density', () => {
    for (const x of [0.01, 0.2, 0.5, 0.7, 0.99]) expect(Math.abs(regularizedIncompleteBeta(x, 0.6, 0.6) - quadratureCdf(x, 0.6, 0.6))).toBeLessThan(1e-4)
  })

  it('the quantile inverts the CDF to about 1e-12, symmetric for a = b, with the ends exact', () => {
    for (const p of GRID) {
      const x = betaQuantile(p, 0.6, 0.6)
      expect(Math.abs(regularizedIncompleteBeta(x, 0.6, 0.6) - p)).toBeLessThan(1e-12)
      expect(x + betaQuantile(1 - p, 0.6, 0.6)).toBeCloseTo(1, 12)
      expect(betaQuantile(p, 0.5, 0.5)).toBeCloseTo(Math.sin((Math.PI * p) / 2) ** 2, 12)
    }
    expect([betaQuantile(0, 0.6, 0.6), betaQuantile(1, 0.6, 0.6)]).toEqual([0, 1])
    expect(() => betaQuantile(1.5, 0.6, 0.6)).toThrow('outside [0, 1]')
  })
})
