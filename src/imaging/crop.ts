// Centred crops: to a multiple of the VAE's scale, as ComfyUI's VAE Encode takes it (diffusers resizes instead), one
// rule for images and for the masks cut to match them; and to an aspect ratio, as ComfyUI's resizes crop (images,
// latents).
import { roundHalfEven } from '../sampling/spacing.js'

export interface CropRect {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export function cropToMultiple(width: number, height: number, multiple: number): CropRect {
  const w = width - (width % multiple)
  const h = height - (height % multiple)
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h }
}

/** common_upscale's crop "center": the same margin cut from both ends of the side that is too long. */
export function centreCropBox(width: number, height: number, toWidth: number, toHeight: number): CropRect {
  const oldAspect = width / height
  const newAspect = toWidth / toHeight
  let x = 0
  let y = 0
  // Python's round (halves to even), as ComfyUI's.
  if (oldAspect > newAspect) x = roundHalfEven((width - width * (newAspect / oldAspect)) / 2)
  else if (oldAspect < newAspect) y = roundHalfEven((height - height * (oldAspect / newAspect)) / 2)
  return { x, y, width: width - 2 * x, height: height - 2 * y }
}
