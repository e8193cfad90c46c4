// randn against torch 1.13 fixtures (tests/fixtures/torch-randn, see its README).
// Tolerance: draws of fewer than 16 values come from torch's float64 Box-Muller and must match exactly; the
// vectorised path (16 or more) uses SLEEF's float32 log/sin/cos in torch, so values may differ by a few float32
// ulps (at most 4 allowed; 3 observed).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { randn, TorchGenerator } from '../../src/sampling/index.js'

const dir = new URL('../fixtures/torch-randn/', import.meta.url)
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T

interface FullCase { seed: string; n: number; values: number[] }
interface SampledCase { seed: string; n: number; indices: number[]; values: number[]; sum: number; absSum: number }

const full = load<{ cases: FullCase[] }>('full.json').cases
const sampled = load<{ cases: SampledCase[] }>('sampled.json').cases
const sequence = load<{ sizes: number[]; draws: number[][] }>('sequence.json')

/** Distance in float32 units in the last place. */
function ulps(a: number, b: number): number {
  const buf = new Float32Array([a, b])
  const bits = new Int32Array(buf.buffer)
  const key = (x: number) => (x < 0 ? 0x80000000 - x : x) // monotonic ordering across the sign
  return Math.abs(key(bits[0]!) - key(bits[1]!))
}

function expectNear(actual: ArrayLike<number>, expected: number[], maxUlps: number, what: string): void {
  let worst = 0
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, ulps(actual[i]!, expected[i]!))
  expect(worst, `${what}: worst difference ${worst} ulp`).toBeLessThanOrEqual(maxUlps)
}

describe('randn matches torch.manual_seed(seed); torch.randn(n)', () => {
  it('fixtures cover the documented seeds and sizes', () => {
    expect(new Set(full.map((c) => c.seed))).toEqual(
      new Set(['0', '1', '42', '4294967301', '123456789', '9007199254740991', '18446744073709551615', '-1']),
    )
    expect(full.filter((c) => c.seed === '0').map((c) => c.n)).toEqual([...Array(20).keys()].map((i) => i + 1).concat([31, 32, 33, 100]))
  })

  it('is exact on the scalar path (n < 16)', () => {
    for (const c of full.filter((x) => x.n < 16)) {
      expect(Array.from(randn(BigInt(c.seed), c.n)), `seed ${c.seed} n ${c.n}`).toEqual(c.values)
    }
  })

  it('is within 4 float32 ulp on the vectorised path (n >= 16, including the redone tail)', () => {
    for (const c of full.filter((x) => x.n >= 16)) expectNear(randn(BigInt(c.seed), c.n), c.values, 4, `seed ${c.seed} n ${c.n}`)
  })

  it('matches sampled values and sums of 4x64x64 and 1x4x128x128 latents', () => {
    for (const c of sampled) {
      const x = randn(BigInt(c.seed), c.n)
      expectNear(c.indices.map((i) => x[i]!), c.values, 4, `seed ${c.seed} n ${c.n}`)
      let sum = 0
      let absSum = 0
      for (const v of x) {
        sum += v
        absSum += Math.abs(v)
      }
      expect(Math.abs(sum - c.sum)).toBeLessThan(1e-3)
      expect(Math.abs(absSum - c.absSum)).toBeLessThan(1e-3)
    }
  })

  it('accepts number and bigint seeds alike, using the low 32 bits as torch does', () => {
    expect(randn(42, 5)).toEqual(randn(42n, 5))
    expect(randn(2 ** 32 + 5, 20)).toEqual(randn(5, 20))
    expect(randn(-1, 3)).toEqual(randn(2n ** 64n - 1n, 3))
  })

  it('continues one generator across calls, carrying the cached Box-Muller value', () => {
    const generator = new TorchGenerator(0)
    sequence.sizes.forEach((n, k) => {
      const draw = generator.randn(n)
      if (n < 16) expect(Array.from(draw), `draw ${k}`).toEqual(sequence.draws[k])
      else expectNear(draw, sequence.draws[k]!, 4, `draw ${k}`)
    })
  })

  it('rejects bad seeds and counts with errors naming them', () => {
    expect(() => randn(1.5, 3)).toThrow(/seed/)
    expect(() => randn(2n ** 64n, 3)).toThrow(/seed/)
    expect(() => randn(0, -1)).toThrow(/count/)
    expect(() => randn(0, 2.5)).toThrow(/count/)
  })
})
