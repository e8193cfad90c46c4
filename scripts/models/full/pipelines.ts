// `npm run models -- --full sd15|sdxl [--fp32]`: random-weight pipelines with SD1.5's and SDXL's real dimensions,
// Optimum's folder layout and tensor names, written to the git-ignored .models/full-<name>/ with every weight
// streamed to disk (StreamingStore). fp16 by default, as the exports people download are.

import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { OnnxModel } from '../../../src/models/onnx/types.js'
import { MODEL_INDEX, SCHEDULER_CONFIG, SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG, jsonFile } from '../pipeline-files.js'
import { SDXL_MODEL_INDEX, SDXL_SCHEDULER_CONFIG, SPECIAL_TOKENS_MAP_2, TOKENIZER_2_CONFIG } from '../sdxl/pipeline-files.js'
import { buildSdxlTextEncoder, sdxlTextEncoderConfigJson } from '../sdxl/text-encoders.js'
import { buildTextEncoder, textEncoderConfigJson } from '../text-encoder.js'
import { unetConfigJson } from '../unet.js'
import { TOKENIZER_FILES, TOKENIZER_SOURCE, write } from '../tiny-sd15.js'
import { buildVaeDecoder, vaeDecoderConfigJson } from '../vae-decoder.js'
import { SD15_TEXT_ENCODER, SD15_UNET, SDXL_TEXT_ENCODER_2_FULL, SDXL_TEXT_ENCODER_FULL, SDXL_UNET_FULL, SDXL_VAE_DECODER_FULL, VAE_DECODER_FULL } from './configs.js'
import { convertGraphToFloat16 } from './float16-graph.js'
import { StreamingStore, writeStreamedModel, type WeightDType } from './stream-store.js'
import { buildFullUnet, type FullUnetConfig } from './unet.js'

export type FullModelName = 'sd15' | 'sdxl'

/** Builds one component's graph against a streaming store (no weights computed yet). */
export function planComponent(build: (store: StreamingStore) => OnnxModel, dtype: WeightDType): { model: OnnxModel; store: StreamingStore } {
  const store = new StreamingStore(dtype)
  const model = build(store)
  if (dtype === 'float16') convertGraphToFloat16(model)
  return { model, store }
}

interface Component {
  readonly folder: string
  readonly config: Record<string, unknown>
  readonly build: (store: StreamingStore) => OnnxModel
}

/** diffusers' unet/config.json for a FullUnetConfig. */
export function fullUnetConfigJson(c: FullUnetConfig): Record<string, unknown> {
  return {
    ...unetConfigJson(c),
    ...(c.sdxl
      ? { addition_embed_type: 'text_time', addition_time_embed_dim: c.sdxl.addTimeEmbedDim, projection_class_embeddings_input_dim: c.sdxl.textEmbedsDim + 6 * c.sdxl.addTimeEmbedDim }
      : {}),
    attention_head_dim: c.sdxl ? c.headsPerLevel : c.heads,
    down_block_types: c.attentionLevels.map((a) => (a ? 'CrossAttnDownBlock2D' : 'DownBlock2D')),
    layers_per_block: c.layersPerBlock,
    transformer_layers_per_block: c.sdxl ? c.transformerDepth.map((d) => Math.max(d, 1)) : 1,
    up_block_types: [...c.attentionLevels].reverse().map((a) => (a ? 'CrossAttnUpBlock2D' : 'UpBlock2D')),
    use_linear_projection: c.linearProjection,
  }
}

export function fullComponents(name: FullModelName): Component[] {
  if (name === 'sd15') {
    return [
      { folder: 'text_encoder', config: textEncoderConfigJson(SD15_TEXT_ENCODER), build: (s) => buildTextEncoder(SD15_TEXT_ENCODER, 101, s) },
      { folder: 'unet', config: fullUnetConfigJson(SD15_UNET), build: (s) => buildFullUnet(SD15_UNET, 102, { store: s }) },
      { folder: 'vae_decoder', config: vaeDecoderConfigJson(VAE_DECODER_FULL), build: (s) => buildVaeDecoder(VAE_DECODER_FULL, 103, s) },
    ]
  }
  return [
    { folder: 'text_encoder', config: sdxlTextEncoderConfigJson(SDXL_TEXT_ENCODER_FULL), build: (s) => buildSdxlTextEncoder(SDXL_TEXT_ENCODER_FULL, 110, 1700, s) },
    { folder: 'text_encoder_2', config: sdxlTextEncoderConfigJson(SDXL_TEXT_ENCODER_2_FULL), build: (s) => buildSdxlTextEncoder(SDXL_TEXT_ENCODER_2_FULL, 111, 2900, s) },
    { folder: 'unet', config: fullUnetConfigJson(SDXL_UNET_FULL), build: (s) => buildFullUnet(SDXL_UNET_FULL, 112, { store: s }) },
    { folder: 'vae_decoder', config: vaeDecoderConfigJson(SDXL_VAE_DECODER_FULL), build: (s) => buildVaeDecoder(SDXL_VAE_DECODER_FULL, 113, s) },
  ]
}

async function writeTokenizer(outDir: string, dir: string, config: object, special: object): Promise<void> {
  await mkdir(join(outDir, dir), { recursive: true })
  for (const file of TOKENIZER_FILES) await copyFile(join(TOKENIZER_SOURCE, file), join(outDir, dir, file))
  await write(outDir, `${dir}/special_tokens_map.json`, jsonFile(special))
  await write(outDir, `${dir}/tokenizer_config.json`, jsonFile(config))
}

export async function generateFullPipeline(name: FullModelName, outDir: string, dtype: WeightDType, log: (line: string) => void = console.log): Promise<void> {
  await write(outDir, 'model_index.json', jsonFile(name === 'sd15' ? MODEL_INDEX : SDXL_MODEL_INDEX))
  await write(outDir, 'scheduler/scheduler_config.json', jsonFile(name === 'sd15' ? SCHEDULER_CONFIG : SDXL_SCHEDULER_CONFIG))
  await writeTokenizer(outDir, 'tokenizer', TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP)
  if (name === 'sdxl') await writeTokenizer(outDir, 'tokenizer_2', TOKENIZER_2_CONFIG, SPECIAL_TOKENS_MAP_2)
  for (const component of fullComponents(name)) {
    const started = Date.now()
    await write(outDir, `${component.folder}/config.json`, jsonFile(component.config))
    const { model, store } = planComponent(component.build, dtype)
    const written = writeStreamedModel(model, store, join(outDir, component.folder))
    log(`  ${component.folder}: ${(store.parameterCount / 1e6).toFixed(1)}M parameters, ${(written.weightBytes / 2 ** 30).toFixed(2)} GiB ${dtype} (${written.files.join(' + ')}) in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
}
