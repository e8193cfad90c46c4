// Where live mode's per-step cost goes: single-threaded CPU time per UNet step (stable on a busy machine) of the
// base UNet vs live (branch) graphs carrying only one kind of branch from the kohya fixture, and the live-delta
// graph with every layer.
import * as ort from 'onnxruntime-node'
import { buildModel } from '../src/lora/index.js'
import { readSafetensors } from '../src/models/safetensors/reader.js'
import { encodeSafetensors } from '../src/models/safetensors/writer.js'
import type { ModelSource } from '../src/runtime/types.js'
import { median } from './stats.js'

const KINDS: [string, RegExp][] = [
  ['all 114 layers', /./],
  ['3x3 convs (LoCon)', /conv[12]\.|samplers/],
  ['1x1 convs (proj_in/out, shortcut)', /proj_in|proj_out|shortcut/],
  ['attention q/k/v/out', /to_(q|k|v|out)/],
  ['feed-forward + time projections', /ff_net|time_emb/],
]

function subset(lora: Uint8Array, pattern: RegExp): Uint8Array {
  const file = readSafetensors(lora)
  const keep = [...file.tensors.values()].filter((t) => t.name.startsWith('lora_unet_') && pattern.test(t.name))
  return encodeSafetensors(keep.map((t) => ({ name: t.name, dtype: t.dtype as 'F16' | 'F32', shape: t.shape, data: file.tensorBytes(t.name) })))
}

async function session(source: ModelSource): Promise<ort.InferenceSession> {
  const externalData = (source.externalData ?? []).map((f) => ({ path: f.path, data: f.data }))
  return ort.InferenceSession.create(source.bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, externalData })
}

export async function liveOverheadBreakdown(base: ModelSource, lora: Uint8Array, runs = 60): Promise<string[]> {
  const feeds: Record<string, ort.Tensor> = {
    sample: new ort.Tensor('float32', Float32Array.from({ length: 4 * 32 * 32 }, (_, i) => Math.sin(i * 0.37)), [1, 4, 32, 32]),
    encoder_hidden_states: new ort.Tensor('float32', Float32Array.from({ length: 77 * 16 }, (_, i) => Math.cos(i * 0.11)), [1, 77, 16]),
    lora_scale_0: new ort.Tensor('float32', Float32Array.of(1), []),
  }
  const variants: [string, ort.InferenceSession][] = [['base', await session(base)]]
  const timestep = variants[0]![1].inputMetadata.find((m) => m.name === 'timestep')
  const int64 = timestep?.isTensor && timestep.type === 'int64'
  feeds['timestep'] = int64 ? new ort.Tensor('int64', BigInt64Array.of(999n), [1]) : new ort.Tensor('float32', Float32Array.of(999), [1])
  for (const [label, pattern] of KINDS) {
    const file = subset(lora, pattern)
    const built = await buildModel(base, label, [{ name: label, scale: 1, mode: 'live' }], 'unet', { readLora: async () => file })
    variants.push([`live, ${label}`, await session(built.source)])
  }
  const delta = await buildModel(base, 'live-delta', [{ name: 'live-delta', scale: 1, mode: 'live-delta' }], 'unet', { readLora: async () => lora })
  variants.push(['live-delta, all 114 layers', await session(delta.source)])
  const cpu: number[][] = variants.map(() => [])
  for (let i = 0; i < runs; i++) {
    for (const [k, [label, s]] of variants.entries()) {
      const inputs = label === 'base' ? { sample: feeds['sample']!, encoder_hidden_states: feeds['encoder_hidden_states']!, timestep: feeds['timestep']! } : feeds
      const before = process.cpuUsage()
      await s.run(inputs)
      const used = process.cpuUsage(before)
      cpu[k]!.push((used.user + used.system) / 1000)
    }
  }
  const baseMs = median(cpu[0]!)
  const lines = [`live CPU cost per UNet step, 1 thread (${runs} interleaved runs): base ${baseMs.toFixed(2)} ms`]
  for (const [k, [label]] of variants.entries()) {
    if (k > 0) lines.push(`  + ${label}: ${median(cpu[k]!).toFixed(2)} ms (+${((median(cpu[k]!) / baseMs - 1) * 100).toFixed(1)}%)`)
  }
  await Promise.all(variants.map(([, s]) => s.release()))
  return lines
}
