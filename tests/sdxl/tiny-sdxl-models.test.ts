// The generated tiny SDXL pipeline: Optimum SDXL layout and configs, each model on onnxruntime-node with SDXL's
// input/output names and shapes, torch-export naming, pipeline detection, and byte-exact regeneration.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { TINY_SDXL_FILES, generateTinySdxl } from '../../scripts/models/sdxl/tiny-sdxl.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { consumersOf, decodeModel, findInitializer, findNodes, requireGraph, type OnnxGraph } from '../../src/models/onnx/index.js'
import { DataType } from '../../src/models/onnx/types.js'
import { tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { readPipelineFolder } from '../../src/models/pipeline.js'
import { clipTokenizerFromFolderTexts, tokenizeForModel } from '../../src/text/index.js'

const TINY = join(import.meta.dirname, '..', '..', 'public', 'models', 'tiny-sdxl')
const json = (file: string) => JSON.parse(readFileSync(join(TINY, file), 'utf8')) as Record<string, unknown>
const graphOf = (file: string): OnnxGraph => requireGraph(decodeModel(new Uint8Array(readFileSync(join(TINY, file)))))
const D1 = 16
const D2 = 24
const PROJ = 32
const sessions: ort.InferenceSession[] = []
const open = async (folder: string) => {
  const s = await ort.InferenceSession.create(join(TINY, folder, 'model.onnx'))
  sessions.push(s)
  return s
}
afterAll(async () => {
  for (const s of sessions) await s.release()
})

const EOS_AT = 6
function promptIds(pad: number): Int32Array {
  const ids = new Int32Array(77).fill(pad)
  ids.set([49406, 320, 1125, 539, 320, 2368, 49407])
  return ids
}
const idsTensor = (ids: Int32Array) => new ort.Tensor('int32', ids, [1, 77])
const row = (t: ort.Tensor, token: number, dim: number) => Array.from((t.data as Float32Array).subarray(token * dim, (token + 1) * dim))

describe('tiny-sdxl folder layout and configs', () => {
  it('has the Optimum ORTStableDiffusionXLPipeline layout', () => {
    expect(json('model_index.json')).toMatchObject({
      _class_name: 'ORTStableDiffusionXLPipeline',
      scheduler: ['diffusers', 'EulerDiscreteScheduler'],
      text_encoder: ['optimum', 'ORTModelTextEncoder'],
      text_encoder_2: ['optimum', 'ORTModelTextEncoder'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      tokenizer_2: ['transformers', 'CLIPTokenizer'],
      unet: ['optimum', 'ORTModelUnet'],
      vae_decoder: ['optimum', 'ORTModelVaeDecoder'],
    })
    for (const file of TINY_SDXL_FILES) expect(statSync(join(TINY, file)).size, file).toBeGreaterThan(0)
  })

  it('uses SDXL base 1.0 scheduler config and VAE scaling', () => {
    expect(json('scheduler/scheduler_config.json')).toMatchObject({
      _class_name: 'EulerDiscreteScheduler',
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      beta_end: 0.012,
      num_train_timesteps: 1000,
      steps_offset: 1,
      timestep_spacing: 'leading',
      prediction_type: 'epsilon',
      interpolation_type: 'linear',
      use_karras_sigmas: false,
    })
    expect(json('vae_decoder/config.json')).toMatchObject({ _class_name: 'AutoencoderKL', scaling_factor: 0.13025 })
    expect(json('unet/config.json')).toMatchObject({
      addition_embed_type: 'text_time',
      addition_time_embed_dim: 8,
      cross_attention_dim: D1 + D2,
      projection_class_embeddings_input_dim: PROJ + 6 * 8,
      layers_per_block: 2,
      use_linear_projection: true,
      down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
      up_block_types: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
    })
    expect(json('text_encoder/config.json')).toMatchObject({ architectures: ['CLIPTextModel'], hidden_size: D1, hidden_act: 'quick_gelu' })
    expect(json('text_encoder_2/config.json')).toMatchObject({ architectures: ['CLIPTextModelWithProjection'], hidden_size: D2, projection_dim: PROJ, hidden_act: 'gelu' })
  })

  it('ships the same CLIP BPE twice; tokenizer_2 pads with "!" (id 0), tokenizer with <|endoftext|>', () => {
    for (const f of ['vocab.json', 'merges.txt']) expect(readFileSync(join(TINY, 'tokenizer_2', f))).toEqual(readFileSync(join(TINY, 'tokenizer', f)))
    const load = (dir: string) =>
      clipTokenizerFromFolderTexts({
        vocabJson: readFileSync(join(TINY, dir, 'vocab.json'), 'utf8'),
        mergesTxt: readFileSync(join(TINY, dir, 'merges.txt'), 'utf8'),
        tokenizerConfigJson: readFileSync(join(TINY, dir, 'tokenizer_config.json'), 'utf8'),
        specialTokensMapJson: readFileSync(join(TINY, dir, 'special_tokens_map.json'), 'utf8'),
      })
    const first = load('tokenizer')
    const second = load('tokenizer_2')
    expect(first.padId).toBe(49407)
    expect(second.padId).toBe(0)
    const ids = tokenizeForModel(second.tokenizer, 'a photo of a cat', { padId: second.padId }).ids
    expect(Array.from(ids.slice(0, 8))).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 0])
    expect(ids.slice(7).every((v) => v === 0)).toBe(true)
  })
})

