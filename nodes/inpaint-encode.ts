// ComfyUI's VAE Encode (for Inpainting): the pixels under the mask greyed before encoding, and the mask, grown by a
// few pixels, set as the latent's noise mask. Made for inpainting UNets; ComfyUI workflows use it with ordinary ones
// too, where at denoise 1 the masked area starts from pure noise and only the kept area's latents are read.
import { InputError, int, output, socket } from '../src/engine/index.js'
import { cropToMultiple, type CropRect } from '../src/imaging/crop.js'
import { cropPlane, growMaskBox, latentMask, maskIsEmpty, resizePlane, roundedMask, type MaskPlane } from '../src/imaging/mask.js'
import { concatFloat32 } from './lib/concat.js'
import { sessionFor } from './lib/run-model.js'
import { defineHostNode } from './define.js'
import { encodeOne, encoderSession, stackEncoded, type Encoded } from './vae-encode.js'
import { latentTiling, usesTiles, VAE_SCALE } from './lib/vae-tiling.js'

/** ComfyUI's `(p - 0.5) * (1 - round(mask)) + 0.5`, then the VAE's `2p - 1`, in float32: 0 under the mask. */
function greyedSample(rgba: Uint8ClampedArray, fullWidth: number, crop: CropRect, rounded: MaskPlane): Float32Array {
  const f = Math.fround
  const plane = crop.width * crop.height
  const out = new Float32Array(3 * plane)
  for (let y = 0; y < crop.height; y++) {
    for (let x = 0; x < crop.width; x++) {
      const keep = 1 - rounded.data[y * crop.width + x]!
      const src = ((crop.y + y) * fullWidth + crop.x + x) * 4
      for (let c = 0; c < 3; c++) {
        const p = f(f(f(f(rgba[src + c]! / 255) - 0.5) * keep) + 0.5)
        out[c * plane + y * crop.width + x] = f(2 * p - 1)
      }
    }
  }
  return out
}

/** The mask at the image's size (bilinear, as ComfyUI interpolates it), then cut as the image is cut. */
function maskForImage(mask: MaskPlane, width: number, height: number, crop: CropRect): MaskPlane {
  const full = mask.width === width && mask.height === height ? mask : resizePlane(mask, width, height, 'bilinear')
  return crop.width === width && crop.height === height ? full : cropPlane(full, crop)
}

export const vaeEncodeForInpaint = defineHostNode({
  type: 'VAEEncodeForInpaint',
  version: 1,
  displayName: 'VAE Encode (for Inpainting)',
  category: 'latent',
  description:
    "ComfyUI's VAE Encode (for Inpainting): the pixels under the mask are set to grey before encoding, and the mask, grown by grow_mask_by pixels, becomes the latent's noise mask (as Set Latent Noise Mask sets one). Sample at denoise 1. A mask of another size is interpolated to the image's (bilinear). Images over 512 px on a side are encoded in tiles, as VAE Encode's auto tiling does.",
  inputs: {
    vae: socket('VAE'),
    image: socket('IMAGE'),
    mask: socket('MASK'),
    grow_mask_by: int({ default: 6, min: 0, max: 64, description: 'Pixels the noise mask grows by, so the redrawn area blends in (not the greyed area).' }),
  },
  warmUp: {
    inputs: ['vae'],
    async load({ vae }, ctx) {
      await sessionFor(ctx, vae.encoder)
    },
  },
  outputs: { latent: output('LATENT') },
  async execute({ vae, image, mask, grow_mask_by }, ctx) {
    const crop = cropToMultiple(image.width, image.height, VAE_SCALE)
    if (crop.width === 0 || crop.height === 0) throw new InputError('image', `${image.width}x${image.height} px is smaller than ${VAE_SCALE}x${VAE_SCALE}`)
    if (mask.masks.length !== 1 && mask.masks.length !== image.images.length) {
      throw new InputError('mask', `has ${mask.masks.length} masks for ${image.images.length} images (give one mask, or one per image)`)
    }
    if (mask.width !== image.width || mask.height !== image.height) ctx.warn(`mask ${mask.width}x${mask.height} px interpolated to the image's ${image.width}x${image.height} px`)
    const masks = mask.masks.map((data) => maskForImage({ width: mask.width, height: mask.height, data }, image.width, image.height, crop))
    if (masks.every(maskIsEmpty)) ctx.warn('the mask is empty: nothing is greyed, and the sampler will keep the whole image')
    ctx.stage('Encoding…')
    const encoder = await encoderSession(ctx, vae)
    // VAE Encode's default tiles (ComfyUI's encode tiles by itself when memory runs out).
    const plan = latentTiling(512, 128)
    const tiles = usesTiles('auto', plan, crop.height / VAE_SCALE, crop.width / VAE_SCALE) ? plan : undefined
    const encoded: Encoded[] = []
    for (const [n, rgba] of image.images.entries()) {
      ctx.checkCancelled()
      const rounded = roundedMask(masks[masks.length === 1 ? 0 : n]!)
      encoded.push(await encodeOne(encoder, vae, greyedSample(rgba, image.width, crop, rounded), crop.height, crop.width, tiles))
      ctx.progress(n + 1, image.images.length)
    }
    const latent = stackEncoded(encoded, image, crop, vae.scalingFactor)
    const noiseMask = concatFloat32(masks.map((m) => latentMask(growMaskBox(m, grow_mask_by), VAE_SCALE)))
    return { latent: { ...latent, noiseMask: { data: noiseMask, batch: masks.length } } }
  },
})
