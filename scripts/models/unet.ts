// Tiny UNet2DConditionModel with SD1.5's architecture (two CrossAttn down/up levels, mid block with attention),
// exported torch-style. Inputs: sample [B,4,h,w], timestep int64 [steps] (Optimum's SD1.5 export; 1 or B values),
// encoder_hidden_states [B,77,D]. Output: out_sample [B,4,h,w].

import { GraphBuilder } from '../../src/models/onnx/builder.js'
import { DataType, type OnnxModel } from '../../src/models/onnx/types.js'
import { EXPORT_INFO } from './export-info.js'
import { seededInit } from './init.js'
import { TEXT_ENCODER } from './text-encoder.js'
import { downBlocks, midBlock, spatialTransformer, unetOutput, upBlocks, type UnetBlockConfig } from './unet-blocks.js'

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

/** Timesteps(flip_sin_to_cos=True, downscale_freq_shift=0): [cos(t f), sin(t f)], f_i = 10000^(-i/half). */
function timestepEmbedding(b: GraphBuilder, timestep: string, sample: string, channels: number): string {
  const t = b.op('Expand', [b.op('Cast', [timestep], { to: DataType.FLOAT }), b.op('Shape', [sample], { start: 0, end: 1 })])
  return b.scope('time_proj', () => {
    const half = channels / 2
    const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half))
    const args = b.op('Mul', [b.op('Unsqueeze', [t, b.constantInt64([1])]), b.constantFloat(freqs, [1, half])])
    return b.op('Concat', [b.op('Cos', [args]), b.op('Sin', [args])], { axis: -1 })
  })
}

export function buildUnet(c: UnetConfig = UNET, seed = 2): OnnxModel {
  const b = new GraphBuilder('main_graph', seededInit(seed), { firstWeightId: 9000 })
  const sample = b.input('sample', DataType.FLOAT, ['batch_size', c.inChannels, 'height', 'width'])
  const timestep = b.input('timestep', DataType.INT64, ['steps'])
  const context = b.input('encoder_hidden_states', DataType.FLOAT, ['batch_size', 'sequence_length', c.crossAttentionDim])
  const channels = c.blockOutChannels
  const first = channels[0]!
  const tProj = timestepEmbedding(b, timestep, sample, first)
  const temb = b.scope('time_embedding', () => {
    const linear1 = b.gemm('linear_1', tProj, first, c.timeEmbedDim)
    const h = b.scope('act', () => b.silu(linear1))
    return b.gemm('linear_2', h, c.timeEmbedDim, c.timeEmbedDim)
  })

  const transformer = (name: string, x: string, ch: number) => spatialTransformer(b, name, x, context, ch, c)
  const down = downBlocks(b, b.conv('conv_in', sample, c.inChannels, first, { kernel: 3, padding: 1 }), temb, channels, 1, c, (_, name, x, ch) => transformer(name, x, ch))
  const skips = down.skips
  let h = midBlock(b, down.h, temb, channels[channels.length - 1]!, c, transformer)

  // layers_per_block + 1 resnets per level, each concatenating the matching down-path activation (skip connection).
  h = upBlocks(b, h, skips, temb, channels, 2, c, (_, name, x, ch) => transformer(name, x, ch))

  unetOutput(b, h, first, c.outChannels, c)
  return b.model(EXPORT_INFO)
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
