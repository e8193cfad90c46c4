// The AestheticScore node end to end: the tiny SD1.5 4-step graph -> VAEDecode -> AestheticScore (tiny CLIP vision
// tower + the real LAION head) -> SaveImage, through the engine and the CLI's host services.
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine, NodeExecutionError, NodeRegistry, type EngineEvent, type ExecGraph, type ExecNode } from '../../src/engine/index.js'
import { loadGraph } from '../../src/cli/graph-loading.js'
import { createCliHost, type CliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { buildClipVision, TINY_CLIP_VISION } from '../../scripts/models/clip-vision.js'
import { DataType, encodeModel, makeValueInfo, requireGraph } from '../../src/models/onnx/index.js'
import { readSafetensors } from '../../src/models/safetensors/reader.js'
import { encodeSafetensors, float32Bytes } from '../../src/models/safetensors/writer.js'
import { nodeDefinitions } from '../../nodes/index.js'
import type { ImageBatch } from '../../nodes/types.js'
import type { ImageOutput } from '../../nodes/services.js'
import { aestheticScore, parseAestheticHead } from '../../src/reward/aesthetic.js'
import { clipPixelValues } from '../../src/reward/clip-preprocess.js'

const ROOT = join(import.meta.dirname, '..', '..')
const MODELS = join(ROOT, 'public', 'models')
const GRAPH = join(ROOT, 'graphs', 'tiny-sd15-4step.json')

interface Harness {
  engine: Engine
  host: CliHost
  images: ImageOutput[]
  events: EngineEvent[]
}

let tmp: string
const hosts: CliHost[] = []

function harness(overrides: Record<string, string> = {}): Harness {
  const images: ImageOutput[] = []
  const resolver = createModelResolver(MODELS, new Map(Object.entries(overrides)))
  const host = createCliHost({ resolver, onImages: (out) => (images.push(out), [{ name: `image-${images.length}` }]) })
  hosts.push(host)
  return { engine: new Engine({ registry: new NodeRegistry(nodeDefinitions), services: host.services }), host, images, events: [] }
}

/** The shipped graph with an AestheticScore node on the decoded image, and SaveImage fed through it. */
async function scoredGraph(scoreInputs: Record<string, string> = {}, overrides: readonly string[] = []): Promise<ExecGraph> {
  const { exec } = await loadGraph(GRAPH, new NodeRegistry(nodeDefinitions), overrides)
  const score: ExecNode = { id: 'score', type: 'AestheticScore', inputs: { image: { from: ['5', 'image'] }, ...scoreInputs } }
  const nodes = exec.nodes.map((n): ExecNode => (n.type === 'SaveImage' ? { ...n, inputs: { ...n.inputs, image: { from: ['score', 'image'] } } } : n))
  return { nodes: [...nodes, score] }
}

async function run(h: Harness, graph: ExecGraph) {
  const result = await h.engine.run(graph, { onEvent: (e) => h.events.push(e) })
  return { result, outputs: result.outputs.get('score') as { score: number; scores: string; image: ImageBatch } }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'reward-node-'))
})

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.dispose()))
  await rm(tmp, { recursive: true, force: true })
})

describe('AestheticScore on the tiny 4-step pipeline', () => {
  it('scores the decoded image, reports progress, and passes the image on with aesthetic_score', async () => {
    const h = harness()
    const { outputs } = await run(h, await scoredGraph())
    expect(Number.isFinite(outputs.score)).toBe(true)
    expect(outputs.scores).toBe(outputs.score.toFixed(4))
    expect(h.events.some((e) => e.type === 'progress' && e.nodeId === 'score' && e.value === 1 && e.max === 1)).toBe(true)
    expect(h.events.some((e) => e.type === 'node-warning' && e.nodeId === 'score' && /not a CLIP ViT-L\/14/.test(e.message))).toBe(true)
    expect(outputs.image.parameters.aesthetic_score).toBe(Number(outputs.score.toFixed(4)))
    expect(outputs.image.parameters.seed).toBe(42)
    expect(h.images).toHaveLength(1)
    expect(h.images[0]!.parameters.aesthetic_score).toBe(outputs.image.parameters.aesthetic_score)
  })

  it('equals preprocessing + the vision tower + the head applied by hand, and is deterministic across engines', async () => {
    const a = await run(harness(), await scoredGraph())
    const b = await run(harness(), await scoredGraph())
    expect(b.outputs.score).toBe(a.outputs.score)

    const decoded = a.result.outputs.get('5')!.image as ImageBatch
    const h = harness()
    const session = await h.host.sessions.getOrCreate('manual', async () => ({
      key: 'manual',
      bytes: new Uint8Array(readFileSync(join(MODELS, 'tiny-clip-vision', 'model.onnx'))),
    }))
    const pixels = clipPixelValues(decoded.images, decoded.width, decoded.height)
    const embeds = (await session.run({ pixel_values: { dtype: 'float32', ...pixels } })).image_embeds!.data as Float32Array
    const head = parseAestheticHead(new Uint8Array(readFileSync(join(MODELS, 'aesthetic', 'aesthetic-mlp-l14.safetensors'))), 'head')
    expect(a.outputs.score).toBe(aestheticScore(head, embeds))
  })

  it('scores each image of a batch and outputs their mean', async () => {
    const { outputs } = await run(harness(), await scoredGraph({}, ['3.batch=2']))
    const scores = outputs.scores.split(', ').map(Number)
    expect(scores).toHaveLength(2)
    expect(scores[0]).not.toBe(scores[1])
    expect(outputs.score).toBeCloseTo((scores[0]! + scores[1]!) / 2, 3)
    expect(outputs.image.parameters.aesthetic_scores).toBe(outputs.scores)
    expect(outputs.image.images).toHaveLength(2)
  })

  it('re-reads an edited head file (the parsed-head cache is keyed by content)', async () => {
    const original = new Uint8Array(readFileSync(join(MODELS, 'aesthetic', 'aesthetic-mlp-l14.safetensors')))
    const file = join(tmp, 'edited-head.safetensors')
    const withFinalBias = (delta: number): Uint8Array => {
      const st = readSafetensors(original, 'head')
      return encodeSafetensors(
        [...st.tensors.keys()].map((name) => {
          const t = st.floats(name)
          const data = name === 'layers.7.bias' ? t.data.map((v) => v + delta) : t.data
          return { name, dtype: 'F32' as const, shape: t.shape, data: float32Bytes(data) }
        }),
      )
    }
    await writeFile(file, withFinalBias(0))
    const before = await run(harness({ 'edited-head': file }), await scoredGraph({ head: 'edited-head' }))
    await writeFile(file, withFinalBias(1))
    const after = await run(harness({ 'edited-head': file }), await scoredGraph({ head: 'edited-head' }))
    // The last layer's bias adds straight onto the score.
    expect(after.outputs.score - before.outputs.score).toBeCloseTo(1, 5)
  })

  it('changes when the image changes (another seed)', async () => {
    const a = await run(harness(), await scoredGraph())
    const b = await run(harness(), await scoredGraph({}, ['4.seed=7']))
    expect(b.outputs.score).not.toBe(a.outputs.score)
  })
})

