// A cheap RGB approximation of an SD latent, shown while sampling (no VAE pass needed).
// Factors are the widely used linear fits of the SD1.5 and SDXL VAEs (latent channel -> RGB).

export type LatentFormat = 'sd15' | 'sdxl'

const FACTORS: Record<LatentFormat, { rgb: readonly (readonly [number, number, number])[]; bias: readonly [number, number, number] }> = {
  sd15: {
    rgb: [
      [0.3512, 0.2297, 0.3227],
      [0.325, 0.4974, 0.235],
      [-0.2829, 0.1762, 0.2721],
      [-0.212, -0.2616, -0.7177],
    ],
    bias: [0, 0, 0],
  },
  sdxl: {
    rgb: [
      [0.3651, 0.4232, 0.4341],
      [-0.2533, -0.0042, 0.1068],
      [0.1076, 0.1111, -0.0362],
      [-0.3165, -0.2492, -0.2188],
    ],
    bias: [0.1084, -0.0175, -0.0011],
  },
}

/** The linear fit for `format`, for projections that run elsewhere (the sampler's GPU loop). */
export function latentRgbFactors(format: LatentFormat): (typeof FACTORS)[LatentFormat] {
  return FACTORS[format]
}

/** A planar float RGB image in 8-bit levels (already rounded and clamped) as RGBA. */
export function planarRgbToRgba(planes: Float32Array, width: number, height: number): RgbaImage {
  const plane = width * height
  const rgba = new Uint8ClampedArray(plane * 4)
  for (let p = 0; p < plane; p++) {
    rgba[p * 4] = planes[p]!
    rgba[p * 4 + 1] = planes[plane + p]!
    rgba[p * 4 + 2] = planes[2 * plane + p]!
    rgba[p * 4 + 3] = 255
  }
  return { width, height, rgba }
}

export interface RgbaImage {
  readonly width: number
  readonly height: number
  readonly rgba: Uint8ClampedArray
}

/** Previews the first image of an NCHW latent batch at latent resolution. */
export function latentToPreview(latent: Float32Array, dims: readonly number[], format: LatentFormat = 'sd15'): RgbaImage {
  const [, channels = 4, height = 0, width = 0] = dims
  const { rgb, bias } = FACTORS[format]
  const plane = width * height
  const rgba = new Uint8ClampedArray(plane * 4)
  const usable = Math.min(channels, rgb.length)
  for (let p = 0; p < plane; p++) {
    let r = bias[0]
    let g = bias[1]
    let b = bias[2]
    for (let c = 0; c < usable; c++) {
      const v = latent[c * plane + p]!
      const f = rgb[c]!
      r += v * f[0]
      g += v * f[1]
      b += v * f[2]
    }
    // Uint8ClampedArray rounds and clamps to [0, 255].
    rgba[p * 4] = ((r + 1) / 2) * 255
    rgba[p * 4 + 1] = ((g + 1) / 2) * 255
    rgba[p * 4 + 2] = ((b + 1) / 2) * 255
    rgba[p * 4 + 3] = 255
  }
  return { width, height, rgba }
}
