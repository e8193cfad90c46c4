// The tiny CLIP vision tower: Optimum CLIPVisionModelWithProjection layout and torch names, byte-determinism, and
// onnxruntime-node output names/shapes/values against an independent float64 forward pass.
import { readFileSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TINY_CLIP_VISION, TINY_CLIP_VISION_FILES, generateTinyClipVision } from '../../scripts/models/clip-vision.js'
import { decodeModel, findInitializer, findNode, listInitializers, requireGraph } from '../../src/models/onnx/index.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { clipPixelValues } from '../../src/reward/clip-preprocess.js'
import { parseClipPreprocessorConfig } from '../../src/reward/preprocessor-config.js'
import { readClipVisionFolder } from '../../src/reward/vision-folder.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { referenceImageEmbeds } from './clip-vision-reference.js'
import { testImageRgba } from './images.js'

const FOLDER = join(import.meta.dirname, '..', '..', 'public', 'models', 'tiny-clip-vision')
const modelBytes = new Uint8Array(readFileSync(join(FOLDER, 'model.onnx')))
const model = decodeModel(modelBytes)
const graph = requireGraph(model)
const config = JSON.parse(readFileSync(join(FOLDER, 'config.json'), 'utf8')) as Record<string, unknown>

describe('tiny-clip-vision folder', () => {
  it('has config.json and preprocessor_config.json as transformers writes them for CLIP', () => {
    expect(config).toMatchObject({
      architectures: ['CLIPVisionModelWithProjection'],
      model_type: 'clip_vision_model',
      hidden_act: 'quick_gelu',
      image_size: 224,
      patch_size: 32,
      projection_dim: 768,
      num_hidden_layers: 1,
    })
    const pre = JSON.parse(readFileSync(join(FOLDER, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>
    expect(pre).toMatchObject({ crop_size: { height: 224, width: 224 }, size: { shortest_edge: 224 }, resample: 3, image_processor_type: 'CLIPImageProcessor' })
    expect(parseClipPreprocessorConfig(JSON.stringify(pre), 'p.json')).toEqual({
      shortestEdge: 224,
      cropHeight: 224,
      cropWidth: 224,
      mean: [0.48145466, 0.4578275, 0.40821073],
      std: [0.26862954, 0.26130258, 0.27577711],
    })
  })

  it('uses torch export names: patch/class/position embeddings, pre_layrnorm, q_proj, transposed visual_projection', () => {
    const names = listInitializers(graph).map((i) => i.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'vision_model.embeddings.class_embedding',
        'vision_model.embeddings.patch_embedding.weight',
        'vision_model.embeddings.position_embedding.weight',
        'vision_model.embeddings.position_ids',
        'vision_model.pre_layrnorm.weight',
        'vision_model.encoder.layers.0.self_attn.q_proj.bias',
        'vision_model.encoder.layers.0.mlp.fc2.bias',
        'vision_model.post_layernorm.bias',
      ]),
    )
    expect(findInitializer(graph, 'vision_model.embeddings.patch_embedding.weight')!.dims).toEqual([32, 3, 32, 32])
    expect(findInitializer(graph, 'vision_model.embeddings.position_embedding.weight')!.dims).toEqual([50, 32])
    expect(findInitializer(graph, 'vision_model.embeddings.patch_embedding.bias')).toBeUndefined()
    const projection = findNode(graph, '/visual_projection/MatMul')!
    expect(projection.input[1]).toMatch(/^onnx::MatMul_\d+$/)
    expect(findInitializer(graph, projection.input[1]!)!.dims).toEqual([32, 768])
    expect(findNode(graph, '/vision_model/encoder/layers.0/self_attn/q_proj/MatMul')).toBeDefined()
    expect(graph.input.map((i) => i.name)).toEqual(['pixel_values'])
    expect(graph.output.map((o) => o.name)).toEqual(['image_embeds', 'last_hidden_state'])
  })

  it('is small and regenerates byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tiny-clip-vision-'))
    try {
      await generateTinyClipVision(dir)
      for (const file of TINY_CLIP_VISION_FILES) {
        expect(Buffer.compare(await readFile(join(dir, file)), await readFile(join(FOLDER, file))), file).toBe(0)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const total = TINY_CLIP_VISION_FILES.reduce((sum, f) => sum + statSync(join(FOLDER, f)).size, 0)
    expect(total).toBeLessThan(1024 * 1024)
  })
})

describe('tiny-clip-vision on onnxruntime-node', () => {
  it('maps pixel_values [B,3,224,224] to image_embeds [B,768] and last_hidden_state [B,50,32], as the reference computes', async () => {
    const folder = await readClipVisionFolder(new NodeFileSource('.'), FOLDER)
    const session = await createNodeBackend().createSession(await folder.model.load())
    try {
      expect(session.inputs.map((i) => i.name)).toEqual(['pixel_values'])
      expect(session.outputs.map((o) => o.name)).toEqual(['image_embeds', 'last_hidden_state'])
      const images = [testImageRgba(300, 200), testImageRgba(200, 300)]
      const batch = images.map((rgba) => clipPixelValues([rgba], 300, 200).data)
      batch[1] = clipPixelValues([images[1]!], 200, 300).data
      const pixels = new Float32Array(2 * batch[0]!.length)
      pixels.set(batch[0]!)
      pixels.set(batch[1]!, batch[0]!.length)
      const out = await session.run({ pixel_values: { dtype: 'float32', dims: [2, 3, 224, 224], data: pixels } })
      expect(out.image_embeds!.dims).toEqual([2, 768])
      expect(out.last_hidden_state!.dims).toEqual([2, 50, 32])
      const embeds = out.image_embeds!.data as Float32Array
      const shape = { imageSize: 224, patchSize: 32, hidden: 32, heads: TINY_CLIP_VISION.heads, intermediate: 64, eps: 1e-5 }
      for (let n = 0; n < 2; n++) {
        const expected = referenceImageEmbeds(model, batch[n]!, shape, 768)
        let maxDiff = 0
        let maxAbs = 0
        for (let i = 0; i < 768; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(embeds[n * 768 + i]! - expected[i]!))
          maxAbs = Math.max(maxAbs, Math.abs(expected[i]!))
        }
        expect(maxAbs).toBeGreaterThan(0.1)
        expect(maxDiff / maxAbs).toBeLessThan(1e-4)
      }
      // Different images give different embeddings (the tower sees the pixels).
      expect(Math.abs(embeds[0]! - embeds[768]!) + Math.abs(embeds[1]! - embeds[769]!)).toBeGreaterThan(1e-3)
    } finally {
      await session.dispose()
    }
  })
})
