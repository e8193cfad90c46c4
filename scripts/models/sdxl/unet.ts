// Tiny UNet2DConditionModel with SDXL's layout, exported torch-style: three levels (DownBlock2D, then two
// CrossAttnDownBlock2D), two resnets per level, linear proj_in/proj_out (use_linear_projection), and the
// "text_time" added condition: add_time_proj (sinusoidal, per time id) of the 6 time_ids, concatenated after
// text_embeds, through add_embedding.linear_1/linear_2 and added to the timestep embedding.
// Inputs: sample [B,4,h,w], timestep int64 [steps], encoder_hidden_states [B,77,D1+D2], text_embeds [B,P],
// time_ids [B,6]. Output: out_sample [B,4,h,w]. The layout is the one src/lora/sgm.ts maps (SGM block numbers).

import { GraphBuilder } from '../../../src/models/onnx/builder.js'
import { DataType, type OnnxModel } from '../../../src/models/onnx/types.js'
import { EXPORT_INFO } from '../export-info.js'
import { seededInit } from '../init.js'
import { downBlocks, midBlock, spatialTransformer, unetOutput, upBlocks, type UnetBlockConfig } from '../unet-blocks.js'
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

/** Timesteps(flip_sin_to_cos=True, downscale_freq_shift=0) of a 1-D float tensor: [cos(v f), sin(v f)] per value. */
function sinusoid(b: GraphBuilder, values: string, channels: number): string {
  const half = channels / 2
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half))
  const args = b.op('Mul', [b.op('Unsqueeze', [values, b.constantInt64([1])]), b.constantFloat(freqs, [1, half])])
  return b.op('Concat', [b.op('Cos', [args]), b.op('Sin', [args])], { axis: -1 })
}

/** time_embedding(time_proj(t)) + add_embedding(concat(text_embeds, add_time_proj(time_ids) flattened per row)). */
export function conditioningEmbedding(b: GraphBuilder, c: Pick<SdxlUnetConfig, 'blockOutChannels' | 'timeEmbedDim' | 'addTimeEmbedDim' | 'textEmbedsDim'>, io: { timestep: string; sample: string; textEmbeds: string; timeIds: string }): string {
  const first = c.blockOutChannels[0]!
  const t = b.op('Expand', [b.op('Cast', [io.timestep], { to: DataType.FLOAT }), b.op('Shape', [io.sample], { start: 0, end: 1 })])
  const tProj = b.scope('time_proj', () => sinusoid(b, t, first))
  const embedding = (name: string, x: string, inFeatures: number) =>
    b.scope(name, () => {
      const linear1 = b.gemm('linear_1', x, inFeatures, c.timeEmbedDim)
      const h = b.scope('act', () => b.silu(linear1))
      return b.gemm('linear_2', h, c.timeEmbedDim, c.timeEmbedDim)
    })
  const temb = embedding('time_embedding', tProj, first)
  const timeEmbeds = b.scope('add_time_proj', () => {
    const flat = b.op('Reshape', [io.timeIds, b.constantInt64([-1])])
    const perId = sinusoid(b, flat, c.addTimeEmbedDim)
    return b.op('Reshape', [perId, b.op('Concat', [b.op('Shape', [io.textEmbeds], { start: 0, end: 1 }), b.constantInt64([-1])], { axis: 0 })])
  })
  const addInput = b.op('Concat', [io.textEmbeds, timeEmbeds], { axis: -1 })
  const aug = embedding('add_embedding', addInput, c.textEmbedsDim + 6 * c.addTimeEmbedDim)
  return b.op('Add', [temb, aug])
}

export function buildSdxlUnet(c: SdxlUnetConfig = SDXL_UNET, seed = 12): OnnxModel {
  const b = new GraphBuilder('main_graph', seededInit(seed), { firstWeightId: 12000 })
  const sample = b.input('sample', DataType.FLOAT, ['batch_size', c.inChannels, 'height', 'width'])
  const timestep = b.input('timestep', DataType.INT64, ['steps'])
  const context = b.input('encoder_hidden_states', DataType.FLOAT, ['batch_size', 'sequence_length', c.crossAttentionDim])
  const textEmbeds = b.input('text_embeds', DataType.FLOAT, ['batch_size', c.textEmbedsDim])
  const timeIds = b.input('time_ids', DataType.FLOAT, ['batch_size', 6])
  const channels = c.blockOutChannels
  const first = channels[0]!
  const temb = conditioningEmbedding(b, c, { timestep, sample, textEmbeds, timeIds })
  const transformer = (name: string, x: string, ch: number) => spatialTransformer(b, name, x, context, ch, c, { linearProjection: true })

  const down = downBlocks(b, b.conv('conv_in', sample, c.inChannels, first, { kernel: 3, padding: 1 }), temb, channels, c.layersPerBlock, c, (level, name, x, ch) =>
    c.attentionLevels[level] ? transformer(name, x, ch) : x,
  )
  const skips = down.skips
  let h = midBlock(b, down.h, temb, channels[channels.length - 1]!, c, transformer)

  const reversedAttention = [...c.attentionLevels].reverse()
  h = upBlocks(b, h, skips, temb, channels, c.layersPerBlock + 1, c, (level, name, x, ch) => (reversedAttention[level] ? transformer(name, x, ch) : x))

  unetOutput(b, h, first, c.outChannels, c)
  return b.model(EXPORT_INFO)
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
