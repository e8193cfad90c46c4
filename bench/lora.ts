// LoRA benchmark on the tiny SD1.5 UNet with the kohya fixture (114 patched layers), interleaved runs, medians:
// 1. time from a LoRA-scale change to the end of the first UNet step: live (cached session, new scale input) vs
//    merge (weights re-merged, session rebuilt), as a ratio;
// 2. extra cost per UNet step of the two live forms over the merged graph (target <= 10% on the tiny UNet):
//    live (low-rank branches beside the layers) and live-delta (weights recomputed as W + s * delta).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { prepareModelWithLoras } from '../src/lora/index.js'
import { lowRankWasmAvailable } from '../src/lora/low-rank-wasm.js'
import { addLowRankProduct, addLowRankProductJs } from '../src/lora/matrix.js'
import type { BaseModel, LoraBindingLike } from '../src/lora/index.js'
import { externalDataLocations } from '../src/models/onnx/external-data.js'
import { decodeModel } from '../src/models/onnx/codec.js'
import { createNodeBackend } from '../src/runtime/node.js'
import { SessionCache } from '../src/runtime/session-cache.js'
import type { HostTensor, ModelSession } from '../src/runtime/types.js'
import { liveOverheadBreakdown } from './lora-breakdown.js'
import { fmt, median, timeIt } from './stats.js'

const models = join(import.meta.dirname, '..', 'public', 'models')
const LORA = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'

function tinyUnet(): BaseModel {
  const folder = join(models, 'tiny-sd15', 'unet')
  const bytes = readFileSync(join(folder, 'model.onnx'))
  const externalData = externalDataLocations(decodeModel(bytes)).map((path) => ({ path, data: readFileSync(join(folder, path)) }))
  return { key: folder, load: async () => ({ key: folder, bytes, externalData }) }
}

/** The sampler's per-step inputs for an image of `latent * 8` pixels square, fixed values. */
function stepFeeds(latent = 32): Record<string, HostTensor> {
  const sample = Float32Array.from({ length: 4 * latent * latent }, (_, i) => Math.sin(i * 0.37))
  const hidden = Float32Array.from({ length: 77 * 16 }, (_, i) => Math.cos(i * 0.11))
  return {
    sample: { dtype: 'float32', dims: [1, 4, latent, latent], data: sample },
    timestep: { dtype: 'float32', dims: [1], data: Float32Array.of(999) },
    encoder_hidden_states: { dtype: 'float32', dims: [1, 77, 16], data: hidden },
  }
}

/**
 * The merge kernel on an SDXL-wide layer at Hyper-SD's rank: the WebAssembly kernel, the JS loop it falls back to,
 * and the one-rank-per-pass loop that came first, timed in turn.
 */
export function mergeKernel(rows = 1280, width = 1280, rank = 64): string {
  const left = Float32Array.from({ length: rows * rank }, (_, i) => Math.sin(i))
  const right = Float32Array.from({ length: rank * width }, (_, i) => Math.cos(i))
  const onePerPass = (target: Float32Array): void => {
    for (let i = 0; i < rows; i++) {
      for (let r = 0; r < rank; r++) {
        const c = 0.5 * left[i * rank + r]!
        for (let j = 0; j < width; j++) target[i * width + j] = target[i * width + j]! + c * right[r * width + j]!
      }
    }
  }
  const time = (fn: (t: Float32Array) => void): number => {
    const target = new Float32Array(rows * width)
    const start = performance.now()
    fn(target)
    return performance.now() - start
  }
  const wasm: number[] = []
  const js: number[] = []
  const simple: number[] = []
  for (let i = 0; i < 7; i++) {
    wasm.push(time((t) => addLowRankProduct(t, rows, width, rank, left, right, 0.5)))
    js.push(time((t) => addLowRankProductJs(t, rows, width, rank, left, right, 0.5)))
    simple.push(time(onePerPass))
  }
  const macs = rows * width * rank
  const rate = (times: number[]) => `${fmt(median(times))} (${fmt(Math.min(...times))}-${fmt(Math.max(...times))}, ${(macs / median(times) / 1e6).toFixed(2)} GMAC/s)`
  const kernel = lowRankWasmAvailable() ? 'WebAssembly SIMD' : 'no WebAssembly SIMD here: JS'
  return `merge kernel, ${rows}x${width} weight += rank-${rank} product, 7 interleaved runs: ${kernel} ${rate(wasm)}, JS loop ${rate(js)}, one rank per pass ${rate(simple)} -> ${(median(js) / median(wasm)).toFixed(1)}x the JS loop, ${(median(simple) / median(wasm)).toFixed(1)}x one rank per pass`
}

