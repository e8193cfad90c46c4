// The bundled hyper-shapes model as shipped: its files are the ones training/ exported (sha256 from
// training/shipped.json), onnxruntime-node runs each ONNX file as torch computed it at export
// (training/reference-outputs.json), the 4-step LoRA at live scale 0 gives the teacher's plain DDIM picture, and the
// 4- and 1-step graphs reach the README's accuracy.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageBatch } from '../../nodes/types.js'
import { createNodeBackend } from '../../src/runtime/node.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import { parseEvalArgs } from '../../scripts/eval/options.js'
import { runShapesEval } from '../../scripts/eval/run.js'
import { evalVariants, variantId } from '../../scripts/eval/variants.js'
import { maxAbsDiff } from '../helpers/arrays.js'
import { createTestHost, ROOT, shippedGraph, withOverrides } from '../helpers/tiny-host.js'

interface Shipped {
  command: string
  timings_seconds: Record<string, number>
  files: Record<string, { sha256: string; bytes: number }>
}
interface Reference {
  caption: string
  timestep: number
  latent: number[]
  text: { sum: number; abs_sum: number; row5: number[]; pooled_sum: number }
  unet: { out_sample: number[] }
  vae_decoder: { mean: number; abs_mean: number; indices: number[]; values: number[] }
  vae_encoder: { latent_sample: number[] }
}

const shipped = JSON.parse(readFileSync(join(ROOT, 'training', 'shipped.json'), 'utf8')) as Shipped
const reference = JSON.parse(readFileSync(join(ROOT, 'training', 'reference-outputs.json'), 'utf8')) as Reference
const FOLDER = join(ROOT, 'public', 'models', 'hyper-shapes')
const backend = createNodeBackend()
const sessions: ModelSession[] = []
afterAll(async () => Promise.all(sessions.map((s) => s.dispose())))

async function session(component: string): Promise<ModelSession> {
  const path = join(FOLDER, component, 'model.onnx')
  const created = await backend.createSession({ key: path, bytes: readFileSync(path) })
  sessions.push(created)
  return created
}

const out = async (s: ModelSession, feeds: Record<string, HostTensor>, name: string) => toFloat32((await s.run(feeds))[name]!)
const sum = (a: Float32Array) => a.reduce((x, y) => x + y, 0)

