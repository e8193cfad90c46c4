// ComfyUI loader nodes: checkpoints become our pipeline loader (an ONNX export folder), LoRA loaders our UNet + LoRA.
import { num, setIfDefined, setLink, str } from './comfyui-convert.js'
import type { Converted, Converter, Inputs } from './comfyui-convert.js'

const lora = (withClip: boolean): Converter => ({
  outputs: withClip ? ['unet', 'clip'] : ['unet'],
  convert(ctx) {
    const inputs: Inputs = {}
    setLink(inputs, ctx, 'model', 'unet')
    if (withClip) setLink(inputs, ctx, 'clip', 'clip')
    const loraName = str(ctx, 'lora_name')
    if (loraName !== undefined) {
      // ComfyUI names LoRAs relative to models/loras; our hosts resolve names relative to the models root.
      const lora = `loras/${loraName.replace(/\\/g, '/')}`
      inputs['lora'] = lora
      ctx.warn(`LoRA "${loraName}" is looked up as "${lora}" in the models folder (CLI: --model ${lora}=PATH)`)
    }
    const scale = num(ctx, 'strength_model')
    setIfDefined(inputs, 'scale', scale)
    const clipScale = withClip ? num(ctx, 'strength_clip') : undefined
    if (clipScale !== undefined && scale !== undefined && clipScale !== scale && inputs['clip'] !== undefined) {
      ctx.warn(`strength_clip ${clipScale} differs from strength_model ${scale}; one scale (${scale}) applies to both`)
    }
    return { type: 'UNetLoRA', inputs }
  },
})

export const LOADER_CONVERTERS: Readonly<Record<string, Converter>> = {
  CheckpointLoaderSimple: {
    outputs: ['unet', 'clip', 'vae'],
    convert(ctx): Converted {
      const ckpt = str(ctx, 'ckpt_name')
      if (ckpt === undefined) return { type: 'LoadPipeline', inputs: {} }
      const SINGLE_FILE = /\.(safetensors|ckpt|pt|pth|bin)$/i
      const model = ckpt.replace(/\\/g, '/').replace(SINGLE_FILE, '')
      if (SINGLE_FILE.test(ckpt)) {
        ctx.warn(`checkpoint "${ckpt}" is a single-file checkpoint; "${model}" must name an ONNX export folder (CLI: --model ${model}=PATH)`)
      }
      return { type: 'LoadPipeline', inputs: { model } }
    },
  },
  LoraLoader: lora(true),
  LoraLoaderModelOnly: lora(false),
}
