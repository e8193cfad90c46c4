// The model catalog's kind detection on the bundled models (through NodeFileSource over public/models, reading only
// configs and safetensors headers), LoRA format and base from key names, and the bundled manifest kept in step
// with the folder.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundledManifestText, BUNDLED_MODELS_ROOT } from '../../scripts/models-index.js'
import { describeLoraKeys, detectModel, parseBundledManifest } from '../../src/models/catalog/index.js'
import type { FileSource, ListedFile } from '../../src/models/files.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { encodeSafetensors, safetensorsHeader } from '../../src/models/safetensors/writer.js'

/** NodeFileSource over public/models that counts the bytes read, to prove detection never reads weights. */
class CountingSource implements FileSource {
  readonly inner = new NodeFileSource(BUNDLED_MODELS_ROOT)
  wholeReads: string[] = []
  rangeBytes = 0
  describe = (path: string) => this.inner.describe(path)
  exists = (path: string) => this.inner.exists(path)
  size = (path: string) => this.inner.size(path)
  readText = (path: string) => this.inner.readText(path)
  listFiles = (path: string) => this.inner.listFiles(path)
  async readBytes(path: string): Promise<Uint8Array> {
    this.wholeReads.push(path)
    return this.inner.readBytes(path)
  }
  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    this.rangeBytes += end - start
    return this.inner.readRange(path, start, end)
  }
}

/** Files held in memory, for hand-made safetensors. */
class MemorySource implements FileSource {
  constructor(private readonly files: ReadonlyMap<string, Uint8Array>) {}
  describe = (path: string) => `mem:${path}`
  exists = async (path: string) => this.files.has(path)
  size = async (path: string) => this.files.get(path)?.byteLength
  readBytes = async (path: string) => this.files.get(path) ?? Promise.reject(new Error(`mem:${path}: file not found`))
  readText = async (path: string) => new TextDecoder().decode(await this.readBytes(path))
  readRange = async (path: string, start: number, end: number) => (await this.readBytes(path)).subarray(start, end)
  listFiles = async (): Promise<ListedFile[]> => [...this.files].map(([path, bytes]) => ({ path, bytes: bytes.byteLength }))
}

function zeros(name: string, shape: number[]): { name: string; dtype: 'F32'; shape: number[]; data: Uint8Array } {
  return { name, dtype: 'F32', shape, data: new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)) }
}

describe('kind detection on the bundled models', () => {
  it('tells pipelines (SD1.5 / SDXL), the CLIP vision tower, LoRAs and the aesthetic head apart, reading no weights', async () => {
    const files = new CountingSource()
    const cases: [string, string, string][] = [
      ['tiny-sd15', 'sd15-pipeline', 'ORTStableDiffusionPipeline'],
      ['hyper-shapes', 'sd15-pipeline', 'ORTStableDiffusionPipeline'],
      ['tiny-sdxl', 'sdxl-pipeline', 'ORTStableDiffusionXLPipeline'],
      ['tiny-clip-vision', 'clip-vision', 'CLIP vision · 768-dim embeds'],
      ['loras/tiny-hyper-sd15-4step-kohya.safetensors', 'lora', 'kohya · SD1.5'],
      ['loras/tiny-hyper-sd15-peft.safetensors', 'lora', 'diffusers/PEFT · SD1.5'],
      ['loras/tiny-hyper-sdxl-sgm.safetensors', 'lora', 'SGM · SDXL'],
      ['loras/hyper-shapes-4step.safetensors', 'lora', 'kohya · SD1.5'],
      ['aesthetic/aesthetic-mlp-l14.safetensors', 'aesthetic-head', 'LAION aesthetic MLP'],
    ]
    for (const [name, kind, detail] of cases) {
      const found = await detectModel(files, name)
      expect([name, found.kind, found.detail]).toEqual([name, kind, detail])
    }
    expect(files.wholeReads).toEqual([])
    // Headers only: the LoRAs and the head together hold megabytes of weights.
    expect(files.rangeBytes).toBeLessThan(200_000)
  })

  it('sums a folder’s file sizes and reads a single file’s size', async () => {
    const files = new NodeFileSource(BUNDLED_MODELS_ROOT)
    const listed = await files.listFiles('tiny-sd15')
    expect((await detectModel(files, 'tiny-sd15')).bytes).toBe(listed.reduce((sum, f) => sum + f.bytes, 0))
    expect(listed.map((f) => f.path)).toContain('unet/model.onnx_data')
    expect((await detectModel(files, 'loras/tiny-hyper-sd15-peft.safetensors')).bytes).toBe(await files.size('loras/tiny-hyper-sd15-peft.safetensors'))
  })

  it('lists the models inside a plain folder (a folder of LoRAs) by their own kinds', async () => {
    const found = await detectModel(new NodeFileSource(BUNDLED_MODELS_ROOT), 'loras')
    expect(found.kind).toBe('unknown')
    expect(found.detail).toBe('folder of 11 model files')
    expect(found.contents?.find((c) => c.path === 'tiny-hyper-sdxl-sgm.safetensors')).toMatchObject({ kind: 'lora', detail: 'SGM · SDXL' })
  })

  it('reports other safetensors as unknown, and a broken header with the file named', async () => {
    const other = encodeSafetensors([zeros('encoder.weight', [2, 2])])
    const truncated = safetensorsHeader([{ name: 'x', dtype: 'F32', shape: [4], byteLength: 16 }])
    const files = new MemorySource(new Map([['other.safetensors', other], ['broken.safetensors', truncated]]))
    expect(await detectModel(files, 'other.safetensors')).toMatchObject({ kind: 'unknown', detail: 'safetensors, 1 tensor' })
    await expect(detectModel(files, 'broken.safetensors')).rejects.toThrow('mem:broken.safetensors')
  })

  it('detects a file mounted at the root of its source from its file name', async () => {
    const lora = readFileSync(resolve(BUNDLED_MODELS_ROOT, 'loras/tiny-hyper-sd15-4step-kohya.safetensors'))
    const files = new MemorySource(new Map([['', new Uint8Array(lora)]]))
    expect(await detectModel(files, '', 'style.safetensors')).toMatchObject({ kind: 'lora', detail: 'kohya · SD1.5', bytes: lora.byteLength })
    await expect(detectModel(new MemorySource(new Map()), 'nowhere')).rejects.toThrow('mem:nowhere: not found')
  })
})

