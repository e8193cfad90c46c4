import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { beforeAll, describe, expect, it } from 'vitest'
import { TINY_SD15_FILES, UNET_DATA_FILE, generateTinySd15 } from '../../scripts/models/tiny-sd15.js'
import { DataLocation, decodeModel, findInitializer, findNodes, listInitializers, requireGraph, type OnnxGraph } from '../../src/models/onnx/index.js'
import { maxAbsDiff } from '../helpers/arrays.js'

const TINY = join(import.meta.dirname, '..', '..', 'public', 'models', 'tiny-sd15')
const json = (file: string) => JSON.parse(readFileSync(join(TINY, file), 'utf8')) as Record<string, unknown>
const graphOf = (file: string): OnnxGraph => requireGraph(decodeModel(new Uint8Array(readFileSync(join(TINY, file)))))
const D = 16 // text hidden size = cross_attention_dim

function expectFinite(data: Float32Array): void {
  const bad = data.findIndex((v) => !Number.isFinite(v))
  expect(bad, `non-finite value at ${bad}`).toBe(-1)
}

describe('tiny-sd15 folder layout and configs', () => {
  it('has the Optimum ORTStableDiffusionPipeline layout', () => {
    expect(json('model_index.json')).toMatchObject({
      _class_name: 'ORTStableDiffusionPipeline',
      scheduler: ['diffusers', 'PNDMScheduler'],
      text_encoder: ['optimum', 'ORTModelTextEncoder'],
      unet: ['optimum', 'ORTModelUnet'],
      vae_decoder: ['optimum', 'ORTModelVaeDecoder'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
    })
    for (const file of TINY_SD15_FILES) expect(statSync(join(TINY, file)).size, file).toBeGreaterThan(0)
  })

  it('uses the SD base scheduler config', () => {
    expect(json('scheduler/scheduler_config.json')).toMatchObject({
      _class_name: 'PNDMScheduler',
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      beta_end: 0.012,
      num_train_timesteps: 1000,
      set_alpha_to_one: false,
      steps_offset: 1,
      clip_sample: false,
      prediction_type: 'epsilon',
      skip_prk_steps: true,
    })
  })

  it('ships the real CLIP tokenizer files with SD1.5 token settings', () => {
    const vocab = json('tokenizer/vocab.json')
    expect(Object.keys(vocab)).toHaveLength(49408)
    expect(vocab['<|startoftext|>']).toBe(49406)
    expect(vocab['<|endoftext|>']).toBe(49407)
    expect(readFileSync(join(TINY, 'tokenizer/merges.txt'), 'utf8').startsWith('#version')).toBe(true)
    expect(readFileSync(join(TINY, 'tokenizer/LICENSE.md'), 'utf8')).toMatch(/MIT License/)
    expect(json('tokenizer/tokenizer_config.json')).toMatchObject({ pad_token: '<|endoftext|>', model_max_length: 77 })
    expect(json('tokenizer/special_tokens_map.json')).toMatchObject({
      pad_token: '<|endoftext|>',
      bos_token: { content: '<|startoftext|>' },
      eos_token: { content: '<|endoftext|>' },
      unk_token: { content: '<|endoftext|>' },
    })
  })

  it('writes configs whose dimensions match the graphs', () => {
    const text = json('text_encoder/config.json')
    const unet = json('unet/config.json')
    const vae = json('vae_decoder/config.json')
    expect(text).toMatchObject({ hidden_size: D, vocab_size: 49408, max_position_embeddings: 77, hidden_act: 'quick_gelu' })
    expect(unet).toMatchObject({ cross_attention_dim: D, in_channels: 4, out_channels: 4, use_linear_projection: false, flip_sin_to_cos: true, freq_shift: 0 })
    expect(vae).toMatchObject({ scaling_factor: 0.18215, latent_channels: 4 })
    const te = graphOf('text_encoder/model.onnx')
    expect(findInitializer(te, 'text_model.final_layer_norm.weight')?.dims).toEqual([text.hidden_size])
    expect(findNodes(te, { name: /^\/text_model\/encoder\/layers\.\d+\/self_attn\/q_proj\/MatMul$/ })).toHaveLength(text.num_hidden_layers as number)
    const u = graphOf('unet/model.onnx')
    const blocks = unet.block_out_channels as number[]
    expect(findInitializer(u, 'conv_in.weight')?.dims).toEqual([blocks[0], unet.in_channels, 3, 3])
    expect(findNodes(u, { name: /^\/down_blocks\.\d+\/resnets\.0\/conv1\/Conv$/ })).toHaveLength(blocks.length)
    const v = graphOf('vae_decoder/model.onnx')
    expect(findInitializer(v, 'decoder.conv_in.weight')?.dims[1]).toBe(vae.latent_channels)
  })
})

describe('torch-export naming', () => {
  it('text encoder: named embeddings/biases, transposed onnx::MatMul_ weights, scoped nodes', () => {
    const g = graphOf('text_encoder/model.onnx')
    expect(findInitializer(g, 'text_model.embeddings.token_embedding.weight')?.dims).toEqual([49408, D])
    expect(findInitializer(g, 'text_model.embeddings.position_embedding.weight')?.dims).toEqual([77, D])
    expect(findInitializer(g, 'text_model.encoder.layers.0.self_attn.q_proj.bias')?.dims).toEqual([D])
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      const matmul = findNodes(g, { name: `/text_model/encoder/layers.0/self_attn/${proj}/MatMul` })[0]!
      expect(matmul.input[1]).toMatch(/^onnx::MatMul_\d+$/)
      const add = findNodes(g, { name: `/text_model/encoder/layers.0/self_attn/${proj}/Add` })[0]!
      expect(add.input).toEqual([`text_model.encoder.layers.0.self_attn.${proj}.bias`, matmul.output[0]])
    }
    // fc1 maps D -> 4D: the exported weight is the transposed [in, out] matrix.
    const fc1 = findNodes(g, { name: '/text_model/encoder/layers.0/mlp/fc1/MatMul' })[0]!
    expect(findInitializer(g, fc1.input[1]!)?.dims).toEqual([D, 4 * D])
    expect(findNodes(g, { name: '/text_model/final_layer_norm/LayerNormalization' })).toHaveLength(1)
  })

  it('unet: every SD1.5 component is present under its diffusers name', () => {
    const g = graphOf('unet/model.onnx')
    const params = new Set(g.initializer.map((t) => t.name))
    const scopes = new Set(g.node.map((n) => n.name!.split('/').slice(1, -1).join('.')))
    const tf = 'down_blocks.0.attentions.0.transformer_blocks.0'
    for (const p of [
      'time_embedding.linear_1.weight', 'time_embedding.linear_2.bias', 'conv_in.weight', 'conv_out.bias',
      'down_blocks.0.resnets.0.conv1.weight', 'down_blocks.0.resnets.0.conv2.bias', 'down_blocks.0.resnets.0.time_emb_proj.weight',
      'down_blocks.0.attentions.0.proj_in.weight', 'down_blocks.0.attentions.0.proj_out.bias',
      `${tf}.norm1.weight`, `${tf}.norm2.bias`, `${tf}.norm3.weight`, `${tf}.attn1.to_out.0.bias`, `${tf}.attn2.to_out.0.bias`,
      `${tf}.ff.net.0.proj.bias`, `${tf}.ff.net.2.bias`, 'down_blocks.0.downsamplers.0.conv.weight',
      'mid_block.resnets.0.conv1.weight', 'mid_block.attentions.0.proj_in.weight', 'mid_block.resnets.1.conv2.weight',
      'up_blocks.0.resnets.0.conv_shortcut.weight', 'up_blocks.0.attentions.0.proj_out.weight', 'up_blocks.0.upsamplers.0.conv.weight',
    ]) expect(params.has(p), p).toBe(true)
    for (const s of [
      'time_proj', 'down_blocks.0.resnets.0.norm1', 'down_blocks.0.resnets.0.norm2', 'down_blocks.0.attentions.0.norm',
      `${tf}.attn1.to_q`, `${tf}.attn1.to_k`, `${tf}.attn1.to_v`, `${tf}.attn2.to_q`, `${tf}.attn2.to_k`, `${tf}.attn2.to_v`,
      'up_blocks.0.resnets.0', 'conv_norm_out',
    ]) expect(scopes.has(s), s).toBe(true)
    // attn2's to_k / to_v read encoder_hidden_states through bias-free MatMuls with [D, C] weights.
    for (const proj of ['to_k', 'to_v']) {
      const [node] = findNodes(g, { name: `/down_blocks.0/attentions.0/transformer_blocks.0/attn2/${proj}/MatMul` })
      expect(node?.input[0]).toBe('encoder_hidden_states')
      expect(findInitializer(g, node!.input[1]!)?.dims).toEqual([D, 32])
      expect(findNodes(g, { name: `/down_blocks.0/attentions.0/transformer_blocks.0/attn2/${proj}/Add` })).toHaveLength(0)
    }
    expect(findNodes(g, { name: '/time_embedding/linear_1/Gemm' })[0]?.input.slice(1)).toEqual(['time_embedding.linear_1.weight', 'time_embedding.linear_1.bias'])
    const concat = findNodes(g, { name: /^\/up_blocks\.0\/Concat/ })
    expect(concat.length).toBe(2)
    expect(findNodes(g, { input: concat[0]!.output[0]! }).map((n) => n.name)).toContain('/up_blocks.0/resnets.0/conv_shortcut/Conv')
  })

  it('unet: all initializers live in model.onnx_data with correct offsets', () => {
    const model = decodeModel(new Uint8Array(readFileSync(join(TINY, 'unet/model.onnx'))))
    const g = requireGraph(model)
    expect(g.initializer.every((t) => t.dataLocation === DataLocation.EXTERNAL && t.rawData === undefined)).toBe(true)
    const data = new Uint8Array(readFileSync(join(TINY, 'unet', UNET_DATA_FILE)))
    const infos = listInitializers(g)
    expect(infos.map((i) => i.external!.offset + i.external!.length).at(-1)).toBe(data.length)
    expect(statSync(join(TINY, 'unet/model.onnx')).size).toBeLessThan(data.length)
  })

  it('vae decoder: torch names', () => {
    const g = graphOf('vae_decoder/model.onnx')
    for (const p of ['post_quant_conv.weight', 'decoder.conv_in.weight', 'decoder.mid_block.resnets.0.conv1.weight',
      'decoder.up_blocks.0.upsamplers.0.conv.weight', 'decoder.up_blocks.2.resnets.0.conv_shortcut.weight', 'decoder.conv_out.weight']) {
      expect(findInitializer(g, p), p).toBeDefined()
    }
    expect(findNodes(g, { opType: 'Resize' })).toHaveLength(3)
    expect(findNodes(g, { name: '/decoder/conv_norm_out/InstanceNormalization' })).toHaveLength(1)
  })
})

