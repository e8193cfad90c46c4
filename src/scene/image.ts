// The image the measurement reads: RGBA8, row-major (a decoded PNG, a VAE output, an ImageData all fit).
export interface RgbaImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray | Uint8Array
}

export function checkImage(image: RgbaImage): void {
  const { width, height, data } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) {
    throw new Error(`image is ${width}x${height}; the scene measurement needs at least 8x8 pixels`)
  }
  if (data.length !== width * height * 4) throw new Error(`image has ${data.length} bytes, expected ${width * height * 4} for ${width}x${height} RGBA`)
}
