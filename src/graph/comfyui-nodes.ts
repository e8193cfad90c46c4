// The table of supported ComfyUI nodes: which of ours each becomes (loaders and samplers in their own modules).
import { mapped, num, setIfDefined, setLink, str } from './comfyui-convert.js'
import type { Converter, Inputs } from './comfyui-convert.js'
import { LOADER_CONVERTERS } from './comfyui-loaders.js'
import { SAMPLER_CONVERTERS } from './comfyui-samplers.js'

export { schedulerPreset } from './comfyui-samplers.js'

const note: Converter = {
  outputs: [],
  convert: (ctx) => ({ type: 'Note', inputs: { text: str(ctx, 'text') ?? '' } }),
}

/** ComfyUI's tiled decode or encode: ours with tiling on (its temporal_* widgets are for video VAEs). */
function tiled(type: 'VAEDecode' | 'VAEEncode', output: string, links: Readonly<Record<string, string>>): Converter {
  return {
    outputs: [output],
    convert(ctx) {
      const inputs: Inputs = { tiling: 'on' }
      for (const [comfy, ours] of Object.entries(links)) setLink(inputs, ctx, comfy, ours)
      const tileSize = num(ctx, 'tile_size') ?? 512
      // ComfyUI cuts an overlap over a quarter of the tile to a quarter; ours must also be a multiple of 8 px.
      const overlap = Math.min(num(ctx, 'overlap') ?? 64, Math.floor(tileSize / 4))
      inputs['tile_size'] = tileSize
      inputs['tile_overlap'] = Math.floor(overlap / 8) * 8
      return { type, inputs }
    },
  }
}

/** ComfyUI's Upscale Latent: its sides are floored to whole latent cells (ours must be multiples of 8 px already). */
const latentUpscale: Converter = {
  outputs: ['latent'],
  convert(ctx) {
    const inputs: Inputs = {}
    setLink(inputs, ctx, 'samples', 'samples')
    setIfDefined(inputs, 'method', str(ctx, 'upscale_method'))
    for (const side of ['width', 'height']) {
      const px = num(ctx, side)
      if (px !== undefined) inputs[side] = Math.floor(px / 8) * 8
      if (px !== undefined && px % 8 !== 0) ctx.warn(`${side} ${px} px: ComfyUI uses whole latent cells, so ${Math.floor(px / 8) * 8} px`)
    }
    setIfDefined(inputs, 'crop', str(ctx, 'crop'))
    return { type: 'LatentUpscale', inputs }
  },
}

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  ...LOADER_CONVERTERS,
  ...SAMPLER_CONVERTERS,
  // ComfyUI reads emphasis weights and prompts longer than 75 tokens: so does our node with syntax comfyui (version 2).
  CLIPTextEncode: {
    outputs: ['conditioning'],
    convert(ctx) {
      const inputs: Inputs = {}
      setLink(inputs, ctx, 'clip', 'clip')
      setIfDefined(inputs, 'text', str(ctx, 'text'))
      inputs['syntax'] = 'comfyui'
      return { type: 'CLIPTextEncode', version: 2, inputs }
    },
  },
  ConditioningAverage: mapped('ConditioningAverage', ['conditioning'], { conditioning_to: 'conditioning_to', conditioning_from: 'conditioning_from' }, {
    conditioning_to_strength: ['conditioning_to_strength', 'number'],
  }),
  ConditioningConcat: mapped('ConditioningConcat', ['conditioning'], { conditioning_to: 'conditioning_to', conditioning_from: 'conditioning_from' }, {}),
  ConditioningZeroOut: mapped('ConditioningZeroOut', ['conditioning'], { conditioning: 'conditioning' }, {}),
  EmptyLatentImage: mapped('EmptyLatent', ['latent'], {}, {
    width: ['width', 'number'],
    height: ['height', 'number'],
    batch_size: ['batch', 'number'],
  }),
  VAEDecode: mapped('VAEDecode', ['image'], { vae: 'vae', samples: 'latent' }, {}),
  // Its MASK output is the image's transparency, as ours.
  LoadImage: mapped('LoadImage', ['image', 'mask'], {}, { image: ['image', 'text'] }),
  LoadImageMask: mapped('LoadImageMask', ['mask'], {}, { image: ['image', 'text'], channel: ['channel', 'text'] }),
  InvertMask: mapped('InvertMask', ['mask'], { mask: 'mask' }, {}),
  GrowMask: mapped('GrowMask', ['mask'], { mask: 'mask' }, { expand: ['expand', 'number'], tapered_corners: ['tapered_corners', 'boolean'] }),
  SetLatentNoiseMask: mapped('SetLatentNoiseMask', ['latent'], { samples: 'samples', mask: 'mask' }, {}),
  VAEEncodeForInpaint: mapped('VAEEncodeForInpaint', ['latent'], { pixels: 'image', vae: 'vae', mask: 'mask' }, { grow_mask_by: ['grow_mask_by', 'number'] }),
  VAEEncode: mapped('VAEEncode', ['latent'], { pixels: 'image', vae: 'vae' }, {}),
  // ComfyUI's "Upscale Image": the same methods, 0 sides and centre crop.
  ImageScale: mapped('ImageScale', ['image'], { image: 'image' }, {
    upscale_method: ['method', 'text'],
    width: ['width', 'number'],
    height: ['height', 'number'],
    crop: ['crop', 'text'],
  }),
  LatentUpscale: latentUpscale,
  LatentFromBatch: mapped('LatentFromBatch', ['latent'], { samples: 'samples' }, { batch_index: ['batch_index', 'number'], length: ['length', 'number'] }),
  RepeatLatentBatch: mapped('RepeatLatentBatch', ['latent'], { samples: 'samples' }, { amount: ['amount', 'number'] }),
  LatentUpscaleBy: mapped('LatentUpscaleBy', ['latent'], { samples: 'samples' }, { upscale_method: ['method', 'text'], scale_by: ['scale_by', 'number'] }),
  ImageScaleBy: mapped('ImageScaleBy', ['image'], { image: 'image' }, { upscale_method: ['method', 'text'], scale_by: ['scale_by', 'number'] }),
  ImagePadForOutpaint: mapped('ImagePadForOutpaint', ['image', 'mask'], { image: 'image' }, {
    left: ['left', 'number'],
    top: ['top', 'number'],
    right: ['right', 'number'],
    bottom: ['bottom', 'number'],
    feathering: ['feathering', 'number'],
  }),
  VAEDecodeTiled: tiled('VAEDecode', 'image', { vae: 'vae', samples: 'latent' }),
  VAEEncodeTiled: tiled('VAEEncode', 'latent', { vae: 'vae', pixels: 'image' }),
  SaveImage: mapped('SaveImage', [], { images: 'image' }, { filename_prefix: ['filename_prefix', 'text'] }),
  PreviewImage: mapped('PreviewImage', [], { images: 'image' }, {}),
  Note: note,
  MarkdownNote: note,
}

/** Nodes whose value is read by the nodes they feed (primitive widgets), rather than converted themselves. */
export const VALUE_NODES: ReadonlySet<string> = new Set([
  'PrimitiveNode', 'PrimitiveInt', 'PrimitiveFloat', 'PrimitiveString', 'PrimitiveStringMultiline', 'PrimitiveBoolean',
])
