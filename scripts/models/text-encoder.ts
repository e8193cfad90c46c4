// Tiny CLIPTextModel (SD1.5's text encoder architecture) as a torch.onnx-style graph:
// embeddings (all 49408 token rows + 77 positions) -> N pre-LN transformer layers with a causal mask and quick_gelu
// MLP -> final_layer_norm. Outputs last_hidden_state and pooler_output (the hidden state at argmax(input_ids), the
// EOS position, as CLIP pools).

import { GraphBuilder, type InitializerStore } from '../../src/models/onnx/builder.js'
import { DataType, type OnnxModel } from '../../src/models/onnx/types.js'
import { scaledDotProductAttention } from './attention.js'
import { seededInit } from './init.js'
import { EXPORT_INFO } from './export-info.js'

export interface TextEncoderConfig {
  vocabSize: number
  maxPositions: number
  hiddenSize: number
  intermediateSize: number
  layers: number
  heads: number
  eps: number
}

export const TEXT_ENCODER: TextEncoderConfig = {
  vocabSize: 49408,
  maxPositions: 77,
  hiddenSize: 16,
  intermediateSize: 64,
  layers: 2,
  heads: 2,
  eps: 1e-5,
}

export function causalMask(length: number): Float32Array {
  const mask = new Float32Array(length * length)
  // CLIP fills the upper triangle with torch.finfo(float32).min (not -inf), so fully masked rows stay finite.
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) mask[i * length + j] = -3.4028234663852886e38
  return mask
}

/** quick_gelu(x) = x * sigmoid(1.702 x) (OpenAI CLIP); gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) (OpenCLIP bigG, opset 17). */
export type ClipActivation = 'quick_gelu' | 'gelu'

function activation(b: GraphBuilder, x: string, kind: ClipActivation): string {
  if (kind === 'quick_gelu') return b.op('Mul', [x, b.op('Sigmoid', [b.op('Mul', [x, b.constantFloat([1.702])])])])
  const erf = b.op('Erf', [b.op('Div', [x, b.constantFloat([Math.SQRT2])])])
  return b.op('Mul', [b.op('Mul', [x, b.op('Add', [erf, b.constantFloat([1])])]), b.constantFloat([0.5])])
}

/** One pre-LN CLIP encoder layer (text and vision towers share it; the vision tower has no mask). */
export function encoderLayer(
  b: GraphBuilder,
  x: string,
  mask: string | undefined,
  c: Pick<TextEncoderConfig, 'hiddenSize' | 'intermediateSize' | 'heads' | 'eps'>,
  act: ClipActivation = 'quick_gelu',
): string {
  const d = c.hiddenSize
  const normed = b.layerNorm('layer_norm1', x, d, c.eps)
  const attnOut = b.scope('self_attn', () => {
    const query = b.linear('q_proj', normed, d, d)
    const key = b.linear('k_proj', normed, d, d)
    const value = b.linear('v_proj', normed, d, d)
    const heads = scaledDotProductAttention(b, { query, key, value, heads: c.heads, headDim: d / c.heads, mask, scaleQuery: true })
    return b.linear('out_proj', heads, d, d)
  })
  const afterAttn = b.op('Add', [x, attnOut])
  const normed2 = b.layerNorm('layer_norm2', afterAttn, d, c.eps)
  const mlpOut = b.scope('mlp', () => {
    const fc1 = b.linear('fc1', normed2, d, c.intermediateSize)
    const activated = b.scope('activation_fn', () => activation(b, fc1, act))
    return b.linear('fc2', activated, c.intermediateSize, d)
  })
  return b.op('Add', [afterAttn, mlpOut])
}

export function buildTextEncoder(c: TextEncoderConfig = TEXT_ENCODER, seed = 1, store?: InitializerStore): OnnxModel {
  const b = new GraphBuilder('main_graph', seededInit(seed), { firstWeightId: 1700, store })
  const L = c.maxPositions
  const inputIds = b.input('input_ids', DataType.INT32, ['batch_size', L])
  const lastHidden = b.scope('text_model', () => {
    const embeddings = b.scope('embeddings', () => {
      const tokens = b.scope('token_embedding', () => {
        const weight = b.param('weight', [c.vocabSize, c.hiddenSize], 'weight', 1, undefined)
        return b.op('Gather', [weight, inputIds])
      })
      const positionIds = b.int64Initializer(b.paramName('position_ids'), [1, L], BigInt64Array.from({ length: L }, (_, i) => BigInt(i)))
      const positions = b.scope('position_embedding', () => {
        const weight = b.param('weight', [L, c.hiddenSize], 'weight', 1, undefined)
        return b.op('Gather', [weight, positionIds])
      })
      return b.op('Add', [tokens, positions])
    })
    const mask = b.constantFloat(causalMask(L), [1, 1, L, L])
    let hidden = embeddings
    b.scope('encoder', () => {
      for (let i = 0; i < c.layers; i++) hidden = b.scope(`layers.${i}`, () => encoderLayer(b, hidden, mask, c))
    })
    return b.layerNorm('final_layer_norm', hidden, c.hiddenSize, c.eps)
  })
  // pooled = last_hidden_state[arange(B), input_ids.argmax(-1)], flattened to one Gather.
  const pooled = b.scope('text_model', () => {
    const eosIndex = b.op('ArgMax', [inputIds], { axis: -1, keepdims: 0 })
    const batch = b.op('Shape', [inputIds], { start: 0, end: 1 })
    const rows = b.op('Range', [b.constantInt64([0], []), b.op('Squeeze', [batch, b.constantInt64([0])]), b.constantInt64([1], [])])
    const flatIndex = b.op('Add', [b.op('Mul', [rows, b.constantInt64([L], [])]), eosIndex])
    const flat = b.op('Reshape', [lastHidden, b.constantInt64([-1, c.hiddenSize])])
    return b.op('Gather', [flat, flatIndex], { axis: 0 })
  })
  b.output(lastHidden, 'last_hidden_state', DataType.FLOAT, ['batch_size', L, c.hiddenSize])
  b.output(pooled, 'pooler_output', DataType.FLOAT, ['batch_size', c.hiddenSize])
  return b.model(EXPORT_INFO)
}

/** transformers' CLIPTextConfig for the tiny encoder (text_encoder/config.json). */
export function textEncoderConfigJson(c: TextEncoderConfig = TEXT_ENCODER): Record<string, unknown> {
  return {
    _name_or_path: 'hyper-sd-studio/tiny-sd15',
    architectures: ['CLIPTextModel'],
    attention_dropout: 0.0,
    bos_token_id: 0,
    dropout: 0.0,
    eos_token_id: 2,
    hidden_act: 'quick_gelu',
    hidden_size: c.hiddenSize,
    initializer_factor: 1.0,
    initializer_range: 0.02,
    intermediate_size: c.intermediateSize,
    layer_norm_eps: c.eps,
    max_position_embeddings: c.maxPositions,
    model_type: 'clip_text_model',
    num_attention_heads: c.heads,
    num_hidden_layers: c.layers,
    pad_token_id: 1,
    projection_dim: c.hiddenSize,
    torch_dtype: 'float32',
    transformers_version: '4.40.0',
    vocab_size: c.vocabSize,
  }
}
