// Classifier-free guidance and diffusers' rescale_noise_cfg (arXiv 2305.08891, section 3.4).

/**
 * out = uncond + scale * (cond - uncond); with rescale > 0 each batch item is rescaled towards the standard
 * deviation of `cond` (unbiased std, as torch.std), blended by `rescale` in [0, 1].
 */
export function applyGuidance(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  rescale = 0,
  batchSize = 1,
): Float32Array {
  if (cond.length !== uncond.length) {
    throw new RangeError(`applyGuidance: cond has ${cond.length} values but uncond has ${uncond.length}`)
  }
  if (!Number.isFinite(scale)) throw new RangeError(`applyGuidance: scale must be a finite number, got ${scale}`)
  if (!(rescale >= 0 && rescale <= 1)) throw new RangeError(`applyGuidance: guidance_rescale must be in [0, 1], got ${rescale}`)
  if (!Number.isInteger(batchSize) || batchSize < 1 || cond.length % batchSize !== 0) {
    throw new RangeError(`applyGuidance: batchSize ${batchSize} does not divide ${cond.length} values`)
  }
  const out = new Float32Array(cond.length)
  for (let i = 0; i < out.length; i++) out[i] = uncond[i]! + scale * (cond[i]! - uncond[i]!)
  if (rescale === 0) return out
  const per = cond.length / batchSize
  for (let b = 0; b < batchSize; b++) {
    const start = b * per
    const stdCond = unbiasedStd(cond, start, per)
    const stdCfg = unbiasedStd(out, start, per)
    // Blend of the rescaled and the plain guided prediction: out * (rescale * ratio + 1 - rescale).
    const factor = rescale * (stdCond / stdCfg) + (1 - rescale)
    for (let i = start; i < start + per; i++) out[i] = out[i]! * factor
  }
  return out
}

function unbiasedStd(x: Float32Array, start: number, count: number): number {
  let mean = 0
  for (let i = start; i < start + count; i++) mean += x[i]!
  mean /= count
  let ss = 0
  for (let i = start; i < start + count; i++) ss += (x[i]! - mean) ** 2
  return Math.sqrt(ss / (count - 1))
}
