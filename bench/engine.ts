// Engine overhead: the tiny 4-step graph through the engine vs the same work as bare onnxruntime calls,
// interleaved in one process with warm sessions; then a seed-only re-run against a full run.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { nodeDefinitions } from '../nodes/index.js'
import type { NodeServices } from '../nodes/services.js'
import { Engine, NodeRegistry, type ExecGraph } from '../src/engine/index.js'
import { applyOverrides, toExecGraph } from '../src/graph/exec.js'
import { encodePng } from '../src/graph/png.js'
import { parseGraphFile } from '../src/graph/parse.js'
import { decodedToRgba } from '../src/imaging/decoded-image.js'
import { NodeFileSource } from '../src/models/node-files.js'
import { createNodeBackend } from '../src/runtime/node.js'
import { SessionCache } from '../src/runtime/session-cache.js'
import { createScheduler, TorchGenerator } from '../src/sampling/index.js'
import { clipTokenizerFromFiles, tokenizeForModel } from '../src/text/index.js'
import { fmt, median, spread, timeIt } from './stats.js'

const root = join(import.meta.dirname, '..')
const modelDir = join(root, 'public', 'models', 'tiny-sd15')

async function bareOrt(): Promise<(prompt: string, seed: number) => Promise<void>> {
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'] }
  const text = await ort.InferenceSession.create(join(modelDir, 'text_encoder', 'model.onnx'), opts)
  const unet = await ort.InferenceSession.create(join(modelDir, 'unet', 'model.onnx'), opts)
  const vae = await ort.InferenceSession.create(join(modelDir, 'vae_decoder', 'model.onnx'), opts)
  const tokenizer = clipTokenizerFromFiles(readFileSync(join(modelDir, 'tokenizer', 'vocab.json'), 'utf8'), readFileSync(join(modelDir, 'tokenizer', 'merges.txt'), 'utf8'))
  const schedulerConfig = JSON.parse(readFileSync(join(modelDir, 'scheduler', 'scheduler_config.json'), 'utf8')) as Record<string, unknown>
  const scaling = (JSON.parse(readFileSync(join(modelDir, 'vae_decoder', 'config.json'), 'utf8')) as { scaling_factor: number }).scaling_factor
  return async (prompt: string, seed: number) => {
    const ids = tokenizeForModel(tokenizer, prompt, { padId: 49407 }).ids
    const hidden = (await text.run({ input_ids: new ort.Tensor('int32', ids, [1, 77]) })).last_hidden_state!
    const scheduler = createScheduler('ddim', { ...schedulerConfig, timestep_spacing: 'trailing' })
    scheduler.setTimesteps(4)
    const h = 32
    let latents = new TorchGenerator(seed).randn(4 * h * h)
    for (const t of scheduler.timesteps) {
      const out = await unet.run({
        sample: new ort.Tensor('float32', scheduler.scaleModelInput(latents, t), [1, 4, h, h]),
        timestep: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), [1]),
        encoder_hidden_states: hidden,
      })
      latents = scheduler.step(out.out_sample!.data as Float32Array, t, latents)
    }
    const scaled = latents.map((v) => v / scaling)
    const image = (await vae.run({ latent_sample: new ort.Tensor('float32', scaled, [1, 4, h, h]) })).sample!
    const rgba = decodedToRgba(image.data as Float32Array, image.dims)
    encodePng(rgba.images[0]!, rgba.width, rgba.height)
  }
}

export async function benchEngine(iterations = 20, rounds = 5): Promise<string[]> {
  const registry = new NodeRegistry(nodeDefinitions)
  const file = parseGraphFile(readFileSync(join(root, 'graphs', 'tiny-sd15-4step.json'), 'utf8'))
  const graph = toExecGraph(file)
  const backend = createNodeBackend()
  const sessions = new SessionCache(backend)
  const services: NodeServices = {
    backend,
    sessions,
    files: new NodeFileSource(join(root, 'public', 'models')),
    resolveModel: (name) => name,
    emitImages: async () => [],
  }
  const runFresh = (g: ExecGraph) => new Engine({ registry, services }).run(g)
  const bare = await bareOrt()
  const prompt = (i: number) => `a photo of an astronaut riding a horse on mars, variation ${i}`
  // Interactive use: a warm engine where each run changes the prompt and the seed, so the text encoder, sampler,
  // decoder and save node all run (only the loader and the empty latent are cached), against the same work as
  // bare onnxruntime calls.
  const warm = new Engine({ registry, services })
  const varied = (i: number) => toExecGraph(applyOverrides(file, [`2.text=${prompt(i)}`, `4.seed=${1000 + i}`], registry))
  await warm.run(varied(999))
  await bare(prompt(999), 1999)
  // Rounds of interleaved pairs: each round's ratio of medians is one sample, so the printed spread shows how
  // much the figure moves between measurements on this machine, not just one lucky number.
  const ratios: number[] = []
  const engineTimes: number[] = []
  const bareTimes: number[] = []
  for (let round = 0; round < rounds; round++) {
    const roundEngine: number[] = []
    const roundBare: number[] = []
    for (let i = 0; i < iterations; i++) {
      const n = round * iterations + i
      // Alternate which goes first, so neither always runs on caches warmed by the other.
      // The edited graph is built before timing: applying an edit is the editor's work, not the engine's.
      const edited = varied(n)
      const pair = [() => timeIt(() => warm.run(edited)).then((t) => roundEngine.push(t)), () => timeIt(() => bare(prompt(n), 1000 + n)).then((t) => roundBare.push(t))]
      for (const run of n % 2 === 0 ? pair : pair.reverse()) await run()
    }
    ratios.push(median(roundEngine) / median(roundBare))
    engineTimes.push(...roundEngine)
    bareTimes.push(...roundBare)
  }

  // Seed-only change on a warm engine: which nodes re-run, and how long against a full run.
  const engine = new Engine({ registry, services })
  await engine.run(graph)
  const fullTimes: number[] = []
  const seedTimes: number[] = []
  let ran: readonly string[] = []
  let cached: readonly string[] = []
  for (let i = 0; i < iterations; i++) {
    fullTimes.push(await timeIt(() => runFresh(graph)))
    const reseeded = toExecGraph(applyOverrides(file, [`4.seed=${100 + i}`], registry))
    const start = performance.now()
    const result = await engine.run(reseeded)
    seedTimes.push(performance.now() - start)
    ran = result.nodesRun
    cached = result.nodesCached
  }
  const titles = (ids: readonly string[]) => ids.map((id) => `${id}:${graph.nodes.find((n) => n.id === id)?.type}`).join(', ')
  await sessions.dispose()
  return [
    `engine overhead (tiny 4-step graph, new prompt and seed each run, ${rounds} rounds of ${iterations} interleaved runs, warm sessions): engine ${fmt(median(engineTimes))} vs bare onnxruntime ${fmt(median(bareTimes))}; engine/bare ${spread(ratios)} (target <= 1.03)`,
    `seed-only re-run: ran [${titles(ran)}], cached [${titles(cached)}]; ${fmt(median(seedTimes))} vs full run ${fmt(median(fullTimes))} -> ratio ${(median(seedTimes) / median(fullTimes)).toFixed(3)}`,
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchEngine()) console.log(line)
}
