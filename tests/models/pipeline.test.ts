import { cpSync, mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileSource } from '../../src/models/files.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { readPipelineFolder, type PipelineFolder } from '../../src/models/pipeline.js'
import { SessionCache, hostTensor } from '../../src/runtime/index.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { clipTokenizerFromFolderTexts, tokenizeForModel } from '../../src/text/index.js'

const models = new NodeFileSource('public/models')
const cache = new SessionCache(createNodeBackend())
let tiny: PipelineFolder
let scratch: string

/** Counts which files are read, to check that models load lazily. */
class CountingSource implements FileSource {
  readonly reads: string[] = []
  constructor(private readonly inner: FileSource) {}
  describe(path: string): string {
    return this.inner.describe(path)
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path)
  }
  readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    this.reads.push(path)
    return this.inner.readBytes(path, onProgress)
  }
  readText(path: string): Promise<string> {
    this.reads.push(path)
    return this.inner.readText(path)
  }
  size(path: string): Promise<number | undefined> {
    return this.inner.size(path)
  }
}

/** A writable copy of the tiny pipeline to break in various ways. */
function copyTiny(name: string): string {
  const dir = join(scratch, name)
  cpSync('public/models/tiny-sd15', dir, { recursive: true })
  return dir
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hypersd-pipeline-'))
  tiny = await readPipelineFolder(models, 'tiny-sd15')
})
afterAll(async () => {
  await cache.dispose()
  rmSync(scratch, { recursive: true, force: true })
})