describe('tiny-sdxl models on onnxruntime-node', () => {
  it('text_encoder (CLIPTextModel): last_hidden_state, pooler_output at EOS, hidden_states.0..2', async () => {
    const s = await open('text_encoder')
    expect(s.inputNames).toEqual(['input_ids'])
    expect(s.outputNames).toEqual(['last_hidden_state', 'pooler_output', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2'])
    const out = await s.run({ input_ids: idsTensor(promptIds(49407)) })
    for (const name of s.outputNames.filter((n) => n !== 'pooler_output')) expect(out[name]!.dims, name).toEqual([1, 77, D1])
    expect(out.pooler_output!.dims).toEqual([1, D1])
    expect(Array.from(out.pooler_output!.data as Float32Array)).toEqual(row(out.last_hidden_state!, EOS_AT, D1))
    // The last hidden state is final_layer_norm(hidden_states.N): per-token mean 0 (weight 1, bias 0).
    const last = row(out.last_hidden_state!, 3, D1)
    expect(Math.abs(last.reduce((a, b) => a + b, 0) / D1)).toBeLessThan(1e-5)
    expect(row(out['hidden_states.2']!, 3, D1)).not.toEqual(last)
  })

  it('text_encoder_2 (CLIPTextModelWithProjection): text_embeds = EOS state @ text_projection (no bias)', async () => {
    const s = await open('text_encoder_2')
    expect(s.outputNames).toEqual(['text_embeds', 'last_hidden_state', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.3'])
    const out = await s.run({ input_ids: idsTensor(promptIds(0)) })
    expect(out.text_embeds!.dims).toEqual([1, PROJ])
    expect(out['hidden_states.3']!.dims).toEqual([1, 77, D2])
    const graph = graphOf('text_encoder_2/model.onnx')
    const [matmul] = findNodes(graph, { name: '/text_projection/MatMul' })
    expect(matmul?.opType).toBe('MatMul')
    const weight = findInitializer(graph, matmul!.input[1]!)!
    expect(weight.name).toMatch(/^onnx::MatMul_\d+$/)
    expect(weight.dims).toEqual([D2, PROJ])
    const w = tensorToFloat32(weight)
    const pooled = row(out.last_hidden_state!, EOS_AT, D2)
    const expected = Array.from({ length: PROJ }, (_, j) => pooled.reduce((sum, v, i) => sum + v * w[i * PROJ + j]!, 0))
    const got = Array.from(out.text_embeds!.data as Float32Array)
    for (let j = 0; j < PROJ; j++) expect(got[j]).toBeCloseTo(expected[j]!, 5)
    // OpenCLIP bigG uses exact gelu (Erf), CLIP-L quick_gelu (Sigmoid).
    expect(findNodes(graph, { opType: 'Erf' }).length).toBe(3)
    expect(findNodes(graphOf('text_encoder/model.onnx'), { opType: 'Erf' })).toHaveLength(0)
  })

  it('stores both 49408-row token embeddings as float16 read through a Cast to float', () => {
    for (const [file, d] of [['text_encoder/model.onnx', D1], ['text_encoder_2/model.onnx', D2]] as const) {
      const graph = graphOf(file)
      const weight = findInitializer(graph, 'text_model.embeddings.token_embedding.weight')!
      expect(weight.dataType).toBe(DataType.FLOAT16)
      expect(weight.dims).toEqual([49408, d])
      const [cast] = consumersOf(graph, 'text_model.embeddings.token_embedding.weight')
      expect(cast?.opType).toBe('Cast')
      expect(findInitializer(graph, 'text_model.encoder.layers.0.self_attn.q_proj.bias')?.dims).toEqual([d])
      expect(findInitializer(graph, 'text_model.final_layer_norm.weight')?.dims).toEqual([d])
    }
  })

  it('unet: SDXL inputs, torch names, linear proj_in/out, and text_embeds / time_ids change the output', async () => {
    const s = await open('unet')
    expect(s.inputNames).toEqual(['sample', 'timestep', 'encoder_hidden_states', 'text_embeds', 'time_ids'])
    expect(s.outputNames).toEqual(['out_sample'])
    const graph = graphOf('unet/model.onnx')
    const param = (name: string) => findInitializer(graph, name)?.dims
    expect(param('add_embedding.linear_1.weight')).toEqual([32, PROJ + 6 * 8])
    expect(param('add_embedding.linear_2.weight')).toEqual([32, 32])
    expect(param('time_embedding.linear_1.weight')).toEqual([32, 16])
    const toK = findNodes(graph, { name: '/down_blocks.1/attentions.0/transformer_blocks.0/attn2/to_k/MatMul' })[0]!
    expect(findInitializer(graph, toK.input[1]!)?.dims).toEqual([D1 + D2, 16])
    expect(findNodes(graph, { name: '/down_blocks.2/attentions.1/proj_in/MatMul' })).toHaveLength(1)
    expect(findNodes(graph, { name: '/up_blocks.1/attentions.2/proj_out/MatMul' })).toHaveLength(1)
    expect(graph.node.some((n) => /proj_(in|out)\/Conv/.test(n.name ?? ''))).toBe(false)
    expect(graph.node.some((n) => (n.name ?? '').startsWith('/down_blocks.0/attentions'))).toBe(false)
    expect(graph.node.some((n) => (n.name ?? '').startsWith('/up_blocks.2/attentions'))).toBe(false)
    expect(param('up_blocks.0.resnets.2.conv1.weight')).toEqual([24, 24 + 16, 3, 3])
    expect(param('down_blocks.2.downsamplers.0.conv.weight')).toBeUndefined()

    const B = 2
    const fill = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i))
    const feeds = (timeIds: number[], textScale: number) => ({
      sample: new ort.Tensor('float32', fill(B * 4 * 16 * 16, (i) => Math.sin(i * 0.37)), [B, 4, 16, 16]),
      timestep: new ort.Tensor('int64', BigInt64Array.of(499n), [1]),
      encoder_hidden_states: new ort.Tensor('float32', fill(B * 77 * (D1 + D2), (i) => Math.cos(i * 0.11)), [B, 77, D1 + D2]),
      text_embeds: new ort.Tensor('float32', fill(B * PROJ, (i) => textScale * Math.sin(i)), [B, PROJ]),
      time_ids: new ort.Tensor('float32', Float32Array.from([...timeIds, ...timeIds]), [B, 6]),
    })
    const run = async (timeIds: number[], textScale: number) => (await s.run(feeds(timeIds, textScale))).out_sample!
    const base = await run([128, 128, 0, 0, 128, 128], 1)
    expect(base.dims).toEqual([B, 4, 16, 16])
    expect((base.data as Float32Array).every(Number.isFinite)).toBe(true)
    const data = (t: ort.Tensor) => Array.from(t.data as Float32Array)
    expect(data(await run([128, 128, 0, 0, 128, 128], 1))).toEqual(data(base))
    expect(data(await run([256, 128, 0, 0, 128, 128], 1))).not.toEqual(data(base))
    expect(data(await run([128, 128, 0, 0, 128, 128], 0.5))).not.toEqual(data(base))
  })

  it('vae_decoder decodes latents to [B, 3, 8h, 8w]', async () => {
    const s = await open('vae_decoder')
    const out = await s.run({ latent_sample: new ort.Tensor('float32', new Float32Array(4 * 8 * 8).fill(0.5), [1, 4, 8, 8]) })
    expect(out.sample!.dims).toEqual([1, 3, 64, 64])
  })
})

describe('src/models/pipeline.ts on tiny-sdxl', () => {
  it('detects SDXL with two text encoders, text_time UNet and the SDXL VAE scaling', async () => {
    const folder = await readPipelineFolder(new NodeFileSource('public/models'), 'tiny-sdxl')
    expect(folder.variant).toBe('sdxl')
    expect(folder.vaeDecoder.scalingFactor).toBe(0.13025)
    expect(folder.vaeDecoder.scaleFactor).toBe(8)
    expect(folder.unet.additionEmbedType).toBe('text_time')
    expect(folder.unet.latentMultiple).toBe(4)
    expect(folder.textEncoders.map((e) => [e.folder, e.role])).toEqual([
      ['text_encoder', 'primary'],
      ['text_encoder_2', 'secondary'],
    ])
    expect(JSON.parse(folder.textEncoders[1]!.tokenizer.tokenizerConfigJson!)).toMatchObject({ pad_token: '!' })
    expect(folder.textEncoders[1]!.model.path).toBe('tiny-sdxl/text_encoder_2/model.onnx')
  })
})

describe('tiny-sdxl generator', () => {
  it('regenerates byte-identical files (sha256) to the committed ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tiny-sdxl-'))
    try {
      await generateTinySdxl(dir)
      const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex')
      for (const file of TINY_SDXL_FILES) expect(await sha(join(dir, file)), file).toBe(await sha(join(TINY, file)))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('keeps the whole tiny SDXL pipeline within 9 MB (2.7 MB of it the two tokenizer copies)', () => {
    const total = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? total(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0)
    expect(total(TINY)).toBeLessThanOrEqual(9 * 1024 * 1024)
  })
})
