// Dynamic thresholding (diffusers' _threshold_sample) in the DDIM and LCM steps, against the formula written out
// here in float64 with torch.quantile's linear interpolation; TCD, like diffusers, leaves x0 as it is.
import { describe, expect, it } from 'vitest'
import { createScheduler } from '../../src/sampling/index.js'
import { lcmBoundaryScalings } from '../../src/sampling/lcm.js'
import { dynamicThreshold } from '../../src/sampling/threshold.js'
import { dummySampleDeter, NUM_ELEMS } from './diffusers-harness.js'

/** The reference: per image, s = clamp(quantile(|x|, ratio), 1, max); x -> clamp(x, -s, s) / s. */
function reference(x: Float32Array, images: number, ratio: number, max: number): number[] {
  const size = x.length / images
  const out: number[] = []
  for (let b = 0; b < images; b++) {
    const row = Array.from(x.subarray(b * size, (b + 1) * size))
    const sorted = row.map(Math.abs).sort((p, q) => p - q)
    const pos = ratio * (size - 1)
    const lo = Math.floor(pos)
    const q = sorted[lo]! + (sorted[Math.min(lo + 1, size - 1)]! - sorted[lo]!) * (pos - lo)
    const s = Math.min(Math.max(q, 1), max)
    out.push(...row.map((v) => Math.min(Math.max(v, -s), s) / s))
  }
  return out
}

const wide = (): Float32Array => dummySampleDeter().map((v, i) => (v - 0.5) * (1 + (i % 7)) * 4)

describe('dynamic thresholding', () => {
  it('follows torch.quantile per image and clamps s to [1, sample_max_value]', () => {
    const x = Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    // quantile(0.9) of 0..9 is 8.1: values clamp to 8.1, then divide.
    const out = dynamicThreshold(x.slice(), 1, 0.9, 100)
    expect(out[9]).toBeCloseTo(1, 6)
    expect(out[4]).toBeCloseTo(4 / 8.1, 6)
    // s never drops below 1, so small samples are left as they are.
    expect(Array.from(dynamicThreshold(Float32Array.of(0.1, -0.2), 1, 0.995, 2))).toEqual([Math.fround(0.1), Math.fround(-0.2)])
    for (const [ratio, max] of [[0.995, 1], [0.9, 2], [0.5, 0.5]] as const) {
      const sample = wide()
      const got = dynamicThreshold(sample.slice(), 4, ratio, max)
      reference(sample, 4, ratio, max).forEach((v, i) => expect(got[i]!).toBeCloseTo(v, 5))
    }
    expect(() => dynamicThreshold(new Float32Array(10), 3, 0.9, 1)).toThrow('batch')
  })

  it('DDIM and LCM threshold the predicted x0 per image; TCD ignores the setting, as diffusers does', () => {
    const sample = wide()
    const output = sample.map((_, i) => Math.sin(i) * 3)
    const config = { thresholding: true, sample_max_value: 1.5, dynamic_thresholding_ratio: 0.9 }
    for (const name of ['ddim', 'lcm'] as const) {
      const scheduler = createScheduler(name, config)
      scheduler.setTimesteps(4)
      const t = scheduler.timesteps[1]!
      const a = scheduler.alphasCumprod[t]!
      // epsilon prediction: x0 = (x - sqrt(1 - a) * eps) / sqrt(a), then thresholded per image.
      const x0 = reference(sample.map((x, i) => (x - Math.sqrt(1 - a) * output[i]!) / Math.sqrt(a)), 4, 0.9, 1.5)
      const got = new Float32Array(NUM_ELEMS)
      scheduler.step(output, t, sample, { batch: 4, predictedOriginal: got, noise: new Float32Array(NUM_ELEMS) })
      // DDIM reports x0 itself; LCM its boundary-conditioned denoised = c_out * x0 + c_skip * x.
      const { cSkip, cOut } = name === 'lcm' ? lcmBoundaryScalings(t, 10) : { cSkip: 0, cOut: 1 }
      x0.forEach((v, i) => expect(got[i]!, `${name} ${i}`).toBeCloseTo(cOut * v + cSkip * sample[i]!, 4))
    }
    const tcd = (config: Record<string, unknown>): Float32Array => {
      const scheduler = createScheduler('tcd', config)
      scheduler.setTimesteps(4)
      return scheduler.step(output, scheduler.timesteps[0]!, sample, { batch: 4, eta: 0, noise: new Float32Array(NUM_ELEMS) })
    }
    expect(tcd({ thresholding: true })).toEqual(tcd({}))
  })
})
