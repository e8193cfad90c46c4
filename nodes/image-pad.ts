// Outpainting: an image padded with a grey border and the mask that repaints it (ComfyUI's Pad Image for Outpainting).
import { InputError, int, output, socket } from '../src/engine/index.js'
import { outpaintMask, padImage } from '../src/imaging/pad.js'
import { defineHostNode } from './define.js'

const side = (description: string) => int({ default: 0, min: 0, max: 4096, step: 8, description })

export const imagePadForOutpaint = defineHostNode({
  type: 'ImagePadForOutpaint',
  version: 1,
  displayName: 'Pad Image for Outpainting',
  category: 'image',
  description:
    "ComfyUI's Pad Image for Outpainting: adds a grey border and gives the mask that repaints it, feathered into the image's padded edges. Connect both to VAE Encode (for Inpainting), or the image to VAE Encode and the mask to Set Latent Noise Mask, and sample at denoise 1.",
  inputs: {
    image: socket('IMAGE'),
    left: side('Pixels added on the left.'),
    top: side('Pixels added at the top.'),
    right: side('Pixels added on the right.'),
    bottom: side('Pixels added at the bottom.'),
    feathering: int({ default: 40, min: 0, max: 4096, description: "Pixels of the image, from each padded edge, that the mask blends into (a squared ramp); ignored unless under half of the image's sides." }),
  },
  outputs: { image: output('IMAGE'), mask: output('MASK') },
  execute({ image, left, top, right, bottom, feathering }) {
    const pad = { left, top, right, bottom }
    const width = image.width + left + right
    const height = image.height + top + bottom
    if (width * height > 4096 * 4096) throw new InputError('right', `the padded image would be ${width}x${height} px, over 4096x4096`)
    const images = image.images.map((data) => padImage({ width: image.width, height: image.height, data }, pad).data)
    const mask = outpaintMask(image.width, image.height, pad, feathering)
    return {
      image: { width, height, images, parameters: image.parameters },
      mask: { width, height, masks: [mask.data] },
    }
  },
})
