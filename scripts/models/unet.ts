// Tiny UNet2DConditionModel with SD1.5's architecture (two CrossAttn down/up levels, mid block with attention),
// exported torch-style. Inputs: sample [B,4,h,w], timestep int64 [steps] (Optimum's SD1.5 export; 1 or B values),
// encoder_hidden_states [B,77,D]. Output: out_sample [B,4,h,w].

import type { InitializerStore } from '../../src/models/onnx/builder.js'
import type { OnnxModel } from '../../src/models/onnx/types.js'
import { buildFullUnet, type FullUnetConfig } from './full/unet.js'
import { TEXT_ENCODER } from './text-encoder.js'
import type { UnetBlockConfig } from './unet-blocks.js'

export interface UnetConfig extends UnetBlockConfig {
  inChannels: number
  outChannels: number
  blockOutChannels: number[]
  sampleSize: number
}

export const UNET: UnetConfig = {
  inChannels: 4,
  outChannels: 4,
  blockOutChannels: [32, 32],
  sampleSize: 64,
  groups: 8,
  resnetEps: 1e-5,
  timeEmbedDim: 128,
  heads: 2,
  crossAttentionDim: TEXT_ENCODER.hiddenSize,
}

export function buildUnet(c: UnetConfig = UNET, seed = 2, store?: InitializerStore): OnnxModel {
  // SD1.5's layout in miniature: every level has attention, one resnet per level going down, two coming up.
  const levels = c.blockOutChannels.map(() => 1)
  const full: FullUnetConfig = { ...c, attentionLevels: levels.map(() => true), layersPerBlock: 1, transformerDepth: levels, headsPerLevel: levels.map(() => c.heads), linearProjection: false }
  return buildFullUnet(full, seed, { store })
}

/** diffusers' UNet2DConditionModel config (unet/config.json) describing the graph above. */
export function unetConfigJson(c: UnetConfig = UNET): Record<string, unknown> {
  return {
    _class_name: 'UNet2DConditionModel',
    _diffusers_version: '0.27.2',
    act_fn: 'silu',
    attention_head_dim: c.heads,
    block_out_channels: c.blockOutChannels,
    center_input_sample: false,
    cross_attention_dim: c.crossAttentionDim,
    down_block_types: c.blockOutChannels.map(() => 'CrossAttnDownBlock2D'),
    downsample_padding: 1,
    flip_sin_to_cos: true,
    freq_shift: 0,
    in_channels: c.inChannels,
    layers_per_block: 1,
    mid_block_scale_factor: 1,
    mid_block_type: 'UNetMidBlock2DCrossAttn',
    norm_eps: c.resnetEps,
    norm_num_groups: c.groups,
    out_channels: c.outChannels,
    sample_size: c.sampleSize,
    time_embedding_type: 'positional',
    up_block_types: c.blockOutChannels.map(() => 'CrossAttnUpBlock2D'),
    use_linear_projection: false,
  }
}
