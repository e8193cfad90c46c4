// UNet2DConditionModel at any size, for the full-size twins: per-level attention, transformer depth
// (transformer_layers_per_block) and head count, 1x1-conv (SD1.5) or linear (SDXL) projections, and SDXL's
// text_time added condition when `sdxl` is set. Same torch-style names as the tiny builders it shares blocks with.

import { GraphBuilder, type InitializerStore } from '../../../src/models/onnx/builder.js'
import { DataType, type OnnxModel } from '../../../src/models/onnx/types.js'
import { EXPORT_INFO } from '../export-info.js'
import { seededInit } from '../init.js'
import { conditioningEmbedding } from '../sdxl/unet.js'
import { downBlocks, midBlock, spatialTransformer, timestepEmbedding, unetOutput, upBlocks, type UnetBlockConfig } from '../unet-blocks.js'

export interface FullUnetConfig extends UnetBlockConfig {
  inChannels: number
  outChannels: number
  blockOutChannels: number[]
  attentionLevels: boolean[]
  layersPerBlock: number
  /** transformer_layers_per_block per level (the mid block uses the deepest level's). */
  transformerDepth: number[]
  /** Heads per level (SD1.5: 8 everywhere; SDXL: channels / 64). */
  headsPerLevel: number[]
  linearProjection: boolean
  sampleSize: number
  sdxl?: { addTimeEmbedDim: number; textEmbedsDim: number }
}

export function buildFullUnet(c: FullUnetConfig, seed: number, store?: InitializerStore): OnnxModel {
  const b = new GraphBuilder('main_graph', seededInit(seed), { firstWeightId: 9000, store })
  const sample = b.input('sample', DataType.FLOAT, ['batch_size', c.inChannels, 'height', 'width'])
  const timestep = b.input('timestep', DataType.INT64, ['steps'])
  const context = b.input('encoder_hidden_states', DataType.FLOAT, ['batch_size', 'sequence_length', c.crossAttentionDim])
  const channels = c.blockOutChannels
  const first = channels[0]!
  const deepest = channels.length - 1
  let temb: string
  if (c.sdxl) {
    const textEmbeds = b.input('text_embeds', DataType.FLOAT, ['batch_size', c.sdxl.textEmbedsDim])
    const timeIds = b.input('time_ids', DataType.FLOAT, ['batch_size', 6])
    temb = conditioningEmbedding(b, { blockOutChannels: channels, timeEmbedDim: c.timeEmbedDim, ...c.sdxl }, { timestep, sample, textEmbeds, timeIds })
  } else {
    const tProj = timestepEmbedding(b, timestep, sample, first)
    temb = b.scope('time_embedding', () => {
      const linear1 = b.gemm('linear_1', tProj, first, c.timeEmbedDim)
      return b.gemm('linear_2', b.scope('act', () => b.silu(linear1)), c.timeEmbedDim, c.timeEmbedDim)
    })
  }
  const transformer = (level: number) => (name: string, x: string, ch: number) =>
    spatialTransformer(b, name, x, context, ch, { ...c, heads: c.headsPerLevel[level]! }, { linearProjection: c.linearProjection, depth: c.transformerDepth[level]! })
  const down = downBlocks(b, b.conv('conv_in', sample, c.inChannels, first, { kernel: 3, padding: 1 }), temb, channels, c.layersPerBlock, c, (level, name, x, ch) =>
    c.attentionLevels[level] ? transformer(level)(name, x, ch) : x,
  )
  let h = midBlock(b, down.h, temb, channels[deepest]!, c, transformer(deepest))
  h = upBlocks(b, h, down.skips, temb, channels, c.layersPerBlock + 1, c, (upLevel, name, x, ch) => {
    const level = deepest - upLevel
    return c.attentionLevels[level] ? transformer(level)(name, x, ch) : x
  })
  unetOutput(b, h, first, c.outChannels, c)
  return b.model(EXPORT_INFO)
}
