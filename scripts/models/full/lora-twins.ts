// Full-size twins of the Hyper-SD LoRA files, under the real files' names, with random factors. What they copy
// (README "Full-size twins" says where each fact comes from):
// - the published sizes, about 269 MB (SD1.5) and 787 MB (SDXL), which are exactly twice LCM-LoRA's fp16 files:
//   the same layer set at the same rank in float32;
// - that layer set (LCM-LoRA's training script's target modules): attention q/k/v/out, proj_in/out, the
//   feed-forward, and every resnet conv, time_emb_proj, conv_shortcut and down/up-sampler conv, rank 64;
// - kohya naming on diffusers module paths (`lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight` with
//   `.alpha`), the form ComfyUI and diffusers both load.
// Written tensor by tensor (a streaming safetensors writer), never whole in memory.

import { findTargetLayers, type TargetLayer } from '../../../src/lora/layers.js'
import { safetensorsHeader, type TensorLayout } from '../../../src/models/safetensors/writer.js'
import { mulberry32, normalArray, normalSampler } from '../prng.js'
import { SD15_UNET, SDXL_UNET_FULL } from './configs.js'
import { planComponent } from './pipelines.js'
import { FileWriter } from './stream-store.js'
import { buildFullUnet } from './unet.js'

export const LORA_RANK = 64
const TARGETS = /(attn[12]\.to_(q|k|v|out\.0)|ff\.net\.(0\.proj|2)|proj_(in|out)|resnets\.\d+\.(conv[12]|time_emb_proj|conv_shortcut)|(down|up)samplers\.0\.conv)$/

export interface LoraTwin {
  readonly file: string
  readonly base: 'sd15' | 'sdxl'
  readonly description: string
}

export const LORA_TWINS: readonly LoraTwin[] = [
  ...[2, 4, 8].map((n) => ({ file: `Hyper-SD15-${n}steps-lora.safetensors`, base: 'sd15' as const, description: `Hyper-SD15 ${n}-step LoRA` })),
  { file: 'Hyper-SD15-1step-lora.safetensors', base: 'sd15', description: 'Hyper-SD15 1-step unified LoRA (TCD)' },
  ...[1, 2, 4, 8].map((n) => ({ file: `Hyper-SDXL-${n}step${n === 1 ? '' : 's'}-lora.safetensors`, base: 'sdxl' as const, description: `Hyper-SDXL ${n}-step LoRA` })),
]

/** The UNet layers a Hyper-SD LoRA patches, read off the full-size graph (no weights computed). */
export function loraTargetLayers(base: 'sd15' | 'sdxl'): TargetLayer[] {
  const { model } = planComponent((s) => buildFullUnet(base === 'sd15' ? SD15_UNET : SDXL_UNET_FULL, 1, { store: s }), 'float32')
  return [...findTargetLayers(model.graph!).values()].filter((l) => TARGETS.test(l.name))
}

interface TwinTensor extends TensorLayout {
  readonly values: () => Float32Array
}

function twinTensors(layers: readonly TargetLayer[], seed: number): TwinTensor[] {
  const normal = normalSampler(mulberry32(seed))
  const out: TwinTensor[] = []
  for (const layer of layers) {
    const [outC, inC, kh = 1, kw = 1] = layer.shape as [number, number, number?, number?]
    const conv = layer.kind === 'conv'
    const stem = `lora_unet_${layer.name.replace(/\./g, '_')}`
    const fanIn = inC * kh * kw
    const f32 = (name: string, shape: number[], values: () => Float32Array): TwinTensor => ({ name, dtype: 'F32', shape, byteLength: shape.reduce((a, b) => a * b, 1) * 4, values })
    out.push(
      f32(`${stem}.alpha`, [], () => Float32Array.of(LORA_RANK)),
      // A small delta, as a trained LoRA's is: down ~ N(0, 1/fanIn), up ~ N(0, 0.01/rank).
      f32(`${stem}.lora_down.weight`, conv ? [LORA_RANK, inC, kh, kw] : [LORA_RANK, inC], () => normalArray(normal, LORA_RANK * fanIn, 1 / Math.sqrt(fanIn))),
      f32(`${stem}.lora_up.weight`, conv ? [outC, LORA_RANK, 1, 1] : [outC, LORA_RANK], () => normalArray(normal, outC * LORA_RANK, 0.1 / LORA_RANK)),
    )
  }
  return out
}

/** Writes one twin; returns its size in bytes. */
export function writeLoraTwin(twin: LoraTwin, path: string, seed: number): number {
  const tensors = twinTensors(loraTargetLayers(twin.base), seed)
  const metadata = new Map([
    ['ss_network_module', 'networks.lora'],
    ['ss_network_dim', String(LORA_RANK)],
    ['ss_network_alpha', String(LORA_RANK)],
    ['twin', `random-weight full-size twin of ${twin.description} (hyper-sd-studio); not a trained LoRA`],
  ])
  const out = new FileWriter(path)
  try {
    out.write(safetensorsHeader(tensors, metadata))
    for (const t of tensors) {
      const v = t.values()
      out.write(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
    }
  } finally {
    out.close()
  }
  return out.written
}
