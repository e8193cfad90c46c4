// Each of our node types as ComfyUI nodes: loaders, prompts, latents, decode, save and notes by their ComfyUI
// counterparts (the sampler in comfyui-export-sampler.ts); a node with none keeps our type name, so ComfyUI shows it
// as missing and the import brings it back.
import { MASK_EXPORTERS } from './comfyui-export-masks.js'
import { exportSampler } from './comfyui-export-sampler.js'
import { number, text, type ExportContext, type OutInput, type Translator } from './comfyui-export-model.js'
import { isGraphLink } from './schema.js'
import type { JsonValue } from './safe-json.js'


/** Our model-root-relative file names as ComfyUI names them: relative to its models/<kind> folder. */
export function comfyFileName(name: string, folder: string): string {
  const path = name.replace(/\\/g, '/')
  if (path.startsWith(`${folder}/`)) return path.slice(folder.length + 1)
  // Hub downloads keep the repository path; ComfyUI users put the file itself in the folder, as the Hyper-SD
  // authors' workflows name it.
  if (path.startsWith('ByteDance/Hyper-SD/')) return path.slice('ByteDance/Hyper-SD/'.length)
  return path
}

const loadPipeline: Translator = (ctx) => {
  ctx.primary('CheckpointLoaderSimple', [], [['ckpt_name', text(ctx, 'model', 'tiny-sd15')]], [
    { name: 'MODEL', type: 'MODEL' }, { name: 'CLIP', type: 'CLIP' }, { name: 'VAE', type: 'VAE' },
  ])
  ctx.output('unet', 0)
  ctx.output('clip', 1)
  ctx.output('vae', 2)
}

const unetLora: Translator = (ctx) => {
  const scale = number(ctx, 'scale', 1)
  const lora = comfyFileName(text(ctx, 'lora'), 'loras')
  const withClip = isGraphLink(ctx.node.inputs['clip']) || ctx.usedOutputs.has('clip')
  if (withClip) {
    ctx.primary('LoraLoader', [{ name: 'model', type: 'MODEL', ...ctx.link('unet', 'model') }, { name: 'clip', type: 'CLIP', ...ctx.link('clip') }],
      [['lora_name', lora], ['strength_model', scale], ['strength_clip', scale]],
      [{ name: 'MODEL', type: 'MODEL' }, { name: 'CLIP', type: 'CLIP' }])
    ctx.output('unet', 0)
    ctx.output('clip', 1)
  } else {
    ctx.primary('LoraLoaderModelOnly', [{ name: 'model', type: 'MODEL', ...ctx.link('unet', 'model') }], [['lora_name', lora], ['strength_model', scale]], [{ name: 'MODEL', type: 'MODEL' }])
    ctx.output('unet', 0)
  }
}

const unetWeights: Translator = (ctx) => {
  const weights = comfyFileName(text(ctx, 'weights'), 'unet')
  ctx.primary('UNETLoader', [], [['unet_name', weights], ['weight_dtype', 'default']], [{ name: 'MODEL', type: 'MODEL' }])
  ctx.output('unet', 0)
  // ComfyUI's UNETLoader loads the UNet alone: the pipeline it replaces travels in properties.hypersd only.
  const unet = ctx.node.inputs['unet']
  if (isGraphLink(unet)) ctx.exported.linkInputs.set('unet', { from: [unet.from[0], unet.from[1]] })
  ctx.warn(`UNETLoader "${weights}" loads the UNet file alone (ComfyUI's checkpoint-format file, in models/unet)`)
}

const clipTextEncode: Translator = (ctx) => {
  const prompt = text(ctx, 'text')
  ctx.primary('CLIPTextEncode', [{ name: 'clip', type: 'CLIP', ...ctx.link('clip') }], [['text', prompt]], [{ name: 'CONDITIONING', type: 'CONDITIONING' }])
  ctx.output('conditioning', 0)
  // ComfyUI always reads emphasis and long prompts; a diffusers-syntax prompt with brackets means something else there.
  if (ctx.node.inputs['syntax'] === 'diffusers' && /[()]/.test(prompt)) {
    ctx.warn(`CLIPTextEncode "${prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt}": ComfyUI reads its brackets as emphasis weights (syntax diffusers reads them as text); write \\( and \\) for literal brackets`)
  }
}

