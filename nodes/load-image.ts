// Input images: the start of an img2img graph (Load Image -> VAE Encode -> sampler with denoise < 1).
import { InputError, output, string, type NodeContext } from '../src/engine/index.js'
import { channelMask } from '../src/imaging/mask.js'
import type { RgbaImage } from '../src/imaging/resize.js'
import { defineHostNode } from './define.js'
import type { NodeServices } from './services.js'

/** The named input image, decoded, or an InputError on `input` saying why it cannot be read. */
export async function readInputImage(ctx: NodeContext<NodeServices>, input: string, image: string): Promise<RgbaImage> {
  const name = image.trim()
  if (name === '') throw new InputError(input, 'no image chosen: drop an image on the canvas, or pick one on this widget')
  const images = ctx.services.images
  if (!images) throw new InputError(input, 'this host has no input images')
  ctx.stage('Reading the image…')
  try {
    return await images.read(name)
  } catch (error) {
    throw new InputError(input, error instanceof Error ? error.message : String(error))
  }
}

export const loadImage = defineHostNode({
  type: 'LoadImage',
  version: 1,
  displayName: 'Load Image',
  category: 'image',
  description:
    'An input image (PNG, JPEG; WebP and others in the browser). In the editor, drop an image on the canvas or pick "Upload image…" on the widget; the CLI reads a file under --input-dir (default: the current folder). Its transparency is dropped, as diffusers and ComfyUI do, and becomes the mask output: transparent pixels (1) are repainted by Set Latent Noise Mask (inpainting), as in ComfyUI; an opaque image gives an empty mask.',
  inputs: {
    image: string({
      default: '',
      upload: 'image',
      maxLength: 1024,
      description: 'The image: an uploaded image in the editor, a file name or path for the CLI.',
    }),
  },
  outputs: { image: output('IMAGE'), mask: output('MASK') },
  async execute({ image }, ctx) {
    const decoded = await readInputImage(ctx, 'image', image)
    const mask = channelMask(decoded, 'alpha')
    const rgba = new Uint8ClampedArray(decoded.data)
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255
    return {
      image: { width: decoded.width, height: decoded.height, images: [rgba], parameters: { init_image: image.trim() } },
      mask: { width: mask.width, height: mask.height, masks: [mask.data] },
    }
  },
})
