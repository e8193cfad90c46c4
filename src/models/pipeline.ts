// Reads a diffusers / Optimum ONNX pipeline folder through a FileSource: the configs and tokenizer texts now,
// the ONNX models lazily (encoding a prompt does not read the UNet). Every error names the file at fault.
//
//   model_index.json, scheduler/scheduler_config.json
//   tokenizer/ (vocab.json + merges.txt, or tokenizer.json; tokenizer_config.json, special_tokens_map.json)
//   text_encoder/model.onnx, unet/model.onnx (+ external data such as model.onnx_data), vae_decoder/model.onnx
//   SDXL adds tokenizer_2/ and text_encoder_2/; unet/config.json and vae_decoder/config.json are optional.

import { parseJsonSafely, type JsonValue } from '../graph/safe-json.js'
import type { TokenizerFileTexts } from '../text/index.js'
import { joinPath, type FileSource } from './files.js'
import { pipelineModel, type PipelineModel } from './model-files.js'

export type { LoadProgress, PipelineModel } from './model-files.js'
export type PipelineVariant = 'sd15' | 'sdxl'
export type JsonObject = { readonly [key: string]: JsonValue }

/** Latent scaling of the VAE when its config does not say (diffusers' defaults for each family). */
export const DEFAULT_VAE_SCALING: Readonly<Record<PipelineVariant, number>> = { sd15: 0.18215, sdxl: 0.13025 }

export interface PipelineTextEncoder {
  readonly folder: 'text_encoder' | 'text_encoder_2'
  /** SDXL's second encoder gives the penultimate hidden state and pooled text_embeds. */
  readonly role: 'primary' | 'secondary'
  readonly model: PipelineModel
  readonly tokenizer: TokenizerFileTexts
}

export interface PipelineUNet {
  readonly model: PipelineModel
  readonly config: JsonObject
  readonly inChannels: number
  /** Latent height/width must be multiples of this: 2^(down blocks - 1). */
  readonly latentMultiple: number
  /** "text_time" for SDXL (takes text_embeds and time_ids). */
  readonly additionEmbedType: string | undefined
}

export interface PipelineVaeDecoder {
  readonly model: PipelineModel
  readonly config: JsonObject
  readonly scalingFactor: number
  /** Image pixels per latent pixel: 2^(VAE blocks - 1). */
  readonly scaleFactor: number
}

export interface PipelineFolder {
  /** The folder as given, relative to the FileSource. */
  readonly folder: string
  /** Human-readable location (path or URL). */
  readonly location: string
  readonly variant: PipelineVariant
  readonly modelIndex: JsonObject
  /**
   * diffusers' `force_zeros_for_empty_prompt` (model_index.json; SDXL pipelines default to true, SD1.5 has none):
   * with guidance and no negative prompt, the negative conditioning is zeros rather than the encoded "".
   */
  readonly forceZerosForEmptyPrompt: boolean
  readonly schedulerConfig: JsonObject
  readonly textEncoders: readonly PipelineTextEncoder[]
  readonly unet: PipelineUNet
  /** vae_encoder/model.onnx, which only img2img reads (the folder may lack it). */
  readonly vaeEncoder: PipelineModel
  readonly vaeDecoder: PipelineVaeDecoder
}

class PipelineReader {
  constructor(
    private readonly files: FileSource,
    private readonly folder: string,
  ) {}

  path(relative: string): string {
    return joinPath(this.folder, relative)
  }

  describe(relative: string): string {
    return this.files.describe(this.path(relative))
  }

  exists(relative: string): Promise<boolean> {
    return this.files.exists(this.path(relative))
  }

  /**
   * The file's text, or undefined when there is no such file; other failures (a folder, a server error) are thrown.
   * Read at once, with no existence check first (each is a request to a server): only a failed read asks whether the
   * file is there, so a missing file reads the same for every source.
   */
  async optionalText(relative: string): Promise<string | undefined> {
    try {
      return await this.files.readText(this.path(relative))
    } catch (error) {
      if (await this.exists(relative).catch(() => true)) throw error
      return undefined
    }
  }

