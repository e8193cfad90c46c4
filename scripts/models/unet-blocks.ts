// Building blocks of diffusers' UNet2DConditionModel, traced torch-style: ResnetBlock2D, Transformer2DModel
// (1x1 Conv or, with use_linear_projection, Linear proj_in/proj_out; transformer_layers_per_block BasicTransformerBlocks),
// Downsample2D, Upsample2D.

import type { GraphBuilder } from '../../src/models/onnx/builder.js'
import { DataType } from '../../src/models/onnx/types.js'
import { scaledDotProductAttention } from './attention.js'

export interface UnetBlockConfig {
  groups: number
  resnetEps: number
  timeEmbedDim: number
  heads: number
  crossAttentionDim: number
}

/** ResnetBlock2D: norm1 -> SiLU -> conv1 (+ time_emb_proj(SiLU(temb))) -> norm2 -> SiLU -> conv2, + (shortcut) x. */
export function resnetBlock(b: GraphBuilder, name: string, x: string, temb: string, inC: number, outC: number, c: UnetBlockConfig): string {
  return b.scope(name, () => {
    const act = (t: string) => b.scope('nonlinearity', () => b.silu(t))
    let h = b.conv('conv1', act(b.groupNorm('norm1', x, inC, c.groups, c.resnetEps)), inC, outC, { kernel: 3, padding: 1 })
    const t = b.gemm('time_emb_proj', act(temb), c.timeEmbedDim, outC)
    h = b.op('Add', [h, b.op('Unsqueeze', [t, b.constantInt64([2, 3])])])
    h = b.conv('conv2', act(b.groupNorm('norm2', h, outC, c.groups, c.resnetEps)), outC, outC, { kernel: 3, padding: 1 })
    const shortcut = inC === outC ? x : b.conv('conv_shortcut', x, inC, outC, { kernel: 1 })
    return b.op('Add', [shortcut, h])
  })
}

function attention(b: GraphBuilder, name: string, x: string, context: string, dim: number, contextDim: number, heads: number): string {
  return b.scope(name, () => {
    const query = b.linear('to_q', x, dim, dim, { bias: false })
    const key = b.linear('to_k', context, contextDim, dim, { bias: false })
    const value = b.linear('to_v', context, contextDim, dim, { bias: false })
    const merged = scaledDotProductAttention(b, { query, key, value, heads, headDim: dim / heads })
    return b.linear('to_out.0', merged, dim, dim)
  })
}

/** GEGLU (ff.net.0): proj to 2*inner, split, hidden * gelu(gate); gelu as 0.5 x (1 + erf(x / sqrt 2)) (opset 17). */
function geglu(b: GraphBuilder, x: string, dim: number, inner: number): string {
  return b.scope('net.0', () => {
    const projected = b.linear('proj', x, dim, inner * 2)
    const [hidden, gate] = b.opN('Split', [projected, b.constantInt64([inner, inner])], 2, { axis: -1 }) as [string, string]
    const erf = b.op('Erf', [b.op('Div', [gate, b.constantFloat([Math.SQRT2])])])
    const gelu = b.op('Mul', [b.op('Mul', [gate, b.op('Add', [erf, b.constantFloat([1])])]), b.constantFloat([0.5])])
    return b.op('Mul', [hidden, gelu])
  })
}

/** BasicTransformerBlock: self-attention, cross-attention on encoder_hidden_states, GEGLU feed-forward. */
function transformerBlock(b: GraphBuilder, x: string, context: string, dim: number, c: UnetBlockConfig, index: number): string {
  return b.scope(`transformer_blocks.${index}`, () => {
    const n1 = b.layerNorm('norm1', x, dim)
    let h = b.op('Add', [attention(b, 'attn1', n1, n1, dim, dim, c.heads), x])
    h = b.op('Add', [attention(b, 'attn2', b.layerNorm('norm2', h, dim), context, dim, c.crossAttentionDim, c.heads), h])
    const n3 = b.layerNorm('norm3', h, dim)
    const ff = b.scope('ff', () => b.linear('net.2', geglu(b, n3, dim, dim * 4), dim * 4, dim))
    return b.op('Add', [ff, h])
  })
}

