// Inpainting: masks from images, and the latent noise mask that keeps the sampler to the masked area.
import { boolean, combo, InputError, int, output, socket, string } from '../src/engine/index.js'
import { channelMask, fitMask, growMask, invertMask, latentMask, MASK_CHANNELS, maskIsEmpty, type MaskPlane } from '../src/imaging/mask.js'
import { concatFloat32 } from './lib/concat.js'
import { defineHostNode } from './define.js'
import { readInputImage } from './load-image.js'
import type { MaskBatch } from './types.js'
import { VAE_SCALE } from './vae.js'

const planes = (batch: MaskBatch): MaskPlane[] => batch.masks.map((data) => ({ width: batch.width, height: batch.height, data }))

export const loadImageMask = defineHostNode({
  type: 'LoadImageMask',
  version: 1,
  displayName: 'Load Image (as Mask)',
  category: 'mask',
  description:
    "A mask read from one channel of an image, as ComfyUI's node of that name: a colour channel as it is (white is repainted), alpha inverted (transparent is repainted).",
  inputs: {
    image: string({
      default: '',
      upload: 'image',
      maxLength: 1024,
      description: 'The image holding the mask: an uploaded image in the editor, a file name or path for the CLI.',
    }),
    channel: combo(MASK_CHANNELS, { default: 'alpha', description: 'The channel read as the mask.' }),
  },
  outputs: { mask: output('MASK') },
  async execute({ image, channel }, ctx) {
    const mask = channelMask(await readInputImage(ctx, 'image', image), channel)
    return { mask: { width: mask.width, height: mask.height, masks: [mask.data] } }
  },
})

export const invertMaskNode = defineHostNode({
  type: 'InvertMask',
  version: 1,
  displayName: 'Invert Mask',
  category: 'mask',
  description: 'Repaint what was kept and keep what was repainted (1 - mask).',
  inputs: { mask: socket('MASK') },
  outputs: { mask: output('MASK') },
  execute({ mask }) {
    return { mask: { ...mask, masks: planes(mask).map((plane) => invertMask(plane).data) } }
  },
})

export const growMaskNode = defineHostNode({
  type: 'GrowMask',
  version: 1,
  displayName: 'Grow Mask',
  category: 'mask',
  description: "Grows the mask by `expand` pixels (shrinks it when negative), as ComfyUI's node: one 3x3 dilation or erosion per pixel, with cut corners when tapered.",
  inputs: {
    mask: socket('MASK'),
    expand: int({ default: 0, min: -256, max: 256, description: 'Pixels to grow by; negative shrinks.' }),
    tapered_corners: boolean({ default: true, description: 'Grow through edges only (a cross), which rounds the corners; off grows through corners too (a square).' }),
  },
  outputs: { mask: output('MASK') },
  execute({ mask, expand, tapered_corners }) {
    return { mask: { ...mask, masks: planes(mask).map((plane) => growMask(plane, expand, tapered_corners).data) } }
  },
})

export const setLatentNoiseMask = defineHostNode({
  type: 'SetLatentNoiseMask',
  version: 1,
  displayName: 'Set Latent Noise Mask',
  category: 'latent',
  description:
    "Inpainting with any UNet: the sampler redraws only where the mask is set and keeps the rest of the input latent, noised to each step's level, as diffusers' inpainting pipeline does with a 4-channel UNet (the mask binarised at 0.5, taken at latent resolution). Connect the latent of a VAE Encode of the same image; at denoise 1 the masked area starts from pure noise. A mask of another size is cropped as VAE Encode crops its image, or resized.",
  inputs: {
    samples: socket('LATENT'),
    mask: socket('MASK'),
  },
  outputs: { latent: output('LATENT') },
  execute({ samples, mask }, ctx) {
    const [batch, , latentH, latentW] = samples.dims
    const width = latentW * VAE_SCALE
    const height = latentH * VAE_SCALE
    if (mask.masks.length !== 1 && mask.masks.length !== batch) {
      throw new InputError('mask', `has ${mask.masks.length} masks for a batch of ${batch} latents (give one mask, or one per latent)`)
    }
    const fitted = planes(mask).map((plane) => fitMask(plane, width, height, VAE_SCALE))
    const adjusted = fitted[0]!.adjusted
    if (adjusted) ctx.warn(`mask ${mask.width}x${mask.height} px ${adjusted} to the latent's ${width}x${height} px`)
    const data = concatFloat32(fitted.map((f) => latentMask(f.plane, VAE_SCALE)))
    if (fitted.every((f) => maskIsEmpty(f.plane))) {
      ctx.warn('the mask is empty: the sampler will keep the whole input latent (a transparent or white area marks what to repaint)')
    } else if (data.every((v) => v === 0)) {
      ctx.warn(`the mask covers no latent cell (the sampler reads it every ${VAE_SCALE} px, at 0.5 or more): paint a larger area, or grow it (Grow Mask)`)
    }
    return { latent: { ...samples, noiseMask: { data, batch: fitted.length } } }
  },
})