describe('LoRA format and base from key names', () => {
  it('reads SDXL from a second text encoder, the added embedding or deep transformer blocks; SD1.5 from down block 0 attention', () => {
    expect(describeLoraKeys(['lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight', 'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_up.weight'])).toMatchObject({ format: 'kohya', base: 'SDXL' })
    expect(describeLoraKeys(['lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight'])).toMatchObject({ base: 'SDXL' })
    const peftSdxl = ['unet.down_blocks.1.attentions.0.transformer_blocks.1.attn1.to_q.lora_A.weight', 'unet.down_blocks.1.attentions.0.transformer_blocks.1.attn1.to_q.lora_B.weight']
    expect(describeLoraKeys(peftSdxl)).toMatchObject({ format: 'diffusers/PEFT', base: 'SDXL' })
    const sd15 = ['lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight', 'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight', 'lora_te_text_model_encoder_layers_0_mlp_fc1.alpha']
    expect(describeLoraKeys(sd15)).toMatchObject({ format: 'kohya', base: 'SD1.5' })
    expect(describeLoraKeys(['lora_unet_mid_block_resnets_0_conv1.lora_down.weight'])).toMatchObject({ format: 'kohya', base: undefined })
  })

  it('is not fooled by other checkpoints', () => {
    expect(describeLoraKeys(['layers.0.weight', 'layers.0.bias'])).toBeUndefined()
    expect(describeLoraKeys(['model.diffusion_model.input_blocks.0.0.weight', 'first_stage_model.encoder.conv_in.weight'])).toBeUndefined()
    expect(describeLoraKeys([])).toBeUndefined()
  })
})

describe('the bundled manifest (public/models/index.json)', () => {
  it('matches the folder: regenerate it with `npm run models:index` after changing the bundled models', async () => {
    const committed = readFileSync(resolve(BUNDLED_MODELS_ROOT, 'index.json'), 'utf8')
    expect(committed).toBe(await bundledManifestText())
    const models = parseBundledManifest(committed, 'index.json')
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(['tiny-sd15', 'tiny-sdxl', 'hyper-shapes', 'tiny-clip-vision', 'aesthetic/aesthetic-mlp-l14.safetensors']))
    // Every model a bundled graph names is listed.
    for (const graph of ['tiny-sd15-lora-4step.json', 'tiny-sd15-4step-reward.json', 'shapes-4step.json', 'tiny-sdxl-4step.json']) {
      const text = readFileSync(resolve(BUNDLED_MODELS_ROOT, '../../graphs', graph), 'utf8')
      for (const [, name] of text.matchAll(/"(?:model|lora|vision_model|head)": "([^"]+)"/g)) expect(models.map((m) => m.name), `${graph}: ${name}`).toContain(name)
    }
  })

  it('refuses malformed manifests, naming the entry', () => {
    expect(() => parseBundledManifest('{"format":"hyper-sd-studio/models","version":1,"models":[{"name":"x","kind":"checkpoint"}]}', 'index.json')).toThrow(
      'index.json: models[0]: "kind" is not one of',
    )
    expect(() => parseBundledManifest('{"format":"other","version":1,"models":[]}', 'index.json')).toThrow('not a version 1')
    expect(() => parseBundledManifest('{"format":"hyper-sd-studio/models","version":1,"models":[],"__proto__":{}}', 'index.json')).toThrow('forbidden key')
  })
})

describe('UNet weights detection', () => {
  /** A source holding one in-memory file at path "unet.safetensors". */
  const oneFile = (bytes: Uint8Array): FileSource => ({
    describe: (path) => `memory:${path}`,
    exists: async (path) => path === 'unet.safetensors',
    size: async () => bytes.length,
    readBytes: async () => bytes,
    readText: async () => new TextDecoder().decode(bytes),
    readRange: async (_path, start, end) => bytes.slice(start, end),
  })
  const tensor = (name: string, shape: number[]) => ({ name, dtype: 'F32' as const, shape, data: new Uint8Array(shape.reduce((a, b) => a * b, 1) * 4) })

  it('tells a diffusers UNet state dict (SDXL by its 2048-wide cross-attention) from the LDM layout', async () => {
    const sdxl = encodeSafetensors([tensor('conv_in.weight', [4, 4, 1, 1]), tensor('time_embedding.linear_1.weight', [4, 4]), tensor('down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight', [2, 2048])])
    await expect(detectModel(oneFile(sdxl), 'unet.safetensors')).resolves.toMatchObject({ kind: 'unet-weights', detail: 'diffusers UNet · SDXL' })
    const ldm = encodeSafetensors([tensor('model.diffusion_model.input_blocks.0.0.weight', [4, 4, 1, 1])])
    await expect(detectModel(oneFile(ldm), 'unet.safetensors')).resolves.toMatchObject({ kind: 'unet-weights', detail: expect.stringMatching(/^LDM\/ComfyUI layout/) })
  })
})
