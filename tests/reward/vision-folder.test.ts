// Reading a CLIP vision folder: preprocessor_config.json in both transformers forms, refusals by field, config.json
// architecture, a .onnx path, external data, and errors that name the file.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeFileSource } from '../../src/models/node-files.js'
import { parseClipPreprocessorConfig } from '../../src/reward/preprocessor-config.js'
import { isVitL14, readClipVisionFolder } from '../../src/reward/vision-folder.js'

const TINY = join(import.meta.dirname, '..', '..', 'public', 'models', 'tiny-clip-vision')
const files = new NodeFileSource('.')
let tmp: string

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'clip-vision-folder-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('preprocessor_config.json', () => {
  const parse = (value: unknown) => parseClipPreprocessorConfig(JSON.stringify(value), 'pre.json')

  it('reads the old CLIPFeatureExtractor form of openai/clip-vit-large-patch14 (size and crop_size as numbers)', () => {
    const config = parse({ crop_size: 224, do_center_crop: true, do_normalize: true, do_resize: true, feature_extractor_type: 'CLIPFeatureExtractor', image_mean: [0.5, 0.5, 0.5], image_std: [0.25, 0.5, 1], resample: 3, size: 256 })
    expect(config).toEqual({ shortestEdge: 256, cropHeight: 224, cropWidth: 224, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] })
  })

  it('reads the current form with separate crop height and width', () => {
    expect(parse({ size: { shortest_edge: 336 }, crop_size: { height: 336, width: 320 } })).toMatchObject({ shortestEdge: 336, cropHeight: 336, cropWidth: 320 })
  })

  it('refuses what it cannot honour, naming file and field', () => {
    expect(() => parse({ resample: 2 })).toThrow('pre.json: "resample" is 2; only 3 (bicubic) is supported')
    expect(() => parse({ do_center_crop: false })).toThrow('pre.json: "do_center_crop" is false')
    expect(() => parse({ rescale_factor: 1 })).toThrow('pre.json: "rescale_factor" is 1; only 1/255 is supported')
    expect(() => parse({ size: { height: 224, width: 224 } })).toThrow('pre.json: "size.shortest_edge" must be a positive integer')
    expect(() => parse({ image_mean: [0.5, 0.5] })).toThrow('pre.json: "image_mean" must be 3 numbers')
    expect(() => parse({ image_std: [0.5, 0, 0.5] })).toThrow('pre.json: "image_std" must be positive')
    expect(() => parse([1, 2])).toThrow('pre.json: expected a JSON object')
  })

  it('refuses hostile keys and reports JSON syntax errors with the file', () => {
    expect(() => parseClipPreprocessorConfig('{"__proto__": {"size": 1}}', 'evil.json')).toThrow(/^evil\.json: .*__proto__/)
    expect(() => parseClipPreprocessorConfig('{"size": }', 'broken.json')).toThrow(/^broken\.json: .*line 1/)
  })
})

describe('CLIP vision folder', () => {
  it('reads the tiny tower: preprocessing from its config, not ViT-L/14', async () => {
    const folder = await readClipVisionFolder(files, TINY)
    expect(folder.location).toBe(join(TINY, 'model.onnx'))
    expect(folder.preprocess.shortestEdge).toBe(224)
    expect(folder.architecture).toEqual({ hiddenSize: 32, patchSize: 32, projectionDim: 768 })
    expect(isVitL14(folder)).toBe(false)
    const source = await folder.model.load()
    expect(source.key).toBe(folder.location)
    expect(source.externalData).toBeUndefined()
  })

  it('takes a .onnx path, finds the configs beside it, and attaches model.onnx_data when present', async () => {
    const dir = join(tmp, 'vit-l')
    await mkdir(dir)
    await copyFile(join(TINY, 'model.onnx'), join(dir, 'model.onnx'))
    await writeFile(join(dir, 'model.onnx_data'), new Uint8Array([1, 2, 3]))
    await writeFile(join(dir, 'config.json'), JSON.stringify({ hidden_size: 1024, patch_size: 14, projection_dim: 768 }))
    await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify({ size: 240, crop_size: 232 }))
    const folder = await readClipVisionFolder(files, join(dir, 'model.onnx'))
    expect(isVitL14(folder)).toBe(true)
    expect(folder.preprocess).toMatchObject({ shortestEdge: 240, cropHeight: 232, cropWidth: 232 })
    const source = await folder.model.load()
    expect(source.externalData).toEqual([{ path: 'model.onnx_data', data: new Uint8Array([1, 2, 3]) }])
  })

  it('uses CLIP defaults without preprocessor_config.json', async () => {
    const dir = join(tmp, 'bare')
    await mkdir(dir)
    await copyFile(join(TINY, 'model.onnx'), join(dir, 'model.onnx'))
    const folder = await readClipVisionFolder(files, dir)
    expect(folder.preprocess).toMatchObject({ shortestEdge: 224, cropHeight: 224, cropWidth: 224 })
    expect(folder.architecture).toBeUndefined()
  })

  it('names what is missing', async () => {
    await expect(readClipVisionFolder(files, join(tmp, 'nothing-here'))).rejects.toThrow(`${join(tmp, 'nothing-here')}: model folder not found`)
    await expect(readClipVisionFolder(files, tmp)).rejects.toThrow(`${join(tmp, 'model.onnx')}: file not found`)
    await expect(readClipVisionFolder(files, join(tmp, 'x.onnx'))).rejects.toThrow(`${join(tmp, 'x.onnx')}: file not found`)
  })
})
