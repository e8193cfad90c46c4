// SDXL's two CLIP text encoders, tiny, as Optimum exports them with output_hidden_states:
// - text_encoder (CLIPTextModel, OpenAI CLIP-L style, quick_gelu): last_hidden_state, pooler_output, hidden_states.*;
// - text_encoder_2 (CLIPTextModelWithProjection, OpenCLIP bigG style, gelu): text_embeds (bias-free text_projection
//   of the EOS-pooled state), last_hidden_state, hidden_states.*.
// hidden_states.0 is the embedding output, hidden_states.i the output of layer i (before final_layer_norm).
// The 49408-row token embeddings are float16 initializers read through a Cast, as fp16 exports store them.

import { GraphBuilder, type InitializerStore } from '../../../src/models/onnx/builder.js'
import { makeTensor } from '../../../src/models/onnx/factories.js'
import { float32ArrayToFloat16 } from '../../../src/models/onnx/float16.js'
import { DataType, type OnnxModel } from '../../../src/models/onnx/types.js'
import { EXPORT_INFO } from '../export-info.js'
import { seededInit } from '../init.js'
import { TEXT_ENCODER, causalMask, encoderLayer, textEncoderConfigJson, type ClipActivation, type TextEncoderConfig } from '../text-encoder.js'

export interface SdxlTextEncoderConfig extends TextEncoderConfig {
  activation: ClipActivation
  /** text_projection output size (CLIPTextModelWithProjection only). */
  projectionDim?: number
}

/** CLIP-L's role, tiny: the SD1.5 tiny encoder's sizes. */
export const SDXL_TEXT_ENCODER: SdxlTextEncoderConfig = { ...TEXT_ENCODER, activation: 'quick_gelu' }

/** OpenCLIP bigG's role, tiny: wider, one more layer, gelu, and a text_projection to a different size. */
export const SDXL_TEXT_ENCODER_2: SdxlTextEncoderConfig = { ...TEXT_ENCODER, hiddenSize: 24, intermediateSize: 96, layers: 3, activation: 'gelu', projectionDim: 32 }

function float16Initializer(b: GraphBuilder, name: string, dims: readonly number[], values: Float32Array): string {
  const bits = float32ArrayToFloat16(values)
  b.graph.initializer.push(makeTensor({ name, dims: [...dims], dataType: DataType.FLOAT16, rawData: new Uint8Array(bits.buffer) }))
  return name
}

export function buildSdxlTextEncoder(c: SdxlTextEncoderConfig, seed: number, firstWeightId: number, store?: InitializerStore): OnnxModel {
  const init = seededInit(seed)
  const b = new GraphBuilder('main_graph', init, { firstWeightId, store })
  const L = c.maxPositions
  const d = c.hiddenSize
  const inputIds = b.input('input_ids', DataType.INT32, ['batch_size', L])
  const hiddenStates: string[] = []
  const lastHidden = b.scope('text_model', () => {
    const embeddings = b.scope('embeddings', () => {
      const tokens = b.scope('token_embedding', () => {
        // A streaming store (full-size twins) sets the dtype of every weight itself.
        const weight = store
          ? b.floatInitializer(b.paramName('weight'), [c.vocabSize, d], () => init('weight', [c.vocabSize, d], 1))
          : float16Initializer(b, b.paramName('weight'), [c.vocabSize, d], init('weight', [c.vocabSize, d], 1))
        return b.op('Gather', [b.op('Cast', [weight], { to: DataType.FLOAT }), inputIds])
      })
      const positionIds = b.int64Initializer(b.paramName('position_ids'), [1, L], BigInt64Array.from({ length: L }, (_, i) => BigInt(i)))
      const positions = b.scope('position_embedding', () => b.op('Gather', [b.param('weight', [L, d], 'weight', 1), positionIds]))
      return b.op('Add', [tokens, positions])
    })
    const mask = b.constantFloat(causalMask(L), [1, 1, L, L])
    let hidden = embeddings
    hiddenStates.push(hidden)
    b.scope('encoder', () => {
      for (let i = 0; i < c.layers; i++) {
        hidden = b.scope(`layers.${i}`, () => encoderLayer(b, hidden, mask, c, c.activation))
        hiddenStates.push(hidden)
      }
    })
    return b.layerNorm('final_layer_norm', hidden, d, c.eps)
  })
  // pooled = last_hidden_state[arange(B), input_ids.argmax(-1)] (CLIP's legacy EOS pooling, eos_token_id 2).
  const pooled = b.scope('text_model', () => {
    const eosIndex = b.op('ArgMax', [inputIds], { axis: -1, keepdims: 0 })
    const batch = b.op('Shape', [inputIds], { start: 0, end: 1 })
    const rows = b.op('Range', [b.constantInt64([0], []), b.op('Squeeze', [batch, b.constantInt64([0])]), b.constantInt64([1], [])])
    const flatIndex = b.op('Add', [b.op('Mul', [rows, b.constantInt64([L], [])]), eosIndex])
    return b.op('Gather', [b.op('Reshape', [lastHidden, b.constantInt64([-1, d])]), flatIndex], { axis: 0 })
  })
  if (c.projectionDim !== undefined) {
    const textEmbeds = b.linear('text_projection', pooled, d, c.projectionDim, { bias: false })
    b.output(textEmbeds, 'text_embeds', DataType.FLOAT, ['batch_size', c.projectionDim])
    b.output(lastHidden, 'last_hidden_state', DataType.FLOAT, ['batch_size', L, d])
  } else {
    b.output(lastHidden, 'last_hidden_state', DataType.FLOAT, ['batch_size', L, d])
    b.output(pooled, 'pooler_output', DataType.FLOAT, ['batch_size', d])
  }
  hiddenStates.forEach((h, i) => b.output(h, `hidden_states.${i}`, DataType.FLOAT, ['batch_size', L, d]))
  return b.model(EXPORT_INFO)
}

/** transformers' CLIPTextConfig for either encoder (text_encoder/ and text_encoder_2/ config.json). */
export function sdxlTextEncoderConfigJson(c: SdxlTextEncoderConfig): Record<string, unknown> {
  const base = textEncoderConfigJson(c)
  return {
    ...base,
    _name_or_path: 'hyper-sd-studio/tiny-sdxl',
    architectures: [c.projectionDim === undefined ? 'CLIPTextModel' : 'CLIPTextModelWithProjection'],
    hidden_act: c.activation,
    projection_dim: c.projectionDim ?? c.hiddenSize,
  }
}
