// What the img2img and inpainting tests compare the nodes with, on the bundled shapes pipeline and bare onnxruntime:
// the prompt's hidden states, an image through the VAE encoder as diffusers' VaeImageProcessor gives it, and the
// shipped graph rewired to the pipeline's own UNet (the reference loop runs no LoRA).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import type { GraphFile } from '../../src/graph/schema.js'
import { addNodes, decodeModel, encodeModel, makeNode, makeTensor, makeValueInfo, DataType } from '../../src/models/onnx/index.js'
import { clipTokenizerFromFiles, tokenizeForModel } from '../../src/text/index.js'
import { ROOT } from './tiny-host.js'

export const SHAPES = join(ROOT, 'public', 'models', 'hyper-shapes')

/** `graph` without its UNet + LoRA node: the sampler and the prompt take the pipeline's UNet and text encoder. */
export function withoutLoRA(graph: GraphFile): GraphFile {
  const pipeline = (output: string) => ({ from: ['1', output] as [string, string] })
  return {
    ...graph,
    nodes: graph.nodes
      .filter((n) => n.type !== 'UNetLoRA')
      .map((n) => (n.type === 'TSCDSampler' ? { ...n, inputs: { ...n.inputs, model: pipeline('unet') } } : n.type === 'CLIPTextEncode' ? { ...n, inputs: { ...n.inputs, clip: pipeline('clip') } } : n)),
  }
}

/** The first CLIP Text Encode's prompt through the shapes text encoder: last_hidden_state. */
export async function promptHiddenStates(graph: GraphFile): Promise<ort.Tensor> {
  const tokenizer = clipTokenizerFromFiles(readFileSync(join(SHAPES, 'tokenizer', 'vocab.json'), 'utf8'), readFileSync(join(SHAPES, 'tokenizer', 'merges.txt'), 'utf8'))
  const prompt = graph.nodes.find((n) => n.type === 'CLIPTextEncode')!.inputs['text'] as string
  const text = await ort.InferenceSession.create(join(SHAPES, 'text_encoder', 'model.onnx'))
  return (await text.run({ input_ids: new ort.Tensor('int32', tokenizeForModel(tokenizer, prompt, { padId: 49407 }).ids, [1, 77]) })).last_hidden_state!
}

/**
 * A 64x64 RGBA image through the shapes VAE encoder as diffusers preprocesses it (RGB only, x / 255 * 2 - 1 in
 * float32): the unscaled latent_sample, and the scaling factor.
 */
export async function encodeShapesImage(rgba: ArrayLike<number>): Promise<{ mean: Float32Array; scaling: number }> {
  const pixels = new Float32Array(3 * 64 * 64)
  for (let i = 0; i < 64 * 64; i++) for (let c = 0; c < 3; c++) pixels[c * 4096 + i] = Math.fround(2 * Math.fround(rgba[i * 4 + c]! / 255) - 1)
  const encoder = await ort.InferenceSession.create(join(SHAPES, 'vae_encoder', 'model.onnx'))
  const mean = (await encoder.run({ sample: new ort.Tensor('float32', pixels, [1, 3, 64, 64]) })).latent_sample!.data as Float32Array
  const scaling = (JSON.parse(readFileSync(join(SHAPES, 'vae_decoder', 'config.json'), 'utf8')) as { scaling_factor: number }).scaling_factor
  return { mean, scaling }
}

/** The shapes VAE encoder rewritten to export `latent_parameters` (mean, then log-variance = mean / 2 - 1), as newer Optimum exports do. */
export function posteriorPipeline(): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'hypersd-posterior-')), 'hyper-shapes')
  cpSync(SHAPES, folder, { recursive: true })
  const path = join(folder, 'vae_encoder', 'model.onnx')
  const model = decodeModel(readFileSync(path))
  const g = model.graph!
  g.initializer.push(makeTensor({ name: 'half', dims: [], dataType: DataType.FLOAT, floatData: [0.5] }), makeTensor({ name: 'one', dims: [], dataType: DataType.FLOAT, floatData: [1] }))
  addNodes(g, [
    makeNode({ opType: 'Mul', name: 'logvar/mul', input: ['latent_sample', 'half'], output: ['logvar_half'] }),
    makeNode({ opType: 'Sub', name: 'logvar/sub', input: ['logvar_half', 'one'], output: ['logvar'] }),
    makeNode({ opType: 'Concat', name: 'parameters', input: ['latent_sample', 'logvar'], output: ['latent_parameters'], attribute: [{ name: 'axis', type: 2, i: 1 } as never] }),
  ])
  g.output = [makeValueInfo('latent_parameters', DataType.FLOAT, ['batch_size', 8, 'latent_height', 'latent_width'])]
  writeFileSync(path, encodeModel(model))
  return folder
}
