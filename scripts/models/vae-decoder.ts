// Tiny AutoencoderKL decoder (SD1.5 architecture: post_quant_conv, decoder.conv_in, mid_block resnets, 4 up blocks
// with nearest x2 upsampling, conv_norm_out, conv_out), exported torch-style.
//
// So that decoded latents look like pictures rather than noise, 8 "carrier" channels hold +z and -z (the latent)
// through the whole decoder: resnets add nothing to them (their conv2 rows are zero), upsampler convs blur them, and
// conv_out maps silu(n) - silu(-n) = n (n = GroupNorm of the latent) to RGB with the widely used SD1.5
// latent-to-RGB approximation. All other channels are ordinary seeded random features.

import { GraphBuilder, type ParamInit, type InitializerStore } from '../../src/models/onnx/builder.js'
import { DataType, type OnnxModel } from '../../src/models/onnx/types.js'
import { EXPORT_INFO } from './export-info.js'
import { seededInit } from './init.js'
import { scaledDotProductAttention } from './attention.js'
import { upsample } from './unet-blocks.js'

export interface VaeDecoderConfig {
  latentChannels: number
  /** AutoencoderKL block_out_channels (encoder order; the decoder walks them reversed). */
  blockOutChannels: number[]
  layersPerBlock: number
  groups: number
  scalingFactor: number
  sampleSize: number
  /** mid_block.attentions.0 (real SD/SDXL VAEs have it; the tiny one leaves it out). */
  midAttention?: boolean
}

export const VAE_DECODER: VaeDecoderConfig = {
  latentChannels: 4,
  blockOutChannels: [8, 8, 16, 16],
  layersPerBlock: 1,
  groups: 4,
  scalingFactor: 0.18215,
  sampleSize: 512,
}

/** SD1.5 latent -> RGB factors (rows: latent channel; columns: R, G, B), as used for live previews. */
const LATENT_RGB = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
]
const CARRIERS = 8
const EPS = 1e-6
const BLUR = [1, 2, 1].flatMap((a) => [1, 2, 1].map((b) => (a * b) / 16))

/** Random conv weights whose carrier output rows are replaced by `carrierRow(out, in, kernelIndex)`. */
function convWeights(init: ParamInit, outC: number, inC: number, k: number, carrierRow: (o: number, i: number, tap: number) => number) {
  const weight = init('weight', [outC, inC, k, k], inC * k * k)
  const biasValues = init('bias', [outC], inC * k * k)
  for (let o = 0; o < Math.min(CARRIERS, outC); o++) {
    for (let i = 0; i < inC; i++) for (let tap = 0; tap < k * k; tap++) weight[(o * inC + i) * k * k + tap] = carrierRow(o, i, tap)
    biasValues[o] = 0
  }
  return { weight, biasValues }
}

const center = (k: number) => (k * k - 1) / 2

function resnet(b: GraphBuilder, init: ParamInit, name: string, x: string, inC: number, outC: number, groups: number): string {
  return b.scope(name, () => {
    const act = (t: string) => b.scope('nonlinearity', () => b.silu(t))
    let h = b.conv('conv1', act(b.groupNorm('norm1', x, inC, groups, EPS)), inC, outC, { kernel: 3, padding: 1 })
    const zeroCarriers = convWeights(init, outC, outC, 3, () => 0)
    h = b.conv('conv2', act(b.groupNorm('norm2', h, outC, groups, EPS)), outC, outC, { kernel: 3, padding: 1, ...zeroCarriers })
    const shortcut =
      inC === outC
        ? x
        : b.conv('conv_shortcut', x, inC, outC, { kernel: 1, ...convWeights(init, outC, inC, 1, (o, i) => (o === i ? 1 : 0)) })
    return b.op('Add', [shortcut, h])
  })
}

/** The mid-block self-attention (one head, linear q/k/v/out on tokens); carriers pass through untouched. */
function midAttention(b: GraphBuilder, init: ParamInit, x: string, channels: number, groups: number): string {
  return b.scope('attentions.0', () => {
    const normed = b.groupNorm('group_norm', x, channels, groups, EPS)
    const tokens = b.op('Transpose', [b.op('Reshape', [normed, b.constantInt64([0, channels, -1])])], { perm: [0, 2, 1] })
    const project = (name: string, t: string, weight?: Float32Array, biasValues?: Float32Array) => b.linear(name, t, channels, channels, { weight, biasValues })
    const q = project('to_q', tokens)
    const k = project('to_k', tokens)
    const v = project('to_v', tokens)
    const merged = scaledDotProductAttention(b, { query: q, key: k, value: v, heads: 1, headDim: channels })
    const out = convWeights(init, channels, channels, 1, () => 0)
    const projected = project('to_out.0', merged, out.weight, out.biasValues)
    const spatial = b.op('Reshape', [b.op('Transpose', [projected], { perm: [0, 2, 1] }), b.op('Shape', [x])])
    return b.op('Add', [spatial, x])
  })
}