/**
 * Transformer2DModel: GroupNorm(eps 1e-6) -> 1x1 proj_in -> [B, HW, C] -> transformer block -> back -> proj_out, + x.
 * With `linearProjection` (use_linear_projection, SD2/SDXL) proj_in/proj_out are Linear layers on the tokens.
 */
export function spatialTransformer(
  b: GraphBuilder,
  name: string,
  x: string,
  context: string,
  channels: number,
  c: UnetBlockConfig,
  options: { linearProjection?: boolean; depth?: number } = {},
): string {
  const depth = options.depth ?? 1
  if (options.linearProjection) return linearSpatialTransformer(b, name, x, context, channels, c, depth)
  return b.scope(name, () => {
    const projected = b.conv('proj_in', b.groupNorm('norm', x, channels, c.groups, 1e-6), channels, channels, { kernel: 1 })
    const nhwc = b.op('Transpose', [projected], { perm: [0, 2, 3, 1] })
    const tokens = b.op('Reshape', [nhwc, b.constantInt64([0, -1, channels])])
    const out = transformerBlocks(b, tokens, context, channels, c, depth)
    const spatial = b.op('Transpose', [b.op('Reshape', [out, b.op('Shape', [nhwc])])], { perm: [0, 3, 1, 2] })
    return b.op('Add', [b.conv('proj_out', spatial, channels, channels, { kernel: 1 }), x])
  })
}

/** transformer_layers_per_block blocks in sequence (SDXL: 2 and 10 at its deeper levels). */
function transformerBlocks(b: GraphBuilder, tokens: string, context: string, channels: number, c: UnetBlockConfig, depth: number): string {
  let h = tokens
  for (let i = 0; i < depth; i++) h = transformerBlock(b, h, context, channels, c, i)
  return h
}

function linearSpatialTransformer(b: GraphBuilder, name: string, x: string, context: string, channels: number, c: UnetBlockConfig, depth: number): string {
  return b.scope(name, () => {
    const nhwc = b.op('Transpose', [b.groupNorm('norm', x, channels, c.groups, 1e-6)], { perm: [0, 2, 3, 1] })
    const tokens = b.linear('proj_in', b.op('Reshape', [nhwc, b.constantInt64([0, -1, channels])]), channels, channels)
    const out = b.linear('proj_out', transformerBlocks(b, tokens, context, channels, c, depth), channels, channels)
    const spatial = b.op('Transpose', [b.op('Reshape', [out, b.op('Shape', [nhwc])])], { perm: [0, 3, 1, 2] })
    return b.op('Add', [spatial, x])
  })
}

/** An up-path resnet: concatenates the matching down-path activation (the last one in `skips`, removed) first. */
export function skipResnet(
  b: GraphBuilder,
  name: string,
  x: string,
  skips: { name: string; channels: number }[],
  temb: string,
  inC: number,
  outC: number,
  c: UnetBlockConfig,
): string {
  const skip = skips.pop()!
  const cat = b.op('Concat', [x, skip.name], { axis: 1 })
  return resnetBlock(b, name, cat, temb, inC + skip.channels, outC, c)
}

/** `attention(level, "attentions.i", x, channels)`: a level's transformer, or x unchanged for a level without. */
export type LevelAttention = (level: number, name: string, x: string, channels: number) => string

/**
 * The encoder half after conv_in: down_blocks.0.. with `resnetsPerLevel` resnets (each followed by `attention`) and a
 * downsampler on all but the deepest level. Returns the output and the skip activations the up path concatenates.
 */