describe('tiny models in onnxruntime-node', () => {
  let text: ort.InferenceSession
  let unet: ort.InferenceSession
  let vae: ort.InferenceSession
  beforeAll(async () => {
    text = await ort.InferenceSession.create(join(TINY, 'text_encoder/model.onnx'))
    unet = await ort.InferenceSession.create(join(TINY, 'unet/model.onnx'))
    vae = await ort.InferenceSession.create(join(TINY, 'vae_decoder/model.onnx'))
  })

  const ids = (rows: number[][]) => {
    const data = new Int32Array(rows.length * 77).fill(49407)
    rows.forEach((row, r) => data.set(row, r * 77))
    return new ort.Tensor('int32', data, [rows.length, 77])
  }

  it('text encoder: names, shapes, finiteness for batch 1 and 2, all token ids', async () => {
    expect(text.inputNames).toEqual(['input_ids'])
    expect(text.outputNames).toEqual(['last_hidden_state', 'pooler_output'])
    for (const rows of [[[49406, 320, 1125, 539, 320, 2368, 49407]], [[49406, 0, 1, 49405, 49407], [49406, 49407]]]) {
      const out = await text.run({ input_ids: ids(rows) })
      expect(out.last_hidden_state!.dims).toEqual([rows.length, 77, D])
      expect(out.pooler_output!.dims).toEqual([rows.length, D])
      expectFinite(out.last_hidden_state!.data as Float32Array)
      expectFinite(out.pooler_output!.data as Float32Array)
    }
  })

  it('text encoder: causal mask and EOS pooling', async () => {
    const prompt = [49406, 320, 1125, 539, 320, 2368, 49407] // "a photo of a cat", EOS at index 6
    const changed = [...prompt, 49407, 49407, 1234] // a token after EOS (index 9)
    const out = await text.run({ input_ids: ids([prompt, changed]) })
    const h = out.last_hidden_state!.data as Float32Array
    const row = 77 * D
    // Positions 0..8 cannot see index 9: identical; index 9 onwards differ.
    expect(maxAbsDiff(h.subarray(0, row), h.subarray(row), 0, 9 * D)).toBe(0)
    expect(maxAbsDiff(h.subarray(0, row), h.subarray(row), 9 * D, 10 * D)).toBeGreaterThan(1e-3)
    // pooler_output is the hidden state at argmax(input_ids): the first EOS (index 6).
    const pooled = out.pooler_output!.data as Float32Array
    expect(Array.from(pooled.subarray(0, D))).toEqual(Array.from(h.subarray(6 * D, 7 * D)))
    expect(Array.from(pooled.subarray(D))).toEqual(Array.from(h.subarray(row + 6 * D, row + 7 * D)))
    // Changing an earlier token changes everything from there on, including the pooled output.
    const other = await text.run({ input_ids: ids([[49406, 320, 1125, 539, 320, 1929, 49407]]) })
    expect(maxAbsDiff(other.last_hidden_state!.data as Float32Array, h, 0, 5 * D)).toBe(0)
    expect(maxAbsDiff(other.pooler_output!.data as Float32Array, pooled, 0, D)).toBeGreaterThan(1e-3)
  })

  const unetFeeds = (batch: number, height: number, width: number, t: bigint, contextValue = 0.1) => ({
    sample: new ort.Tensor('float32', new Float32Array(batch * 4 * height * width).map((_, i) => Math.sin(i * 0.37)), [batch, 4, height, width]),
    timestep: new ort.Tensor('int64', BigInt64Array.from([t]), [1]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(batch * 77 * D).map((_, i) => Math.cos(i) * contextValue), [batch, 77, D]),
  })

  it('unet: names, int64 timestep, shapes for 64x64 and 32x48 latents, batch 1 and 2', async () => {
    expect(unet.inputNames).toEqual(['sample', 'timestep', 'encoder_hidden_states'])
    expect(unet.outputNames).toEqual(['out_sample'])
    for (const [b, hh, ww] of [[1, 64, 64], [2, 32, 48]] as const) {
      const out = await unet.run(unetFeeds(b, hh, ww, 999n))
      expect(out.out_sample!.dims).toEqual([b, 4, hh, ww])
      expectFinite(out.out_sample!.data as Float32Array)
    }
    // One timestep per batch entry also works (diffusers expands a single one to the batch).
    const perSample = { ...unetFeeds(2, 8, 8, 0n), timestep: new ort.Tensor('int64', BigInt64Array.from([999n, 999n]), [2]) }
    const single = (await unet.run(unetFeeds(2, 8, 8, 999n))).out_sample!.data as Float32Array
    expect(Array.from((await unet.run(perSample)).out_sample!.data as Float32Array)).toEqual(Array.from(single))
  })

  it('unet: output depends on timestep and on encoder_hidden_states (cross-attention)', async () => {
    const base = (await unet.run(unetFeeds(1, 16, 16, 999n))).out_sample!.data as Float32Array
    const laterT = (await unet.run(unetFeeds(1, 16, 16, 249n))).out_sample!.data as Float32Array
    const otherText = (await unet.run(unetFeeds(1, 16, 16, 999n, 0.9))).out_sample!.data as Float32Array
    expect(maxAbsDiff(base, laterT)).toBeGreaterThan(1e-3)
    expect(maxAbsDiff(base, otherText)).toBeGreaterThan(1e-3)
  })

  it('unet: loading from bytes with the externalData session option matches loading by path', async () => {
    const bytes = await readFile(join(TINY, 'unet/model.onnx'))
    const data = await readFile(join(TINY, 'unet', UNET_DATA_FILE))
    const fromBytes = await ort.InferenceSession.create(bytes, { externalData: [{ path: UNET_DATA_FILE, data }] })
    const feeds = unetFeeds(1, 8, 8, 500n)
    const a = (await unet.run(feeds)).out_sample!.data as Float32Array
    const b = (await fromBytes.run(feeds)).out_sample!.data as Float32Array
    expect(Array.from(b)).toEqual(Array.from(a))
  })

  it('vae decoder: [B,4,h,w] -> [B,3,8h,8w], finite, in image range', async () => {
    expect(vae.inputNames).toEqual(['latent_sample'])
    expect(vae.outputNames).toEqual(['sample'])
    for (const [b, hh, ww] of [[1, 64, 64], [2, 32, 48]] as const) {
      const latent = new Float32Array(b * 4 * hh * ww).map((_, i) => Math.sin(i * 0.1) * 5)
      const out = await vae.run({ latent_sample: new ort.Tensor('float32', latent, [b, 4, hh, ww]) })
      expect(out.sample!.dims).toEqual([b, 3, 8 * hh, 8 * ww])
      const px = out.sample!.data as Float32Array
      expectFinite(px)
      expect(px.every((v) => v > -1.5 && v < 1.5)).toBe(true)
    }
  })

  it('vae decoder: colours follow the SD1.5 latent-to-RGB approximation', async () => {
    // A smooth latent whose channels have equal statistics; compare each 8x8 output block's mean with F^T z.
    const h = 16
    const w = 16
    const latent = new Float32Array(4 * h * w)
    for (let c = 0; c < 4; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      latent[(c * h + y) * w + x] = Math.sin(0.4 * x + 1.3 * c) * Math.cos(0.3 * y - 0.7 * c)
    }
    const out = (await vae.run({ latent_sample: new ort.Tensor('float32', latent, [1, 4, h, w]) })).sample!.data as Float32Array
    const F = [[0.3512, 0.2297, 0.3227], [0.325, 0.4974, 0.235], [-0.2829, 0.1762, 0.2721], [-0.212, -0.2616, -0.7177]]
    for (let rgb = 0; rgb < 3; rgb++) {
      const expected: number[] = []
      const actual: number[] = []
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        expected.push(F.reduce((s, row, c) => s + row[rgb]! * latent[(c * h + y) * w + x]!, 0))
        let sum = 0
        for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) sum += out[(rgb * 8 * h + 8 * y + dy) * 8 * w + 8 * x + dx]!
        actual.push(sum / 64)
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length
      const me = mean(expected)
      const ma = mean(actual)
      let num = 0, de = 0, da = 0
      expected.forEach((e, i) => { num += (e - me) * (actual[i]! - ma); de += (e - me) ** 2; da += (actual[i]! - ma) ** 2 })
      expect(num / Math.sqrt(de * da), `channel ${rgb}`).toBeGreaterThan(0.9)
    }
  })
})

describe('generator', () => {
  it('regenerates byte-identical files (sha256) to the committed ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tiny-sd15-'))
    try {
      await generateTinySd15(dir)
      const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex')
      for (const file of TINY_SD15_FILES) expect(await sha(join(dir, file)), file).toBe(await sha(join(TINY, file)))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('keeps the whole tiny pipeline within 10 MB', () => {
    const total = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? total(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0)
    expect(total(TINY)).toBeLessThanOrEqual(10 * 1024 * 1024)
  })
})
