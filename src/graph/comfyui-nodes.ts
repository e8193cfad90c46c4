// The table of supported ComfyUI nodes: which of ours each becomes (loaders and samplers in their own modules).
import { mapped, str } from './comfyui-convert.js'
import type { Converter } from './comfyui-convert.js'
import { LOADER_CONVERTERS } from './comfyui-loaders.js'
import { SAMPLER_CONVERTERS } from './comfyui-samplers.js'

export { schedulerPreset } from './comfyui-samplers.js'

const note: Converter = {
  outputs: [],
  convert: (ctx) => ({ type: 'Note', inputs: { text: str(ctx, 'text') ?? '' } }),
}

export const CONVERTERS: Readonly<Record<string, Converter>> = {
  ...LOADER_CONVERTERS,
  ...SAMPLER_CONVERTERS,
  CLIPTextEncode: mapped('CLIPTextEncode', ['conditioning'], { clip: 'clip' }, { text: ['text', 'text'] }),
  EmptyLatentImage: mapped('EmptyLatent', ['latent'], {}, {
    width: ['width', 'number'],
    height: ['height', 'number'],
    batch_size: ['batch', 'number'],
  }),
  VAEDecode: mapped('VAEDecode', ['image'], { vae: 'vae', samples: 'latent' }, {}),
  SaveImage: mapped('SaveImage', [], { images: 'image' }, { filename_prefix: ['filename_prefix', 'text'] }),
  PreviewImage: mapped('PreviewImage', [], { images: 'image' }, {}),
  Note: note,
  MarkdownNote: note,
}

/** Nodes whose value is read by the nodes they feed (primitive widgets), rather than converted themselves. */
export const VALUE_NODES: ReadonlySet<string> = new Set([
  'PrimitiveNode', 'PrimitiveInt', 'PrimitiveFloat', 'PrimitiveString', 'PrimitiveStringMultiline', 'PrimitiveBoolean',
])