export async function benchLora(iterations = 15, stepRuns = 200): Promise<string[]> {
  const unet = tinyUnet()
  const sessions = new SessionCache(createNodeBackend())
  const deps = { sessions, readLora: async (name: string) => readFileSync(join(models, name)) }
  const feeds = stepFeeds()
  const firstStep = async (binding: LoraBindingLike): Promise<ModelSession> => {
    const prepared = await prepareModelWithLoras(unet, [binding], 'unet', deps)
    await prepared.session.run({ ...feeds, ...prepared.feeds })
    return prepared.session
  }
  try {
    // Warm both paths once (first live build, first merge build, onnxruntime's own warm-up).
    const liveSession = await firstStep({ name: LORA, scale: 1, mode: 'live' })
    const deltaSession = await firstStep({ name: LORA, scale: 1, mode: 'live-delta' })
    const mergedSession = await firstStep({ name: LORA, scale: 1, mode: 'merge' })

    const live: number[] = []
    const merge: number[] = []
    for (let i = 0; i < iterations; i++) {
      // A new scale each time, as while dragging the slider: merge never finds it cached.
      const scale = 0.5 + i / (4 * iterations)
      live.push(await timeIt(() => firstStep({ name: LORA, scale, mode: 'live' })))
      merge.push(await timeIt(() => firstStep({ name: LORA, scale, mode: 'merge' })))
    }

    const stepCost = async (latent: number, runs: number) => {
      const base = stepFeeds(latent)
      const scaled = { ...base, lora_scale_0: { dtype: 'float32' as const, dims: [], data: Float32Array.of(1) } }
      const variants: [string, ModelSession, Record<string, HostTensor>][] = [
        ['merged', mergedSession, base],
        ['live', liveSession, scaled],
        ['live-delta', deltaSession, scaled],
      ]
      const times = variants.map((): number[] => [])
      for (let i = 0; i < runs; i++) {
        // Rotate which goes first, so none always runs on a cache warmed by another.
        for (let k = 0; k < variants.length; k++) {
          const v = (i + k) % variants.length
          const [, session, feeds] = variants[v]!
          times[v]!.push(await timeIt(() => session.run(feeds)))
        }
      }
      const merged = median(times[0]!)
      const over = (v: number) => `${variants[v]![0]} ${fmt(median(times[v]!))} (+${((median(times[v]!) / merged - 1) * 100).toFixed(1)}%)`
      return `per-step cost at ${latent * 8}x${latent * 8} px (${runs} rotated steps each): merged ${fmt(merged)}, ${over(1)}, ${over(2)}`
    }
    const at256 = await stepCost(32, stepRuns)
    const at512 = await stepCost(64, Math.max(20, stepRuns / 4))
    const breakdown = await liveOverheadBreakdown(await unet.load(), readFileSync(join(models, LORA)))
    const changeRatio = median(merge) / median(live)
    return [
      `scale change -> first UNet step (tiny UNet, kohya fixture, 114 layers, ${iterations} interleaved changes): live ${fmt(median(live))} vs merge ${fmt(median(merge))} -> merge/live ${changeRatio.toFixed(1)}x`,
      `${at256} (target <= +10%)`,
      at512,
      ...breakdown,
      mergeKernel(),
    ]
  } finally {
    await sessions.dispose()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchLora()) console.log(line)
}
