// Writes the tiny SDXL-architecture pipeline in the Optimum ORTStableDiffusionXLPipeline layout. Output is
// byte-identical on every run (seeded weights, fixed JSON formatting), which tests/sdxl/tiny-sdxl-files.test.ts checks.

import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeModel } from '../../../src/models/onnx/codec.js'
import { externalizeInitializers } from '../../../src/models/onnx/external-data.js'
import { SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG, jsonFile } from '../pipeline-files.js'
import { TOKENIZER_FILES, TOKENIZER_SOURCE, UNET_DATA_FILE, write } from '../tiny-sd15.js'
import { VAE_DECODER, buildVaeDecoder, vaeDecoderConfigJson, type VaeDecoderConfig } from '../vae-decoder.js'
import { SDXL_MODEL_INDEX, SDXL_SCHEDULER_CONFIG, SPECIAL_TOKENS_MAP_2, TOKENIZER_2_CONFIG } from './pipeline-files.js'
import { SDXL_TEXT_ENCODER, SDXL_TEXT_ENCODER_2, buildSdxlTextEncoder, sdxlTextEncoderConfigJson } from './text-encoders.js'
import { buildSdxlUnet, sdxlUnetConfigJson } from './unet.js'

/** SDXL's VAE has SD1.5's decoder architecture; only the latent scaling differs. */
export const SDXL_VAE_DECODER: VaeDecoderConfig = { ...VAE_DECODER, scalingFactor: 0.13025, sampleSize: 1024 }

/** Every file the generator writes, relative to the pipeline folder. */
export const TINY_SDXL_FILES = [
  'model_index.json',
  'scheduler/scheduler_config.json',
  ...['tokenizer', 'tokenizer_2'].flatMap((dir) => [...TOKENIZER_FILES, 'special_tokens_map.json', 'tokenizer_config.json'].map((f) => `${dir}/${f}`)),
  'text_encoder/config.json',
  'text_encoder/model.onnx',
  'text_encoder_2/config.json',
  'text_encoder_2/model.onnx',
  'unet/config.json',
  'unet/model.onnx',
  `unet/${UNET_DATA_FILE}`,
  'vae_decoder/config.json',
  'vae_decoder/model.onnx',
]

export async function generateTinySdxl(outDir: string): Promise<void> {
  await write(outDir, 'model_index.json', jsonFile(SDXL_MODEL_INDEX))
  await write(outDir, 'scheduler/scheduler_config.json', jsonFile(SDXL_SCHEDULER_CONFIG))

  const tokenizerConfigs = { tokenizer: [TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP], tokenizer_2: [TOKENIZER_2_CONFIG, SPECIAL_TOKENS_MAP_2] } as const
  for (const [dir, [config, special]] of Object.entries(tokenizerConfigs)) {
    await mkdir(join(outDir, dir), { recursive: true })
    for (const file of TOKENIZER_FILES) await copyFile(join(TOKENIZER_SOURCE, file), join(outDir, dir, file))
    await write(outDir, `${dir}/special_tokens_map.json`, jsonFile(special))
    await write(outDir, `${dir}/tokenizer_config.json`, jsonFile(config))
  }

  await write(outDir, 'text_encoder/config.json', jsonFile(sdxlTextEncoderConfigJson(SDXL_TEXT_ENCODER)))
  await write(outDir, 'text_encoder/model.onnx', encodeModel(buildSdxlTextEncoder(SDXL_TEXT_ENCODER, 10, 1700)))
  await write(outDir, 'text_encoder_2/config.json', jsonFile(sdxlTextEncoderConfigJson(SDXL_TEXT_ENCODER_2)))
  await write(outDir, 'text_encoder_2/model.onnx', encodeModel(buildSdxlTextEncoder(SDXL_TEXT_ENCODER_2, 11, 2900)))

  const unet = buildSdxlUnet()
  const unetData = externalizeInitializers(unet, { location: UNET_DATA_FILE })
  await write(outDir, 'unet/config.json', jsonFile(sdxlUnetConfigJson()))
  await write(outDir, 'unet/model.onnx', encodeModel(unet))
  await write(outDir, `unet/${UNET_DATA_FILE}`, unetData)

  await write(outDir, 'vae_decoder/config.json', jsonFile(vaeDecoderConfigJson(SDXL_VAE_DECODER)))
  await write(outDir, 'vae_decoder/model.onnx', encodeModel(buildVaeDecoder(SDXL_VAE_DECODER, 13)))
}

// Standalone: `npx tsx scripts/models/sdxl/tiny-sdxl.ts`.
if (import.meta.url === `file://${process.argv[1]}`) await generateTinySdxl('public/models/tiny-sdxl')