const conditionings = (ctx: Parameters<Translator>[0]) => [
  { name: 'conditioning_to', type: 'CONDITIONING', ...ctx.link('conditioning_to') },
  { name: 'conditioning_from', type: 'CONDITIONING', ...ctx.link('conditioning_from') },
]

const conditioningAverage: Translator = (ctx) => {
  ctx.primary('ConditioningAverage', conditionings(ctx), [['conditioning_to_strength', number(ctx, 'conditioning_to_strength', 1)]], [{ name: 'CONDITIONING', type: 'CONDITIONING' }])
  ctx.output('conditioning', 0)
}

const conditioningConcat: Translator = (ctx) => {
  ctx.primary('ConditioningConcat', conditionings(ctx), [], [{ name: 'CONDITIONING', type: 'CONDITIONING' }])
  ctx.output('conditioning', 0)
}

const conditioningZeroOut: Translator = (ctx) => {
  ctx.primary('ConditioningZeroOut', [{ name: 'conditioning', type: 'CONDITIONING', ...ctx.link('conditioning') }], [], [{ name: 'CONDITIONING', type: 'CONDITIONING' }])
  ctx.output('conditioning', 0)
}

const emptyLatent: Translator = (ctx) => {
  ctx.primary('EmptyLatentImage', [], [['width', number(ctx, 'width', 512)], ['height', number(ctx, 'height', 512)], ['batch_size', number(ctx, 'batch', 1)]], [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

/**
 * VAE Decode or Encode: tiling on becomes ComfyUI's tiled node; auto stays the plain one, which ComfyUI tiles
 * itself when memory runs out.
 */
function exportVae(ctx: ExportContext, type: 'VAEDecode' | 'VAEEncode', sockets: OutInput[], output: { name: string; type: string; ours: string }): void {
  const tiled = text(ctx, 'tiling', 'auto') === 'on'
  const tileSize = number(ctx, 'tile_size', 512)
  const overlap = number(ctx, 'tile_overlap', 128)
  const widgets: [string, JsonValue][] = tiled ? [['tile_size', tileSize], ['overlap', overlap], ['temporal_size', 64], ['temporal_overlap', 8]] : []
  ctx.primary(tiled ? `${type}Tiled` : type, sockets, widgets, [{ name: output.name, type: output.type }])
  ctx.output(output.ours, 0)
  if (tiled && overlap * 4 > tileSize) ctx.warn(`ComfyUI cuts a tile overlap over a quarter of the tile: ${overlap} px becomes ${Math.floor(tileSize / 4)} px`)
}

const vaeDecode: Translator = (ctx) => {
  exportVae(ctx, 'VAEDecode', [{ name: 'samples', type: 'LATENT', ...ctx.link('latent', 'samples') }, { name: 'vae', type: 'VAE', ...ctx.link('vae') }], { name: 'IMAGE', type: 'IMAGE', ours: 'image' })
  if (text(ctx, 'tiling', 'auto') !== 'off' && text(ctx, 'tile_norm', 'per-tile') === 'synced') ctx.warn("tile_norm synced is left out: ComfyUI's tiles use their own GroupNorm statistics")
}

const vaeEncode: Translator = (ctx) => {
  exportVae(ctx, 'VAEEncode', [{ name: 'pixels', type: 'IMAGE', ...ctx.link('image', 'pixels') }, { name: 'vae', type: 'VAE', ...ctx.link('vae') }], { name: 'LATENT', type: 'LATENT', ours: 'latent' })
}

/** ComfyUI's LoadImage names a file in its input/ folder: the image itself must be put there. */
const loadImage: Translator = (ctx) => {
  const image = text(ctx, 'image')
  ctx.primary('LoadImage', [], [['image', image], ['upload', 'image']], [{ name: 'IMAGE', type: 'IMAGE' }, { name: 'MASK', type: 'MASK' }])
  ctx.output('image', 0)
  ctx.output('mask', 1)
  if (image !== '') ctx.warn(`LoadImage "${image}": put the image in ComfyUI's input/ folder (the workflow names it, it does not carry it)`)
}

const imageScale: Translator = (ctx) => {
  const widgets: [string, JsonValue][] = [['upscale_method', text(ctx, 'method', 'lanczos')], ['width', number(ctx, 'width', 512)], ['height', number(ctx, 'height', 512)], ['crop', text(ctx, 'crop', 'disabled')]]
  ctx.primary('ImageScale', [{ name: 'image', type: 'IMAGE', ...ctx.link('image') }], widgets, [{ name: 'IMAGE', type: 'IMAGE' }])
  ctx.output('image', 0)
}

const imageScaleBy: Translator = (ctx) => {
  const widgets: [string, JsonValue][] = [['upscale_method', text(ctx, 'method', 'lanczos')], ['scale_by', number(ctx, 'scale_by', 1)]]
  ctx.primary('ImageScaleBy', [{ name: 'image', type: 'IMAGE', ...ctx.link('image') }], widgets, [{ name: 'IMAGE', type: 'IMAGE' }])
  ctx.output('image', 0)
}

const latentUpscale: Translator = (ctx) => {
  const widgets: [string, JsonValue][] = [['upscale_method', text(ctx, 'method', 'nearest-exact')], ['width', number(ctx, 'width', 512)], ['height', number(ctx, 'height', 512)], ['crop', text(ctx, 'crop', 'disabled')]]
  ctx.primary('LatentUpscale', [{ name: 'samples', type: 'LATENT', ...ctx.link('samples') }], widgets, [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

const latentUpscaleBy: Translator = (ctx) => {
  const widgets: [string, JsonValue][] = [['upscale_method', text(ctx, 'method', 'nearest-exact')], ['scale_by', number(ctx, 'scale_by', 1.5)]]
  ctx.primary('LatentUpscaleBy', [{ name: 'samples', type: 'LATENT', ...ctx.link('samples') }], widgets, [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

const latentFromBatch: Translator = (ctx) => {
  ctx.primary('LatentFromBatch', [{ name: 'samples', type: 'LATENT', ...ctx.link('samples') }], [['batch_index', number(ctx, 'batch_index', 0)], ['length', number(ctx, 'length', 1)]], [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

const repeatLatentBatch: Translator = (ctx) => {
  ctx.primary('RepeatLatentBatch', [{ name: 'samples', type: 'LATENT', ...ctx.link('samples') }], [['amount', number(ctx, 'amount', 1)]], [{ name: 'LATENT', type: 'LATENT' }])
  ctx.output('latent', 0)
}

const saveImage: Translator = (ctx) => {
  ctx.primary('SaveImage', [{ name: 'images', type: 'IMAGE', ...ctx.link('image', 'images') }], [['filename_prefix', text(ctx, 'filename_prefix', 'hypersd')]], [])
}

const previewImage: Translator = (ctx) => {
  ctx.primary('PreviewImage', [{ name: 'images', type: 'IMAGE', ...ctx.link('image', 'images') }], [], [])
}

const note: Translator = (ctx) => {
  ctx.primary('Note', [], [['text', text(ctx, 'text')]], [])
}

export const EXPORTERS: Readonly<Record<string, Translator>> = {
  LoadPipeline: loadPipeline,
  UNetLoRA: unetLora,
  UNetWeights: unetWeights,
  CLIPTextEncode: clipTextEncode,
  ConditioningAverage: conditioningAverage,
  ConditioningConcat: conditioningConcat,
  ConditioningZeroOut: conditioningZeroOut,
  EmptyLatent: emptyLatent,
  LoadImage: loadImage,
  ...MASK_EXPORTERS,
  VAEEncode: vaeEncode,
  ImageScale: imageScale,
  ImageScaleBy: imageScaleBy,
  LatentUpscale: latentUpscale,
  LatentUpscaleBy: latentUpscaleBy,
  LatentFromBatch: latentFromBatch,
  RepeatLatentBatch: repeatLatentBatch,
  TSCDSampler: exportSampler,
  VAEDecode: vaeDecode,
  SaveImage: saveImage,
  PreviewImage: previewImage,
  Note: note,
}

/** The ComfyUI type each of ours becomes (any one of them), for the import to know a node of ours by it. */
export const EXPORTED_AS: Readonly<Record<string, readonly string[]>> = {
  LoadPipeline: ['CheckpointLoaderSimple'],
  UNetLoRA: ['LoraLoader', 'LoraLoaderModelOnly'],
  UNetWeights: ['UNETLoader'],
  CLIPTextEncode: ['CLIPTextEncode'],
  ConditioningAverage: ['ConditioningAverage'],
  ConditioningConcat: ['ConditioningConcat'],
  ConditioningZeroOut: ['ConditioningZeroOut'],
  EmptyLatent: ['EmptyLatentImage'],
  LoadImage: ['LoadImage'],
  LoadImageMask: ['LoadImageMask'],
  InvertMask: ['InvertMask'],
  GrowMask: ['GrowMask'],
  SetLatentNoiseMask: ['SetLatentNoiseMask'],
  VAEEncodeForInpaint: ['VAEEncodeForInpaint'],
  ImagePadForOutpaint: ['ImagePadForOutpaint'],
  VAEEncode: ['VAEEncode', 'VAEEncodeTiled'],
  ImageScale: ['ImageScale'],
  ImageScaleBy: ['ImageScaleBy'],
  LatentUpscale: ['LatentUpscale'],
  LatentUpscaleBy: ['LatentUpscaleBy'],
  LatentFromBatch: ['LatentFromBatch'],
  RepeatLatentBatch: ['RepeatLatentBatch'],
  TSCDSampler: ['KSampler', 'SamplerCustom'],
  VAEDecode: ['VAEDecode', 'VAEDecodeTiled'],
  SaveImage: ['SaveImage'],
  PreviewImage: ['PreviewImage'],
  Note: ['Note'],
}

/**
 * A node with no ComfyUI counterpart: our type name, our input names as sockets (linked ones) and widgets (the
 * rest), our output names; a placeholder from an earlier import goes back as the ComfyUI node it was.
 */
export const keepAsIs: Translator = (ctx) => {
  const node = ctx.node
  const definition = ctx.describe?.(node.type)
  if (node.placeholder) {
    const widgets = node.placeholder.widgets
    const primary = ctx.primary(node.type, node.placeholder.inputs.map((slot) => ({ name: slot.name, type: slot.type, ...ctx.link(slot.name) })), [], node.placeholder.outputs.map((slot) => ({ ...slot })))
    if (widgets !== undefined) primary.rawWidgets = widgets
    node.placeholder.outputs.forEach((slot, i) => ctx.output(slot.name, i))
    return
  }
  const socketNames = definition
    ? Object.entries(definition.inputs).filter(([name, spec]) => spec.kind === 'socket' || isGraphLink(node.inputs[name])).map(([name]) => name)
    : Object.keys(node.inputs).filter((name) => isGraphLink(node.inputs[name]))
  const inputs: OutInput[] = socketNames.map((name) => {
    const spec = definition?.inputs[name]
    return { name, type: spec?.kind === 'socket' ? spec.type : '*', ...ctx.link(name) }
  })
  const widgets: [string, JsonValue][] = Object.entries(node.inputs).filter(([name, value]) => !isGraphLink(value) && !socketNames.includes(name)).map(([name, value]) => [name, value as JsonValue])
  const outputNames = definition ? Object.keys(definition.outputs) : [...ctx.usedOutputs]
  ctx.primary(node.type, inputs, widgets, outputNames.map((name) => ({ name, type: definition?.outputs[name]?.type ?? '*' })))
  outputNames.forEach((name, i) => ctx.output(name, i))
  ctx.warn(`${node.type} has no ComfyUI counterpart; it is written under its own type (ComfyUI shows it as missing)`)
}