export function downBlocks(
  b: GraphBuilder,
  x: string,
  temb: string,
  channels: readonly number[],
  resnetsPerLevel: number,
  c: UnetBlockConfig,
  attention: LevelAttention,
): { h: string; skips: { name: string; channels: number }[] } {
  const first = channels[0]!
  let h = x
  const skips: { name: string; channels: number }[] = [{ name: h, channels: first }]
  channels.forEach((outC, level) => {
    b.scope(`down_blocks.${level}`, () => {
      for (let i = 0; i < resnetsPerLevel; i++) {
        h = resnetBlock(b, `resnets.${i}`, h, temb, i === 0 ? (channels[level - 1] ?? first) : outC, outC, c)
        h = attention(level, `attentions.${i}`, h, outC)
        skips.push({ name: h, channels: outC })
      }
      if (level < channels.length - 1) {
        h = downsample(b, h, outC)
        skips.push({ name: h, channels: outC })
      }
    })
  })
  return { h, skips }
}

/** mid_block: resnet, transformer, resnet at the deepest width. */
export function midBlock(b: GraphBuilder, x: string, temb: string, channels: number, c: UnetBlockConfig, transformer: (name: string, x: string, channels: number) => string): string {
  return b.scope('mid_block', () => {
    let h = resnetBlock(b, 'resnets.0', x, temb, channels, channels, c)
    h = transformer('attentions.0', h, channels)
    return resnetBlock(b, 'resnets.1', h, temb, channels, channels, c)
  })
}

/**
 * The decoder half: up_blocks.0 (deepest) to the top, each with `resnetsPerLevel` skip resnets (layers_per_block + 1),
 * `attention(level, "attentions.i", x, channels)` after each (return x unchanged for a level without), and an
 * upsampler on all but the last level.
 */
export function upBlocks(
  b: GraphBuilder,
  x: string,
  skips: { name: string; channels: number }[],
  temb: string,
  channels: readonly number[],
  resnetsPerLevel: number,
  c: UnetBlockConfig,
  attention: LevelAttention,
): string {
  const reversed = [...channels].reverse()
  let h = x
  let prevC = reversed[0]!
  reversed.forEach((outC, level) => {
    b.scope(`up_blocks.${level}`, () => {
      for (let i = 0; i < resnetsPerLevel; i++) {
        h = attention(level, `attentions.${i}`, skipResnet(b, `resnets.${i}`, h, skips, temb, prevC, outC, c), outC)
        prevC = outC
      }
      if (level < reversed.length - 1) h = upsample(b, h, outC)
    })
  })
  return h
}

/** conv_norm_out -> SiLU -> conv_out, declared as the graph output out_sample [B, outC, h, w]. */
export function unetOutput(b: GraphBuilder, x: string, channels: number, outChannels: number, c: UnetBlockConfig): void {
  const normed = b.groupNorm('conv_norm_out', x, channels, c.groups, c.resnetEps)
  const act = b.scope('conv_act', () => b.silu(normed))
  const out = b.conv('conv_out', act, channels, outChannels, { kernel: 3, padding: 1 })
  b.output(out, 'out_sample', DataType.FLOAT, ['batch_size', outChannels, 'height', 'width'])
}

export function downsample(b: GraphBuilder, x: string, channels: number): string {
  return b.scope('downsamplers.0', () => b.conv('conv', x, channels, channels, { kernel: 3, stride: 2, padding: 1 }))
}

/** Nearest-neighbour x2 (Resize, as F.interpolate exports) followed by a 3x3 conv. */
export function upsample(b: GraphBuilder, x: string, channels: number, conv?: { weight: Float32Array; biasValues: Float32Array }): string {
  return b.scope('upsamplers.0', () => {
    const up = b.op('Resize', [x, '', b.constantFloat([1, 1, 2, 2], [4])], {
      coordinate_transformation_mode: 'asymmetric',
      cubic_coeff_a: -0.75,
      mode: 'nearest',
      nearest_mode: 'floor',
    })
    return b.conv('conv', up, channels, channels, { kernel: 3, padding: 1, ...conv })
  })
}