describe('the shipped hyper-shapes model', () => {
  it('every shipped file has the sha256 that training/shipped.json records', () => {
    const files = Object.entries(shipped.files)
    expect(shipped.command).toBe('npm run train')
    expect(files.length).toBeGreaterThanOrEqual(20)
    for (const [file, { sha256, bytes }] of files) {
      const data = readFileSync(join(ROOT, file))
      expect(data.byteLength, file).toBe(bytes)
      expect(createHash('sha256').update(data).digest('hex'), file).toBe(sha256)
    }
    const total = files.reduce((a, [, f]) => a + f.bytes, 0)
    // 44 MB: over the "about 30 MB" (fp32 UNet and token table, eight LoRAs); see the README.
    expect(total / 1e6).toBeLessThan(45)
  })

  it("the run that made them timed each of train.py's stages, within the 90-minute budget", () => {
    // train.py's STAGES names, in order (export's few seconds are not timed).
    const source = readFileSync(join(ROOT, 'training', 'train.py'), 'utf8')
    const stages = [...source.matchAll(/^ {4}\("([\w-]+)", /gm)].map((m) => m[1]).filter((s) => s !== 'export')
    expect(stages).toContain('dmd-1')
    expect(Object.keys(shipped.timings_seconds).sort()).toEqual([...stages].sort())
    const minutes = Object.values(shipped.timings_seconds).reduce((a, b) => a + b, 0) / 60
    expect(minutes).toBeLessThanOrEqual(90)
  })

  it('onnxruntime runs the text encoder, UNet and VAE as torch did at export', async () => {
    const ids = new Int32Array(77).fill(49407)
    // reference.caption through CLIP's BPE: a large red circle in the middle on a blue background
    ids.set([49406, 320, 3638, 736, 7117, 530, 518, 3694, 525, 320, 1746, 5994, 49407])
    const text = await session('text_encoder')
    const hidden = await out(text, { input_ids: { dtype: 'int32', dims: [1, 77], data: ids } }, 'last_hidden_state')
    // Summed over 77 x 64 values, float rounding differs by far less than 1e-4 of the magnitude.
    expect(Math.abs(sum(hidden) - reference.text.sum)).toBeLessThan(1e-4 * reference.text.abs_sum)
    expect(maxAbsDiff(hidden.subarray(5 * 64, 5 * 64 + 8), Float32Array.from(reference.text.row5))).toBeLessThan(1e-4)

    const latent = Float32Array.from(reference.latent)
    const unet = await session('unet')
    const eps = await out(unet, {
      sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: latent },
      timestep: { dtype: 'int64', dims: [1], data: BigInt64Array.of(BigInt(reference.timestep)) },
      encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 64], data: hidden },
    }, 'out_sample')
    expect(maxAbsDiff(eps, Float32Array.from(reference.unet.out_sample))).toBeLessThan(1e-3)

    const decoder = await session('vae_decoder')
    const image = await out(decoder, { latent_sample: { dtype: 'float32', dims: [1, 4, 8, 8], data: latent } }, 'sample')
    expect(maxAbsDiff(Float32Array.from(reference.vae_decoder.indices, (i) => image[i]!), Float32Array.from(reference.vae_decoder.values))).toBeLessThan(1e-3)

    const encoder = await session('vae_encoder')
    const clamped = image.map((v) => Math.min(1, Math.max(-1, v)))
    const encoded = await out(encoder, { sample: { dtype: 'float32', dims: [1, 3, 64, 64], data: clamped } }, 'latent_sample')
    expect(maxAbsDiff(encoded, Float32Array.from(reference.vae_encoder.latent_sample))).toBeLessThan(1e-3)
  })

  it('the 4-step LoRA at live scale 0 gives the teacher\'s plain 4-step DDIM picture, and at scale 1 another', async () => {
    const host = createTestHost()
    try {
      const pixels = async (graph: string, overrides: string[]) => {
        const result = await host.engine.run(withOverrides(shippedGraph(graph), overrides))
        const image = [...result.outputs.values()].find((o): o is { image: ImageBatch } => typeof o === 'object' && o !== null && 'image' in o)!
        return image.image.images[0]!
      }
      const prompt = 'a small green triangle in the top right on a black background'
      const teacherPlain = await pixels('shapes-teacher.json', [`2.text=${prompt}`, '4.steps=4', '4.scheduler=ddim-trailing', '4.cfg=1', '4.seed=7'])
      const scaleZero = await pixels('shapes-4step.json', [`2.text=${prompt}`, '4.seed=7', '9.scale=0'])
      const scaleOne = await pixels('shapes-4step.json', [`2.text=${prompt}`, '4.seed=7', '9.scale=1'])
      expect(Buffer.from(scaleZero).equals(Buffer.from(teacherPlain))).toBe(true)
      expect(Buffer.from(scaleOne).equals(Buffer.from(teacherPlain))).toBe(false)
    } finally {
      await host.dispose()
    }
  })

  // Each evaluation row that runs a graph's own LoRA as the graph samples it: the 4-step reward fine-tune, and the
  // 1-step score-distilled LoRA, trained and sampled from t=800 (from t=999 it gets about 42%).
  it.each([
    { file: 'shapes-4step.json', row: 'refl/4' },
    { file: 'shapes-1step.json', row: 'dmd/1' },
  ])('$file gets the README\'s all-right accuracy on the held-out captions (within 0.05): row $row', async ({ file, row }) => {
    const published = JSON.parse(readFileSync(join(ROOT, 'docs', 'eval', 'shapes-eval.json'), 'utf8')) as {
      captions: number
      seeds: number[]
      results: { id: string; allRight: number; accuracy: Record<string, number> }[]
    }
    const graph = JSON.parse(readFileSync(join(ROOT, 'graphs', file), 'utf8')) as { nodes: { id: string; inputs: Record<string, unknown> }[] }
    const variant = evalVariants({ cfg: 2.5 }).find((v) => variantId(v) === row)!
    expect(variant.graph).toBe(file)
    expect(graph.nodes.find((n) => n.id === '9')!.inputs['lora']).toBe(variant.lora)
    const sampler = graph.nodes.find((n) => n.id === '4')!.inputs
    expect({ steps: sampler['steps'], scheduler: sampler['scheduler'] }).toEqual({ steps: variant.steps, scheduler: variant.scheduler })
    const figure = published.results.find((r) => r.id === row)!
    expect(published.captions).toBeGreaterThanOrEqual(32)
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`| ${row} | ${(100 * figure.allRight).toFixed(1)}%`)
    const out = mkdtempSync(join(tmpdir(), 'shapes-eval-'))
    const options = parseEvalArgs(['--captions', String(published.captions), '--seeds', published.seeds.join(','), '--only', row, '--out', out, '--grid-rows', '0'])
    const outcome = await runShapesEval(options, () => {})
    expect(outcome.results.map((r) => r.id)).toEqual([row])
    expect(outcome.results[0]!.n).toBe(published.captions * published.seeds.length)
    expect(Math.abs(outcome.results[0]!.allRight - figure.allRight)).toBeLessThanOrEqual(0.05)
    for (const [attribute, accuracy] of Object.entries(figure.accuracy)) {
      expect(Math.abs(outcome.results[0]!.accuracy[attribute as keyof typeof outcome.results[0]['accuracy']] - accuracy), attribute).toBeLessThanOrEqual(0.05)
    }
  }, 300_000)
})
