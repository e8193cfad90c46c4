// UNet + LoRA: appends one LoRA binding to the UNet (and, when connected, the text encoder) descriptions. No session
// is built here: the sampler and text encoder build one when they run, so a `scale` change only changes the value
// (live mode: a new `lora_scale_<i>` input, the same session). Chain several of these nodes to stack LoRAs.
import { combo, float, InputError, optionalOutput, optionalSocket, output, socket, string } from '../src/engine/index.js'
import { LORA_MODES } from '../src/lora/index.js'
import { defineHostNode } from './define.js'
import type { LoraBinding } from './types.js'

export const unetLora = defineHostNode({
  type: 'UNetLoRA',
  version: 1,
  displayName: 'UNet + LoRA',
  category: 'loaders',
  description:
    'Applies a LoRA (.safetensors, kohya or diffusers/PEFT naming, SD1.5 or SDXL) to the UNet and, when connected, the text encoder. "live" makes the scale a model input, so moving it re-runs without rebuilding the model, through low-rank branches beside the patched layers (least memory; a per-step cost that grows with the image); "live-delta" does the same by recomputing each patched weight as W + scale x delta every step (a cost independent of the image size, but the deltas take as much memory again as the patched weights: for small models and the CPU); "merge" bakes the LoRA into the weights (a rebuild per scale, no per-step cost). Chain nodes to stack LoRAs.',
  inputs: {
    unet: socket('UNET'),
    clip: optionalSocket('CLIP', { description: 'Text encoder; LoRA text-encoder keys (lora_te_*) apply to it.' }),
    lora: string({
      default: 'loras/tiny-hyper-sd15-4step-kohya.safetensors',
      path: 'file',
      model: 'lora',
      description: 'LoRA file name, resolved by the host like model names (relative to the models root).',
    }),
    scale: float({ default: 1, min: -4, max: 4, step: 0.05, precision: 2, description: 'LoRA multiplier (x alpha/rank).' }),
    mode: combo(LORA_MODES, { default: 'live', description: 'live: scale is an input, low-rank branches (least memory); live-delta: scale is an input, weights recomputed per step (more memory); merge: baked into the weights.' }),
  },
  warmUp: 'execute',
  outputs: {
    unet: output('UNET'),
    clip: optionalOutput('CLIP', 'The text encoder with the LoRA; empty when the clip input is unconnected.'),
  },
  async execute({ unet, clip, lora, scale, mode }, ctx) {
    const name = lora.trim()
    if (name === '') throw new InputError('lora', 'no LoRA file given')
    const path = ctx.services.resolveModel(name)
    if (!(await ctx.services.files.exists(path))) {
      throw new InputError('lora', `LoRA file not found: ${ctx.services.files.describe(path)}`)
    }
    const binding: LoraBinding = { name, scale, mode }
    return {
      unet: { ...unet, loras: [...unet.loras, binding] },
      clip: clip ? { ...clip, loras: [...clip.loras, binding] } : undefined,
    }
  },
})
