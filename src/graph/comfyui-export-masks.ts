// Inpainting and outpainting nodes as ComfyUI's: masks from images, their edits, padding, and the latent's noise mask.
import { number, text, type Translator } from './comfyui-export-model.js'

const loadImageMask: Translator = (ctx) => {
  const image = text(ctx, 'image')
  ctx.primary('LoadImageMask', [], [['image', image], ['channel', text(ctx, 'channel', 'alpha')], ['upload', 'image']], [{ name: 'MASK', type: 'MASK' }])
  ctx.output('mask', 0)
  if (image !== '') ctx.warn(`LoadImageMask "${image}": put the image in ComfyUI's input/ folder (the workflow names it, it does not carry it)`)
}

const invertMask: Translator = (ctx) => {
  ctx.primary('InvertMask', [{ name: 'mask', type: 'MASK', ...ctx.link('mask') }], [], [{ name: 'MASK', type: 'MASK' }])
  ctx.output('mask', 0)
}

const growMask: Translator = (ctx) => {
  const tapered = ctx.node.inputs['tapered_corners'] !== false
  ctx.primary('GrowMask', [{ name: 'mask', type: 'MASK', ...ctx.link('mask') }], [['expand', number(ctx, 'expand', 0)], ['tapered_corners', tapered]], [{ name: 'MASK', type: 'MASK' }])
  ctx.output('mask', 0)
}

/** ComfyUI's sampler blends the kept area back at each step, as ours does (before the UNet call rather than after the step). */
const setLatentNoiseMask: Translator = (ctx) => {
  ctx.primary('SetLatentNoiseMask', [{ name: 'samples', type: 'LATENT', ...ctx.link('samples') }, { name: 'mask', type: 'MASK', ...ctx.link('mask') }], [], [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

const vaeEncodeForInpaint: Translator = (ctx) => {
  const sockets = [
    { name: 'pixels', type: 'IMAGE', ...ctx.link('image', 'pixels') },
    { name: 'vae', type: 'VAE', ...ctx.link('vae') },
    { name: 'mask', type: 'MASK', ...ctx.link('mask') },
  ]
  ctx.primary('VAEEncodeForInpaint', sockets, [['grow_mask_by', number(ctx, 'grow_mask_by', 6)]], [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

const imagePadForOutpaint: Translator = (ctx) => {
  const sides: [string, number][] = ['left', 'top', 'right', 'bottom', 'feathering'].map((name) => [name, number(ctx, name, name === 'feathering' ? 40 : 0)])
  ctx.primary('ImagePadForOutpaint', [{ name: 'image', type: 'IMAGE', ...ctx.link('image') }], sides, [{ name: 'IMAGE', type: 'IMAGE' }, { name: 'MASK', type: 'MASK' }])
  ctx.output('image', 0)
  ctx.output('mask', 1)
}

export const MASK_EXPORTERS: Readonly<Record<string, Translator>> = {
  LoadImageMask: loadImageMask,
  InvertMask: invertMask,
  GrowMask: growMask,
  SetLatentNoiseMask: setLatentNoiseMask,
  VAEEncodeForInpaint: vaeEncodeForInpaint,
  ImagePadForOutpaint: imagePadForOutpaint,
}
