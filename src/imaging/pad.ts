// Padding an image for outpainting, as ComfyUI's "Pad Image for Outpainting" (ImagePadForOutpainting) does: the new
// border grey, and a mask that repaints it, feathered into the original image's edges that were padded.
import type { RgbaImage } from './resize.js'
import type { MaskPlane } from './mask.js'

export interface Padding {
  readonly left: number
  readonly top: number
  readonly right: number
  readonly bottom: number
}

/** ComfyUI fills with 0.5; in 8 bits that is 127.5, stored as 128. */
const GREY = 128

/** The image inside a grey border: RGBA8, opaque. */
export function padImage(image: RgbaImage, pad: Padding): RgbaImage {
  const width = image.width + pad.left + pad.right
  const height = image.height + pad.top + pad.bottom
  const data = new Uint8ClampedArray(width * height * 4)
  for (let i = 0; i < width * height; i++) data.set([GREY, GREY, GREY, 255], i * 4)
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4), ((y + pad.top) * width + pad.left) * 4)
  }
  return { width, height, data }
}

/**
 * The outpainting mask: 1 over the border; over the image 0, except within `feathering` pixels of a padded edge,
 * where it is ((feathering - d) / feathering)^2 at distance d (ComfyUI skips feathering unless it is under half of
 * each side).
 */
export function outpaintMask(imageWidth: number, imageHeight: number, pad: Padding, feathering: number): MaskPlane {
  const width = imageWidth + pad.left + pad.right
  const height = imageHeight + pad.top + pad.bottom
  const data = new Float32Array(width * height).fill(1)
  const feather = feathering > 0 && feathering * 2 < imageHeight && feathering * 2 < imageWidth
  for (let i = 0; i < imageHeight; i++) {
    for (let j = 0; j < imageWidth; j++) {
      let value = 0
      if (feather) {
        const d = Math.min(
          pad.top !== 0 ? i : imageHeight,
          pad.bottom !== 0 ? imageHeight - i : imageHeight,
          pad.left !== 0 ? j : imageWidth,
          pad.right !== 0 ? imageWidth - j : imageWidth,
        )
        if (d < feathering) {
          const v = (feathering - d) / feathering
          value = v * v
        }
      }
      data[(i + pad.top) * width + j + pad.left] = value
    }
  }
  return { width, height, data }
}
