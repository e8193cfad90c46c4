// Input images: the start of an img2img graph (Load Image -> VAE Encode -> sampler with denoise < 1).
import { InputError, output, string } from '../src/engine/index.js'
import { defineHostNode } from './define.js'

export const loadImage = defineHostNode({
  type: 'LoadImage',
  version: 1,
  displayName: 'Load Image',
  category: 'image',
  description:
    'An input image (PNG, JPEG; WebP and others in the browser). In the editor, drop an image on the canvas or pick "Upload image…" on the widget; the CLI reads a file under --input-dir (default: the current folder). Transparency is dropped, as diffusers and ComfyUI do.',
  inputs: {
    image: string({
      default: '',
      upload: 'image',
      maxLength: 1024,
      description: 'The image: an uploaded image in the editor, a file name or path for the CLI.',
    }),
  },
  outputs: { image: output('IMAGE') },
  async execute({ image }, ctx) {
    const name = image.trim()
    if (name === '') throw new InputError('image', 'no image chosen: drop an image on the canvas, or pick one on this widget')
    const images = ctx.services.images
    if (!images) throw new InputError('image', 'this host has no input images')
    ctx.stage('Reading the image…')
    let decoded
    try {
      decoded = await images.read(name)
    } catch (error) {
      throw new InputError('image', error instanceof Error ? error.message : String(error))
    }
    const rgba = new Uint8ClampedArray(decoded.data)
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255
    return { image: { width: decoded.width, height: decoded.height, images: [rgba], parameters: { init_image: name } } }
  },
})
