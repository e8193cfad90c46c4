// Tiny UNet2DConditionModel with SDXL's layout, exported torch-style: three levels (DownBlock2D, then two
// CrossAttnDownBlock2D), two resnets per level, linear proj_in/proj_out (use_linear_projection), and the
// "text_time" added condition: add_time_proj (sinusoidal, per time id) of the 6 time_ids, concatenated after
// text_embeds, through add_embedding.linear_1/linear_2 and added to the timestep embedding.
// Inputs: sample [B,4,h,w], timestep int64 [steps], encoder_hidden_states [B,77,D1+D2], text_embeds [B,P],
// time_ids [B,6]. Output: out_sample [B,4,h,w]. The layout is the one src/lora/sgm.ts maps (SGM block numbers).

import type { OnnxModel } from '../../../src/models/onnx/types.js'
import { buildFullUnet, type FullUnetConfig } from '../full/unet.js'
import type { UnetBlockConfig } from '../unet-blocks.js'
import { unetConfigJson } from '../unet.js'
import { SDXL_TEXT_ENCODER, SDXL_TEXT_ENCODER_2 } from './text-encoders.js'

export interface SdxlUnetConfig extends UnetBlockConfig {
  inChannels: number
  outChannels: number
  blockOutChannels: number[]
  /** Levels with transformer blocks (SDXL: all but the first). */
  attentionLevels: boolean[]
  layersPerBlock: number
  addTimeEmbedDim: number
  textEmbedsDim: number
  sampleSize: number
}

export const SDXL_UNET: SdxlUnetConfig = {
  inChannels: 4,
  outChannels: 4,
  blockOutChannels: [16, 16, 24],
  attentionLevels: [false, true, true],
  layersPerBlock: 2,
  addTimeEmbedDim: 8,
  textEmbedsDim: SDXL_TEXT_ENCODER_2.projectionDim!,
  sampleSize: 128,
  groups: 8,
  resnetEps: 1e-5,
  timeEmbedDim: 32,
  heads: 2,
  crossAttentionDim: SDXL_TEXT_ENCODER.hiddenSize + SDXL_TEXT_ENCODER_2.hiddenSize,
}

export function buildSdxlUnet(c: SdxlUnetConfig = SDXL_UNET, seed = 12): OnnxModel {
  const levels = c.blockOutChannels.map(() => 1)
  const full: FullUnetConfig = { ...c, transformerDepth: levels, headsPerLevel: levels.map(() => c.heads), linearProjection: true, sdxl: { addTimeEmbedDim: c.addTimeEmbedDim, textEmbedsDim: c.textEmbedsDim } }
  return buildFullUnet(full, seed, { firstWeightId: 12000 })
}

/** diffusers' UNet2DConditionModel config (unet/config.json) of an SDXL-style UNet: SD1.5's plus the SDXL fields. */
export function sdxlUnetConfigJson(c: SdxlUnetConfig = SDXL_UNET): Record<string, unknown> {
  return {
    ...unetConfigJson(c),
    addition_embed_type: 'text_time',
    addition_embed_type_num_heads: 64,
    addition_time_embed_dim: c.addTimeEmbedDim,
    attention_head_dim: c.blockOutChannels.map(() => c.heads),
    down_block_types: c.attentionLevels.map((a) => (a ? 'CrossAttnDownBlock2D' : 'DownBlock2D')),
    layers_per_block: c.layersPerBlock,
    projection_class_embeddings_input_dim: c.textEmbedsDim + 6 * c.addTimeEmbedDim,
    transformer_layers_per_block: c.blockOutChannels.map(() => 1),
    up_block_types: [...c.attentionLevels].reverse().map((a) => (a ? 'CrossAttnUpBlock2D' : 'UpBlock2D')),
    upcast_attention: false,
    use_linear_projection: true,
  }
}
