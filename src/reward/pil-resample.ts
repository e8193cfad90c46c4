// Pillow's convolution resampling (libImaging/Resample.c) for 8-bit images, bicubic filter (a = -0.5), so that
// resized pixels equal what Image.resize(..., Image.BICUBIC) gives, byte for byte: the filter support grows with the
// scale when downscaling (antialiasing), coefficients are normalised then turned into 22-bit fixed point, and the
// horizontal pass is rounded to 8 bits before the vertical pass.

const PRECISION_BITS = 32 - 8 - 2
const FIXED_ONE = 2 ** PRECISION_BITS
const HALF = 2 ** (PRECISION_BITS - 1)
const BICUBIC_SUPPORT = 2
const A = -0.5

export function bicubicFilter(x: number): number {
  const t = Math.abs(x)
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A
  return 0
}

interface Coefficients {
  /** Per output pixel: first input index and tap count. */
  readonly start: Int32Array
  readonly count: Int32Array
  readonly taps: number
  /** Fixed-point weights, `taps` per output pixel. */
  readonly weights: Float64Array
}

/** Resample.c precompute_coeffs + normalize_coeffs_8bpc for the full input range [0, inSize). */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize
  const filterScale = Math.max(scale, 1)
  const support = BICUBIC_SUPPORT * filterScale
  const taps = Math.ceil(support) * 2 + 1
  const start = new Int32Array(outSize)
  const count = new Int32Array(outSize)
  const weights = new Float64Array(outSize * taps)
  const raw = new Float64Array(taps)
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0)
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin
    let total = 0
    for (let x = 0; x < xmax; x++) {
      raw[x] = bicubicFilter((x + xmin - center + 0.5) / filterScale)
      total += raw[x]!
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? raw[x]! / total : raw[x]!
      weights[xx * taps + x] = w < 0 ? Math.trunc(-0.5 + w * FIXED_ONE) : Math.trunc(0.5 + w * FIXED_ONE)
    }
    start[xx] = xmin
    count[xx] = xmax
  }
  return { start, count, taps, weights }
}

function clip8(sum: number): number {
  const v = Math.floor(sum / FIXED_ONE)
  return v < 0 ? 0 : v > 255 ? 255 : v
}

export interface PixelBuffer {
  readonly width: number
  readonly height: number
  /** Interleaved 8-bit channels, row-major. */
  readonly channels: number
  readonly data: Uint8Array | Uint8ClampedArray
}

function resampleAxis(src: PixelBuffer, outSize: number, horizontal: boolean): PixelBuffer {
  const { width, height, channels, data } = src
  const c = coefficients(horizontal ? width : height, outSize)
  const outW = horizontal ? outSize : width
  const outH = horizontal ? height : outSize
  const out = new Uint8Array(outW * outH * channels)
  // Stride between neighbouring taps, and between neighbouring pixels along the untouched axis.
  const tapStride = horizontal ? channels : width * channels
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = horizontal ? x : y
      const first = c.start[o]!
      const n = c.count[o]!
      const base = horizontal ? (y * width + first) * channels : (first * width + x) * channels
      const wOffset = o * c.taps
      for (let ch = 0; ch < channels; ch++) {
        let sum = HALF
        for (let k = 0, p = base + ch; k < n; k++, p += tapStride) sum += data[p]! * c.weights[wOffset + k]!
        out[(y * outW + x) * channels + ch] = clip8(sum)
      }
    }
  }
  return { width: outW, height: outH, channels, data: out }
}

/** Image.resize((width, height), Image.BICUBIC) on an 8-bit image; an axis whose size is unchanged is not filtered. */
export function resizeBicubic(src: PixelBuffer, width: number, height: number): PixelBuffer {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`cannot resize to ${width}x${height}`)
  }
  if (src.data.length !== src.width * src.height * src.channels) {
    throw new Error(`pixel buffer holds ${src.data.length} bytes, expected ${src.width}x${src.height}x${src.channels}`)
  }
  let image = src
  if (width !== image.width) image = resampleAxis(image, width, true)
  if (height !== image.height) image = resampleAxis(image, height, false)
  return image
}