function blurredUpsample(b: GraphBuilder, init: ParamInit, x: string, channels: number): string {
  return upsample(b, x, channels, convWeights(init, channels, channels, 3, (o, i, tap) => (o === i ? BLUR[tap]! : 0)))
}

export function buildVaeDecoder(c: VaeDecoderConfig = VAE_DECODER, seed = 3, store?: InitializerStore): OnnxModel {
  const init = seededInit(seed)
  const b = new GraphBuilder('main_graph', init, { firstWeightId: 600, store })
  const z = c.latentChannels
  const latent = b.input('latent_sample', DataType.FLOAT, ['batch_size', z, 'height', 'width'])
  const identity = new Float32Array(z * z).map((_, i) => (i % (z + 1) === 0 ? 1 : 0))
  const quant = b.conv('post_quant_conv', latent, z, z, { kernel: 1, weight: identity, biasValues: new Float32Array(z) })
  const decoderChannels = [...c.blockOutChannels].reverse()
  const top = decoderChannels[0]!
  const last = decoderChannels[decoderChannels.length - 1]!
  const image = b.scope('decoder', () => {
    const carry = (o: number, i: number, tap: number) => (tap === center(3) && o % z === i ? (o < z ? 1 : -1) : 0)
    let h = b.conv('conv_in', quant, z, top, { kernel: 3, padding: 1, ...convWeights(init, top, z, 3, carry) })
    b.scope('mid_block', () => {
      h = resnet(b, init, 'resnets.0', h, top, top, c.groups)
      if (c.midAttention) h = midAttention(b, init, h, top, c.groups)
      h = resnet(b, init, 'resnets.1', h, top, top, c.groups)
    })
    let prevC = top
    decoderChannels.forEach((outC, level) => {
      b.scope(`up_blocks.${level}`, () => {
        for (let i = 0; i <= c.layersPerBlock; i++) {
          h = resnet(b, init, `resnets.${i}`, h, prevC, outC, c.groups)
          prevC = outC
        }
        if (level < decoderChannels.length - 1) h = blurredUpsample(b, init, h, outC)
      })
    })
    const normed = b.groupNorm('conv_norm_out', h, last, c.groups, EPS)
    const act = b.scope('conv_act', () => b.silu(normed))
    // RGB = 0.5 * F^T (silu(+n) - silu(-n)); the 0.5 keeps typical values inside [-1, 1].
    const toRgb = (o: number, i: number, tap: number) =>
      tap === center(3) && i < CARRIERS ? 0.5 * (i < z ? 1 : -1) * LATENT_RGB[i % z]![o]! : 0
    const rgb = new Float32Array(3 * last * 9).map((_, idx) => toRgb(Math.floor(idx / (last * 9)), Math.floor(idx / 9) % last, idx % 9))
    return b.conv('conv_out', act, last, 3, { kernel: 3, padding: 1, weight: rgb, biasValues: new Float32Array(3) })
  })
  b.output(image, 'sample', DataType.FLOAT, ['batch_size', 3, 'height', 'width'])
  return b.model(EXPORT_INFO)
}

/** diffusers' AutoencoderKL config (vae_decoder/config.json). */
export function vaeDecoderConfigJson(c: VaeDecoderConfig = VAE_DECODER): Record<string, unknown> {
  return {
    _class_name: 'AutoencoderKL',
    _diffusers_version: '0.27.2',
    act_fn: 'silu',
    block_out_channels: c.blockOutChannels,
    down_block_types: c.blockOutChannels.map(() => 'DownEncoderBlock2D'),
    in_channels: 3,
    latent_channels: c.latentChannels,
    layers_per_block: c.layersPerBlock,
    mid_block_add_attention: c.midAttention ?? false,
    norm_num_groups: c.groups,
    out_channels: 3,
    sample_size: c.sampleSize,
    scaling_factor: c.scalingFactor,
    up_block_types: c.blockOutChannels.map(() => 'UpDecoderBlock2D'),
  }
}