describe('readPipelineFolder on the tiny SD1.5 pipeline', () => {
  it('describes the folder', () => {
    expect(tiny.variant).toBe('sd15')
    expect(tiny.location).toBe(join('public/models', 'tiny-sd15'))
    expect(tiny.schedulerConfig).toMatchObject({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 })
    expect(tiny.unet).toMatchObject({ inChannels: 4, latentMultiple: 2, additionEmbedType: undefined })
    expect(tiny.vaeDecoder).toMatchObject({ scalingFactor: 0.18215, scaleFactor: 8 })
    expect(tiny.textEncoders.map((e) => [e.folder, e.role])).toEqual([['text_encoder', 'primary']])
    expect(tiny.unet.model.key).toBe(join('public/models', 'tiny-sd15/unet/model.onnx'))
    expect(tiny.vaeDecoder.model.path).toBe('tiny-sd15/vae_decoder/model.onnx')
  })

  it('carries the tokenizer texts: known ids, pad 49407', () => {
    const { tokenizer, padId } = clipTokenizerFromFolderTexts(tiny.textEncoders[0]!.tokenizer)
    expect(padId).toBe(49407)
    expect(tokenizer.encode('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407])
  })

  it('reads no model file until one is loaded, then only that one (with its external data)', async () => {
    const counting = new CountingSource(models)
    const folder = await readPipelineFolder(counting, 'tiny-sd15')
    expect(counting.reads.filter((p) => p.endsWith('.onnx') || p.endsWith('.onnx_data'))).toEqual([])
    await folder.textEncoders[0]!.model.load()
    expect(counting.reads.filter((p) => p.includes('.onnx'))).toEqual(['tiny-sd15/text_encoder/model.onnx'])
    const unet = await folder.unet.model.load()
    expect(counting.reads.filter((p) => p.includes('unet/model'))).toEqual(['tiny-sd15/unet/model.onnx', 'tiny-sd15/unet/model.onnx_data'])
    expect(unet.externalData?.map((f) => [f.path, f.data.byteLength])).toEqual([['model.onnx_data', 1697296]])
  })

  it('reports load progress', async () => {
    const seen: [number, number][] = []
    const source = await tiny.vaeDecoder.model.load((loaded, total) => seen.push([loaded, total]))
    expect(seen.at(-1)).toEqual([source.bytes.byteLength, source.bytes.byteLength])
  })

  it('runs text encoder -> UNet -> VAE decoder on onnxruntime-node through the session cache', async () => {
    const { tokenizer, padId } = clipTokenizerFromFolderTexts(tiny.textEncoders[0]!.tokenizer)
    const textEncoder = await cache.get(tiny.textEncoders[0]!.model)
    expect(textEncoder.inputs).toEqual([{ name: 'input_ids', dtype: 'int32', shape: expect.any(Array) }])
    const ids = tokenizeForModel(tokenizer, 'a photo of a cat', { padId }).ids
    const text = await textEncoder.run({ input_ids: hostTensor('int32', [1, 77], ids) })
    const hidden = text.last_hidden_state!
    expect(hidden.dims).toEqual([1, 77, 16])
    expect(text.pooler_output!.dims).toEqual([1, 16])

    const unet = await cache.get(tiny.unet.model)
    const sample = hostTensor('float32', [1, 4, 8, 8], Float32Array.from({ length: 256 }, (_, i) => Math.sin(i)))
    // The UNet declares an int64 timestep: a float32 feed is converted by the session.
    const unetOut = await unet.run({ sample, timestep: hostTensor('float32', [1], Float32Array.from([999])), encoder_hidden_states: hidden })
    expect(unetOut.out_sample!.dims).toEqual([1, 4, 8, 8])
    expect((unetOut.out_sample!.data as Float32Array).every(Number.isFinite)).toBe(true)

    const vae = await cache.get(tiny.vaeDecoder.model)
    const image = await vae.run({ latent_sample: unetOut.out_sample! })
    expect(image.sample!.dims).toEqual([1, 3, 64, 64])
    expect((image.sample!.data as Float32Array).every(Number.isFinite)).toBe(true)

    // A second request is a cache hit: the session is not rebuilt and the file is not re-read.
    const creates = cache.stats.creates
    expect(await cache.get(tiny.unet.model)).toBe(unet)
    expect(cache.stats.creates).toBe(creates)
  })
})

describe('readPipelineFolder errors name the path', () => {
  it('missing folder', async () => {
    await expect(readPipelineFolder(models, 'no-such-model')).rejects.toThrow(`${join('public/models', 'no-such-model')}: model folder not found`)
  })

  it('folder without model_index.json', async () => {
    const dir = join(scratch, 'empty')
    mkdirSync(dir)
    await expect(readPipelineFolder(new NodeFileSource(scratch), 'empty')).rejects.toThrow(`${join(scratch, 'empty/model_index.json')}: file not found (not a diffusers pipeline folder)`)
  })

  it('missing scheduler config, malformed JSON, hostile keys', async () => {
    const dir = copyTiny('bad-json')
    const files = new NodeFileSource(dir)
    unlinkSync(join(dir, 'scheduler/scheduler_config.json'))
    await expect(readPipelineFolder(files, '')).rejects.toThrow(`${join(dir, 'scheduler/scheduler_config.json')}: file not found`)
    writeFileSync(join(dir, 'scheduler/scheduler_config.json'), '{"beta_start": 0.00085,')
    await expect(readPipelineFolder(files, '')).rejects.toThrow(new RegExp(`^${join(dir, 'scheduler/scheduler_config.json')}: .*line 1`))
    writeFileSync(join(dir, 'scheduler/scheduler_config.json'), '{"__proto__": {"polluted": true}}')
    await expect(readPipelineFolder(files, '')).rejects.toThrow(/scheduler_config\.json: .*__proto__/)
  })

  it('missing tokenizer files', async () => {
    const dir = copyTiny('no-tokenizer')
    unlinkSync(join(dir, 'tokenizer/merges.txt'))
    await expect(readPipelineFolder(new NodeFileSource(dir), '')).rejects.toThrow(`${join(dir, 'tokenizer')}: needs vocab.json + merges.txt or tokenizer.json`)
  })

  it('missing model and missing external data fail on load, naming the file', async () => {
    const dir = copyTiny('no-models')
    unlinkSync(join(dir, 'text_encoder/model.onnx'))
    unlinkSync(join(dir, 'unet/model.onnx_data'))
    const folder = await readPipelineFolder(new NodeFileSource(dir), '')
    await expect(folder.textEncoders[0]!.model.load()).rejects.toThrow(`${join(dir, 'text_encoder/model.onnx')}: file not found`)
    await expect(folder.unet.model.load()).rejects.toThrow(`${join(dir, 'unet/model.onnx')}: external data file ${join(dir, 'unet/model.onnx_data')} not found`)
  })

  it('truncated or corrupt model: a clear error naming the file, not a crash', async () => {
    const dir = copyTiny('corrupt')
    truncateSync(join(dir, 'vae_decoder/model.onnx'), 1000)
    writeFileSync(join(dir, 'text_encoder/model.onnx'), 'not an onnx model at all')
    truncateSync(join(dir, 'unet/model.onnx_data'), 100)
    const folder = await readPipelineFolder(new NodeFileSource(dir), '')
    const local = new SessionCache(createNodeBackend())
    await expect(local.get(folder.vaeDecoder.model)).rejects.toThrow(new RegExp(`^${join(dir, 'vae_decoder/model.onnx')}: cannot load ONNX model`))
    await expect(local.get(folder.textEncoders[0]!.model)).rejects.toThrow(new RegExp(`^${join(dir, 'text_encoder/model.onnx')}: cannot load ONNX model`))
    // A truncated external data file is named, with the length the graph needs, before its bytes are read.
    await expect(local.get(folder.unet.model)).rejects.toThrow(
      `${join(dir, 'unet/model.onnx_data')}: external data file is 100 bytes, but ${join(dir, 'unet/model.onnx')} needs 1697296 (tensor "conv_out.bias" ends there); the file is truncated or from another export`,
    )
    await expect(folder.unet.model.load()).rejects.toThrow(`${join(dir, 'unet/model.onnx_data')}: external data file is 100 bytes`)
    expect(local.stats.size).toBe(0)
  })
})

describe('readPipelineFolder: SDXL layout', () => {
  it('detects SDXL, reads tokenizer_2 (pad "!" -> 0) and defaults the VAE scaling to 0.13025', async () => {
    const dir = copyTiny('sdxl')
    cpSync(join(dir, 'text_encoder'), join(dir, 'text_encoder_2'), { recursive: true })
    cpSync(join(dir, 'tokenizer'), join(dir, 'tokenizer_2'), { recursive: true })
    writeFileSync(join(dir, 'tokenizer_2/tokenizer_config.json'), JSON.stringify({ pad_token: '!', model_max_length: 77 }))
    writeFileSync(join(dir, 'tokenizer_2/special_tokens_map.json'), JSON.stringify({ pad_token: '!' }))
    unlinkSync(join(dir, 'vae_decoder/config.json'))
    writeFileSync(join(dir, 'unet/config.json'), JSON.stringify({ in_channels: 4, addition_embed_type: 'text_time', block_out_channels: [320, 640, 1280] }))
    const folder = await readPipelineFolder(new NodeFileSource(dir), '')
    expect(folder.variant).toBe('sdxl')
    expect(folder.unet).toMatchObject({ additionEmbedType: 'text_time', latentMultiple: 4 })
    expect(folder.vaeDecoder.scalingFactor).toBe(0.13025)
    expect(folder.textEncoders.map((e) => [e.folder, e.role])).toEqual([
      ['text_encoder', 'primary'],
      ['text_encoder_2', 'secondary'],
    ])
    expect(clipTokenizerFromFolderTexts(folder.textEncoders[1]!.tokenizer).padId).toBe(0)
    expect(clipTokenizerFromFolderTexts(folder.textEncoders[0]!.tokenizer).padId).toBe(49407)
  })
})
