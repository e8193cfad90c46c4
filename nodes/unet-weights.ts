// UNet Weights: names a full UNet state dict (diffusers layout) to write over the UNet's weights, as diffusers users
// do with `unet.load_state_dict(load_file(...))` for the Hyper-SDXL 1-step UNet. Like UNet + LoRA it builds no
// session: the sampler does, weights first, then any LoRA chained after this node.
import { InputError, output, socket, string } from '../src/engine/index.js'
import { ldmLayoutMessage } from '../src/lora/index.js'
import { readSafetensorsHeaderFrom } from '../src/models/safetensors/header-source.js'
import { defineHostNode } from './define.js'

export const unetWeights = defineHostNode({
  type: 'UNetWeights',
  version: 1,
  displayName: 'UNet Weights',
  category: 'loaders',
  description:
    'Replaces the UNet\'s weights with a full UNet state dict (.safetensors in the diffusers layout, keys like "down_blocks.0.resnets.0.conv1.weight"), e.g. the Hyper-SDXL 1-step UNet over an SDXL export. Every tensor must fit the UNet (a file for another model is refused with counts); fp16 and fp32 files fit either model precision. A LoRA chained after this node applies on top.',
  inputs: {
    unet: socket('UNET'),
    weights: string({
      default: 'ByteDance/Hyper-SD/Hyper-SDXL-1step-Unet.safetensors',
      path: 'file',
      model: 'unet-weights',
      description:
        'Weights file name, resolved by the host like model names. The diffusers-layout file (Hyper-SDXL-1step-Unet.safetensors), not the ComfyUI one (...-Comfyui.fp16.safetensors).',
    }),
  },
  warmUp: 'execute',
  outputs: { unet: output('UNET') },
  async execute({ unet, weights }, ctx) {
    const name = weights.trim()
    if (name === '') throw new InputError('weights', 'no weights file given')
    const { files, resolveModel } = ctx.services
    const path = resolveModel(name)
    if (!(await files.exists(path))) throw new InputError('weights', `weights file not found: ${files.describe(path)}`)
    // The key layout is in the header (kilobytes): an LDM-layout file is refused here, naming this input. A source
    // that cannot read a range would read the whole file for it; the sampler's build refuses it then.
    if (files.readRange) {
      let keys: readonly string[]
      try {
        keys = [...(await readSafetensorsHeaderFrom(files, path)).tensors.keys()]
      } catch (error) {
        throw new InputError('weights', error instanceof Error ? error.message : String(error))
      }
      const ldm = ldmLayoutMessage(name, keys)
      if (ldm) throw new InputError('weights', ldm)
    }
    if (unet.loras.length > 0) ctx.warn(`the ${unet.loras.length} LoRA(s) before this node apply on top of these weights, as if chained after it`)
    return { unet: { ...unet, weights: name } }
  },
})
