// UNet2DConditionModel at any size, for the full-size twins: per-level attention, transformer depth
// (transformer_layers_per_block) and head count, 1x1-conv (SD1.5) or linear (SDXL) projections, and SDXL's
// text_time added condition when `sdxl` is set. Same torch-style names as the tiny builders it shares blocks with.

import { GraphBuilder, type InitializerStore } from '../../../src/models/onnx/builder.js'
import { DataType, type OnnxModel } from '../../../src/models/onnx/types.js'
import { EXPORT_INFO } from '../export-info.js'
import { seededInit } from '../init.js'
import { addedConditionEmbedding, timeEmbedding, type AddedConditionConfig } from '../time-embedding.js'
import { downBlocks, midBlock, spatialTransformer, unetOutput, upBlocks, type UnetBlockConfig } from '../unet-blocks.js'

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
  sdxl?: AddedConditionConfig
}

export function buildFullUnet(c: FullUnetConfig, seed: number, options: { store?: InitializerStore; firstWeightId?: number } = {}): OnnxModel {
  const b = new GraphBuilder('main_graph', seededInit(seed), { firstWeightId: options.firstWeightId ?? 9000, store: options.store })
  const sample = b.input('sample', DataType.FLOAT, ['batch_size', c.inChannels, 'height', 'width'])
  const timestep = b.input('timestep', DataType.INT64, ['steps'])
  const context = b.input('encoder_hidden_states', DataType.FLOAT, ['batch_size', 'sequence_length', c.crossAttentionDim])
  const channels = c.blockOutChannels
  const first = channels[0]!
  const deepest = channels.length - 1
  const added = c.sdxl && {
    textEmbeds: b.input('text_embeds', DataType.FLOAT, ['batch_size', c.sdxl.textEmbedsDim]),
    timeIds: b.input('time_ids', DataType.FLOAT, ['batch_size', 6]),
  }
  let temb = timeEmbedding(b, timestep, sample, first, c.timeEmbedDim)
  if (c.sdxl && added) temb = b.op('Add', [temb, addedConditionEmbedding(b, c.sdxl, c.timeEmbedDim, added)])
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
