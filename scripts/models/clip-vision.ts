// Tiny CLIPVisionModelWithProjection in the layout Optimum exports it (folder with model.onnx, config.json,
// preprocessor_config.json), so the reward node runs the same code on it as on a real CLIP ViT-L/14 export:
//   pixel_values [B, 3, 224, 224] -> patch Conv (32x32, stride 32, no bias) -> 7x7 patches + class token
//   -> + position embeddings -> pre_layrnorm -> 1 encoder layer -> last_hidden_state
//   -> token 0 -> post_layernorm -> visual_projection (no bias, MatMul) -> image_embeds [B, 768]
// Parameter names follow torch.onnx.export of transformers' module (including its "pre_layrnorm" spelling).

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GraphBuilder } from '../../src/models/onnx/builder.js'
import { encodeModel } from '../../src/models/onnx/codec.js'
import { DataType, type OnnxModel } from '../../src/models/onnx/types.js'
import { EXPORT_INFO } from './export-info.js'
import { seededInit } from './init.js'
import { jsonFile } from './pipeline-files.js'
import { encoderLayer } from './text-encoder.js'

export interface ClipVisionConfig {
  imageSize: number
  patchSize: number
  hiddenSize: number
  intermediateSize: number
  layers: number
  heads: number
  /** ViT-L/14's projection width, which the LAION aesthetic head expects. */
  projectionDim: number
  eps: number
}

export const TINY_CLIP_VISION: ClipVisionConfig = {
  imageSize: 224,
  patchSize: 32,
  hiddenSize: 32,
  intermediateSize: 64,
  layers: 1,
  heads: 2,
  projectionDim: 768,
  eps: 1e-5,
}

export const TINY_CLIP_VISION_FILES = ['config.json', 'preprocessor_config.json', 'model.onnx'] as const

function embeddings(b: GraphBuilder, pixels: string, c: ClipVisionConfig): string {
  const d = c.hiddenSize
  const positions = (c.imageSize / c.patchSize) ** 2 + 1
  return b.scope('embeddings', () => {
    const patches = b.conv('patch_embedding', pixels, 3, d, { kernel: c.patchSize, stride: c.patchSize, bias: false })
    // flatten(2).transpose(1, 2): [B, D, h, w] -> [B, h*w, D]
    const tokens = b.op('Transpose', [b.op('Reshape', [patches, b.constantInt64([0, 0, -1])])], { perm: [0, 2, 1] })
    // class_embedding.expand(B, 1, -1)
    const classEmbedding = b.param('class_embedding', [d], 'weight', d)
    const batch = b.op('Shape', [pixels], { start: 0, end: 1 })
    const classTokens = b.op('Expand', [classEmbedding, b.op('Concat', [batch, b.constantInt64([1, 1])], { axis: 0 })])
    const joined = b.op('Concat', [classTokens, tokens], { axis: 1 })
    const positionIds = b.int64Initializer(b.paramName('position_ids'), [1, positions], BigInt64Array.from({ length: positions }, (_, i) => BigInt(i)))
    const positionEmbeds = b.scope('position_embedding', () => b.op('Gather', [b.param('weight', [positions, d], 'weight', 1), positionIds]))
    return b.op('Add', [joined, positionEmbeds])
  })
}

export function buildClipVision(c: ClipVisionConfig = TINY_CLIP_VISION, seed = 7): OnnxModel {
  if (c.imageSize % c.patchSize !== 0) throw new Error(`image size ${c.imageSize} is not a multiple of patch size ${c.patchSize}`)
  const b = new GraphBuilder('main_graph', seededInit(seed), { firstWeightId: 900 })
  const pixels = b.input('pixel_values', DataType.FLOAT, ['batch_size', 'num_channels', 'height', 'width'])
  const { lastHidden, pooled } = b.scope('vision_model', () => {
    let hidden = b.layerNorm('pre_layrnorm', embeddings(b, pixels, c), c.hiddenSize, c.eps)
    b.scope('encoder', () => {
      for (let i = 0; i < c.layers; i++) hidden = b.scope(`layers.${i}`, () => encoderLayer(b, hidden, undefined, c))
    })
    // last_hidden_state[:, 0, :] -> post_layernorm
    const classToken = b.op('Gather', [hidden, b.constantInt64([0], [])], { axis: 1 })
    return { lastHidden: hidden, pooled: b.layerNorm('post_layernorm', classToken, c.hiddenSize, c.eps) }
  })
  const imageEmbeds = b.linear('visual_projection', pooled, c.hiddenSize, c.projectionDim, { bias: false })
  const tokens = (c.imageSize / c.patchSize) ** 2 + 1
  b.output(imageEmbeds, 'image_embeds', DataType.FLOAT, ['batch_size', c.projectionDim])
  b.output(lastHidden, 'last_hidden_state', DataType.FLOAT, ['batch_size', tokens, c.hiddenSize])
  return b.model(EXPORT_INFO)
}

/** transformers' CLIPVisionConfig as CLIPVisionModelWithProjection.save_pretrained writes it. */
export function clipVisionConfigJson(c: ClipVisionConfig = TINY_CLIP_VISION): Record<string, unknown> {
  return {
    _name_or_path: 'hyper-sd-studio/tiny-clip-vision',
    architectures: ['CLIPVisionModelWithProjection'],
    attention_dropout: 0.0,
    dropout: 0.0,
    hidden_act: 'quick_gelu',
    hidden_size: c.hiddenSize,
    image_size: c.imageSize,
    initializer_factor: 1.0,
    initializer_range: 0.02,
    intermediate_size: c.intermediateSize,
    layer_norm_eps: c.eps,
    model_type: 'clip_vision_model',
    num_attention_heads: c.heads,
    num_channels: 3,
    num_hidden_layers: c.layers,
    patch_size: c.patchSize,
    projection_dim: c.projectionDim,
    torch_dtype: 'float32',
    transformers_version: '4.40.0',
  }
}

/** CLIPImageProcessor's preprocessor_config.json for openai/clip-vit-large-patch14, as transformers 4.40 saves it. */
export const CLIP_PREPROCESSOR_CONFIG = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: 'CLIPImageProcessor',
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 0.00392156862745098,
  size: { shortest_edge: 224 },
}

export async function generateTinyClipVision(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true })
  await writeFile(join(outDir, 'config.json'), jsonFile(clipVisionConfigJson()))
  await writeFile(join(outDir, 'preprocessor_config.json'), jsonFile(CLIP_PREPROCESSOR_CONFIG))
  await writeFile(join(outDir, 'model.onnx'), encodeModel(buildClipVision()))
}