describe('AestheticScore errors name the input', () => {
  async function failure(graph: ExecGraph, overrides: Record<string, string> = {}): Promise<NodeExecutionError> {
    const error = await harness(overrides).engine.run(graph).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(NodeExecutionError)
    return error as NodeExecutionError
  }

  it('a head with a wrong tensor shape names the file and the tensor', async () => {
    const widths = [768, 1024, 128, 64, 16, 1]
    const tensors = [0, 2, 4, 6, 7].flatMap((key, i) => {
      const shape = [widths[i + 1]!, key === 2 ? 1000 : widths[i]!]
      return [
        { name: `layers.${key}.weight`, dtype: 'F32' as const, shape, data: float32Bytes(new Float32Array(shape[0]! * shape[1]!)) },
        { name: `layers.${key}.bias`, dtype: 'F32' as const, shape: [widths[i + 1]!], data: float32Bytes(new Float32Array(widths[i + 1]!)) },
      ]
    })
    const file = join(tmp, 'bad-head.safetensors')
    await writeFile(file, encodeSafetensors(tensors))
    const error = await failure(await scoredGraph({ head: 'bad-head' }), { 'bad-head': file })
    expect(error.nodeId).toBe('score')
    expect(error.input).toBe('head')
    expect(error.message).toContain(`${file}: tensor "layers.2.weight" has shape [128, 1000], expected [128, 1024]`)
  })

  it('a missing head file', async () => {
    const error = await failure(await scoredGraph({ head: 'aesthetic/nope.safetensors' }))
    expect(error.input).toBe('head')
    expect(error.message).toMatch(/nope\.safetensors: file not found/)
  })

  it('a missing vision model folder', async () => {
    const error = await failure(await scoredGraph({ vision_model: 'no-such-clip' }))
    expect(error.input).toBe('vision_model')
    expect(error.message).toMatch(/no-such-clip: model folder not found/)
  })

  it('a fixed-size tower whose input does not match the preprocessor crop', async () => {
    const model = buildClipVision()
    requireGraph(model).input[0] = makeValueInfo('pixel_values', DataType.FLOAT, ['batch_size', 3, 224, 224])
    const dir = join(tmp, 'fixed-224')
    await mkdir(dir)
    await writeFile(join(dir, 'model.onnx'), encodeModel(model))
    await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify({ size: { shortest_edge: 256 }, crop_size: { height: 256, width: 256 } }))
    const error = await failure(await scoredGraph({ vision_model: dir }))
    expect(error.input).toBe('vision_model')
    expect(error.message).toContain(`${join(dir, 'model.onnx')}: pixel_values is 224x224 but the preprocessor config crops 256x256`)
  })

  it('a tower whose image_embeds are not 768-dim (not ViT-L/14)', async () => {
    const dir = join(tmp, 'proj-512')
    await mkdir(dir)
    await writeFile(join(dir, 'model.onnx'), encodeModel(buildClipVision({ ...TINY_CLIP_VISION, projectionDim: 512 })))
    const error = await failure(await scoredGraph({ vision_model: dir }))
    expect(error.input).toBe('vision_model')
    expect(error.message).toContain(`${join(dir, 'model.onnx')}: image_embeds has 512 values, the head expects 768 (CLIP ViT-L/14)`)
  })

  it('a model that is not a CLIP vision tower', async () => {
    const error = await failure(await scoredGraph({ vision_model: 'tiny-sd15/vae_decoder' }))
    expect(error.input).toBe('vision_model')
    expect(error.message).toContain(`${join(MODELS, 'tiny-sd15', 'vae_decoder', 'model.onnx')}: not a CLIP vision tower with projection`)
    expect(error.message).toContain('has inputs latent_sample and outputs sample')
  })
})