  parseObject(text: string, relative: string): JsonObject {
    let value: JsonValue
    try {
      value = parseJsonSafely(text)
    } catch (err) {
      throw new Error(`${this.describe(relative)}: ${(err as Error).message}`, { cause: err })
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${this.describe(relative)}: expected a JSON object`)
    return value
  }

  async tokenizer(dir: string): Promise<TokenizerFileTexts> {
    const [vocabJson, mergesTxt, tokenizerJson, tokenizerConfigJson, specialTokensMapJson] = await Promise.all(
      ['vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'].map((f) => this.optionalText(`${dir}/${f}`)),
    )
    if ((vocabJson === undefined || mergesTxt === undefined) && tokenizerJson === undefined) {
      throw new Error(`${this.describe(dir)}: needs vocab.json + merges.txt or tokenizer.json`)
    }
    return { vocabJson, mergesTxt, tokenizerJson, tokenizerConfigJson, specialTokensMapJson }
  }

  model(dir: string): PipelineModel {
    return pipelineModel(this.files, this.path(dir))
  }
}

/**
 * `promise` itself, marked as handled: a read asked for ahead may fail while an earlier answer is being turned into
 * an error, and then nobody awaits it.
 */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

function numberField(config: JsonObject, key: string): number | undefined {
  const value = Object.hasOwn(config, key) ? config[key] : undefined
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function blockCount(config: JsonObject): number | undefined {
  const blocks = Object.hasOwn(config, 'block_out_channels') ? config.block_out_channels : undefined
  return Array.isArray(blocks) && blocks.length > 0 ? blocks.length : undefined
}

/** Reads the pipeline folder `folder` of `files` ('' for the FileSource root). */
export async function readPipelineFolder(files: FileSource, folder: string): Promise<PipelineFolder> {
  const reader = new PipelineReader(files, folder)
  // Every file a folder of either kind has is asked for at once (each is a request to a server for the browser);
  // the answers are taken in the order below, so the first problem reported is the same as reading one by one.
  const modelIndexText = settledLater(reader.optionalText('model_index.json'))
  const configTexts = ['scheduler/scheduler_config.json', 'unet/config.json', 'vae_decoder/config.json'].map((f) => settledLater(reader.optionalText(f)))
  const tokenizer = settledLater(reader.tokenizer('tokenizer'))
  const hasTextEncoder2 = settledLater(reader.exists('text_encoder_2/model.onnx'))
  const modelIndexSource = await modelIndexText
  if (modelIndexSource === undefined) {
    const folderExists = folder === '' || (await files.exists(folder))
    throw new Error(
      folderExists
        ? `${reader.describe('model_index.json')}: file not found (not a diffusers pipeline folder)`
        : `${files.describe(folder)}: model folder not found`,
    )
  }
  const modelIndex = reader.parseObject(modelIndexSource, 'model_index.json')
  const [schedulerText, unetText, vaeText] = await Promise.all(configTexts)
  if (schedulerText === undefined) throw new Error(`${reader.describe('scheduler/scheduler_config.json')}: file not found`)
  const schedulerConfig = reader.parseObject(schedulerText, 'scheduler/scheduler_config.json')
  const unetConfig = unetText === undefined ? {} : reader.parseObject(unetText, 'unet/config.json')
  const vaeConfig = vaeText === undefined ? {} : reader.parseObject(vaeText, 'vae_decoder/config.json')
  const additionEmbedType = typeof unetConfig.addition_embed_type === 'string' ? unetConfig.addition_embed_type : undefined
  const isSdxl = Object.hasOwn(modelIndex, 'text_encoder_2') || additionEmbedType === 'text_time' || (await hasTextEncoder2)
  const variant: PipelineVariant = isSdxl ? 'sdxl' : 'sd15'

  const textEncoders: PipelineTextEncoder[] = [{ folder: 'text_encoder', role: 'primary', model: reader.model('text_encoder'), tokenizer: await tokenizer }]
  if (isSdxl) {
    const hasTokenizer2 = (await reader.exists('tokenizer_2/vocab.json')) || (await reader.exists('tokenizer_2/tokenizer.json'))
    const tokenizer2 = hasTokenizer2 ? 'tokenizer_2' : 'tokenizer'
    textEncoders.push({ folder: 'text_encoder_2', role: 'secondary', model: reader.model('text_encoder_2'), tokenizer: await reader.tokenizer(tokenizer2) })
  }
  const vaeBlocks = blockCount(vaeConfig)
  const unetBlocks = blockCount(unetConfig)
  return {
    folder,
    location: files.describe(folder),
    variant,
    modelIndex,
    forceZerosForEmptyPrompt: typeof modelIndex.force_zeros_for_empty_prompt === 'boolean' ? modelIndex.force_zeros_for_empty_prompt : isSdxl,
    schedulerConfig,
    textEncoders,
    unet: {
      model: reader.model('unet'),
      config: unetConfig,
      inChannels: numberField(unetConfig, 'in_channels') ?? 4,
      latentMultiple: unetBlocks ? 2 ** (unetBlocks - 1) : 8,
      additionEmbedType,
    },
    vaeEncoder: reader.model('vae_encoder'),
    vaeDecoder: {
      model: reader.model('vae_decoder'),
      config: vaeConfig,
      scalingFactor: numberField(vaeConfig, 'scaling_factor') ?? DEFAULT_VAE_SCALING[variant],
      scaleFactor: vaeBlocks ? 2 ** (vaeBlocks - 1) : 8,
    },
  }
}
