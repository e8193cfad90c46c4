// Writes the tiny SD1.5-architecture pipeline in the diffusers/Optimum ONNX layout. Output is byte-identical on
// every run (seeded weights, fixed JSON formatting), which tests/models/tiny-models.test.ts checks.

import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeModel } from '../../src/models/onnx/codec.js'
import { externalizeInitializers } from '../../src/models/onnx/external-data.js'
import { MODEL_INDEX, SCHEDULER_CONFIG, SPECIAL_TOKENS_MAP, TOKENIZER_CONFIG, jsonFile } from './pipeline-files.js'
import { buildTextEncoder, textEncoderConfigJson } from './text-encoder.js'
import { buildUnet, unetConfigJson } from './unet.js'
import { buildVaeDecoder, vaeDecoderConfigJson } from './vae-decoder.js'

/** The real CLIP BPE files (MIT, from ../shared/assets/clip-tokenizer), kept in the repo so a clone is self-sufficient. */
export const TOKENIZER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'clip-tokenizer')
export const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'LICENSE.md']

/** Name of the UNet's external data file, as Optimum writes it for UNets over 2 GB. */
export const UNET_DATA_FILE = 'model.onnx_data'

/** Every file the generator writes, relative to the pipeline folder. */
export const TINY_SD15_FILES = [
  'model_index.json',
  'scheduler/scheduler_config.json',
  ...TOKENIZER_FILES.map((f) => `tokenizer/${f}`),
  'tokenizer/special_tokens_map.json',
  'tokenizer/tokenizer_config.json',
  'text_encoder/config.json',
  'text_encoder/model.onnx',
  'unet/config.json',
  'unet/model.onnx',
  `unet/${UNET_DATA_FILE}`,
  'vae_decoder/config.json',
  'vae_decoder/model.onnx',
]

/** Writes `data` to `relative` inside `root`, creating folders on the way. */
export async function write(root: string, relative: string, data: string | Uint8Array): Promise<void> {
  const path = join(root, relative)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, data)
}

export async function generateTinySd15(outDir: string): Promise<void> {
  await write(outDir, 'model_index.json', jsonFile(MODEL_INDEX))
  await write(outDir, 'scheduler/scheduler_config.json', jsonFile(SCHEDULER_CONFIG))

  await mkdir(join(outDir, 'tokenizer'), { recursive: true })
  for (const file of TOKENIZER_FILES) await copyFile(join(TOKENIZER_SOURCE, file), join(outDir, 'tokenizer', file))
  await write(outDir, 'tokenizer/special_tokens_map.json', jsonFile(SPECIAL_TOKENS_MAP))
  await write(outDir, 'tokenizer/tokenizer_config.json', jsonFile(TOKENIZER_CONFIG))

  await write(outDir, 'text_encoder/config.json', jsonFile(textEncoderConfigJson()))
  await write(outDir, 'text_encoder/model.onnx', encodeModel(buildTextEncoder()))

  const unet = buildUnet()
  const unetData = externalizeInitializers(unet, { location: UNET_DATA_FILE })
  await write(outDir, 'unet/config.json', jsonFile(unetConfigJson()))
  await write(outDir, 'unet/model.onnx', encodeModel(unet))
  await write(outDir, `unet/${UNET_DATA_FILE}`, unetData)

  await write(outDir, 'vae_decoder/config.json', jsonFile(vaeDecoderConfigJson()))
  await write(outDir, 'vae_decoder/model.onnx', encodeModel(buildVaeDecoder()))
}
