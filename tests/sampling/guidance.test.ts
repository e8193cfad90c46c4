// CFG and diffusers' rescale_noise_cfg: std_text = cond.std(unbiased) per batch item, std_cfg likewise,
// out = r * (cfg * std_text / std_cfg) + (1 - r) * cfg.
import { describe, expect, it } from 'vitest'
import { applyGuidance } from '../../src/sampling/index.js'

describe('applyGuidance', () => {
  it('is uncond + scale * (cond - uncond)', () => {
    const out = applyGuidance(Float32Array.from([1, 2, 3]), Float32Array.from([0.5, 2, 4]), 7.5)
    expect(Array.from(out)).toEqual([0.5 + 7.5 * 0.5, 2, 4 - 7.5])
  })

  it('rescales to the conditional std, per batch item, blended by guidance_rescale', () => {
    const cond = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40])
    const uncond = new Float32Array(8)
    // cfg = 2 * cond, so std_cfg = 2 * std_text in each item and the fully rescaled result is cond itself.
    expect(Array.from(applyGuidance(cond, uncond, 2, 1, 2))).toEqual(Array.from(cond))
    const half = applyGuidance(cond, uncond, 2, 0.5, 2)
    // 0.5 * cond + 0.5 * 2 * cond = 1.5 * cond
    half.forEach((v, i) => expect(v).toBeCloseTo(1.5 * cond[i]!, 5))
  })

  it('uses the unbiased std (n - 1), as torch.std', () => {
    const cond = Float32Array.from([0, 0, 0, 4]) // unbiased std 2, biased sqrt(3)
    const uncond = Float32Array.from([0, 0, 0, 2])
    const out = applyGuidance(cond, uncond, 3, 1) // cfg = [0, 0, 0, 8], unbiased std 4
    expect(out[3]).toBeCloseTo(8 * (2 / 4), 6)
  })

  it('rejects mismatched inputs and out-of-range rescale', () => {
    expect(() => applyGuidance(new Float32Array(4), new Float32Array(3), 2)).toThrow(/cond has 4 values but uncond has 3/)
    expect(() => applyGuidance(new Float32Array(4), new Float32Array(4), 2, 1.5)).toThrow(/guidance_rescale/)
    expect(() => applyGuidance(new Float32Array(4), new Float32Array(4), 2, 0.5, 3)).toThrow(/batchSize 3/)
  })
})
