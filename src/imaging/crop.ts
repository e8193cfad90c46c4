// The centred crop to a multiple of the VAE's scale, as ComfyUI's VAE Encode takes it (diffusers resizes instead):
// one rule for images and for the masks cut to match them.

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
