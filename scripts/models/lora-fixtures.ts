// Tiny LoRA fixtures for the tiny SD1.5 pipeline, derived from the generated ONNX graphs (layer names and shapes
// found as the runtime finds them), seeded and byte-deterministic:
// - tiny-hyper-sd15-4step-kohya.safetensors: kohya naming, fp16, rank 4, alpha 2, on every UNet attention, feed-
//   forward, proj_in/out (1x1 conv), resnet 3x3 convs (LoCon) and time projections, plus text-encoder keys (lora_te_),
//   standing in for a Hyper-SD N-step LoRA (those are kohya-format fp16 files);
// - tiny-hyper-sd15-peft.safetensors: diffusers/PEFT naming (unet.*.lora_A/lora_B), fp32, rank 2, attention only.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeModel } from '../../src/models/onnx/codec.js'
import { float32ArrayToFloat16 } from '../../src/models/onnx/float16.js'
import { requireGraph } from '../../src/models/onnx/graph.js'
import { externalDataRef, tensorToFloat32 } from '../../src/models/onnx/tensor-data.js'
import { encodeSafetensors, float32Bytes } from '../../src/models/safetensors/writer.js'
import type { TensorToWrite } from '../../src/models/safetensors/writer.js'
import { findTargetLayers } from '../../src/lora/layers.js'
import type { TargetLayer } from '../../src/lora/layers.js'
import { mulberry32, normalArray, normalSampler } from './prng.js'

export const KOHYA_FIXTURE = 'loras/tiny-hyper-sd15-4step-kohya.safetensors'
export const PEFT_FIXTURE = 'loras/tiny-hyper-sd15-peft.safetensors'

/** Layers of `model.onnx` in `folder` with their weight's root-mean-square (to size the LoRA deltas). */
async function readLayers(folder: string): Promise<{ layer: TargetLayer; rms: number }[]> {
  // Plain Uint8Array copies: Node Buffers' slice() is a view, which misaligned tensor reads must not get.
  const model = decodeModel(new Uint8Array(await readFile(join(folder, 'model.onnx'))))
  const graph = requireGraph(model)
  const files = new Map<string, Uint8Array>()
  const out: { layer: TargetLayer; rms: number }[] = []
  for (const layer of findTargetLayers(graph).values()) {
    const ref = externalDataRef(layer.weight)
    if (ref && !files.has(ref.location)) files.set(ref.location, new Uint8Array(await readFile(join(folder, ref.location))))
    const w = tensorToFloat32(layer.weight, ref ? files.get(ref.location) : undefined)
    let sum = 0
    for (const v of w) sum += v * v
    out.push({ layer, rms: Math.sqrt(sum / w.length) })
  }
  return out
}

interface FixtureOptions {
  readonly rank: number
  readonly alpha?: number
  readonly dtype: 'F16' | 'F32'
  /** Size of the merged delta relative to the layer weight's RMS at multiplier 1. */
  readonly strength: number
  readonly seed: number
}

/** down ~ N(0, 1), up sized so that alpha/rank * up @ down has about `strength` x the weight's RMS. */
function loraTensors(
  names: { down: string; up: string; alpha: string },
  { layer, rms }: { layer: TargetLayer; rms: number },
  o: FixtureOptions,
  normal: () => number,
): TensorToWrite[] {
  const [out, inp, kh = 1, kw = 1] = layer.shape as [number, number, number?, number?]
  const conv = layer.kind === 'conv'
  const alphaScale = (o.alpha ?? o.rank) / o.rank
  const down = normalArray(normal, o.rank * inp * kh * kw, 1)
  const up = normalArray(normal, out * o.rank, (o.strength * rms) / (alphaScale * Math.sqrt(o.rank * inp * kh * kw)))
  const bytes = (v: Float32Array) => (o.dtype === 'F16' ? new Uint8Array(float32ArrayToFloat16(v).buffer) : float32Bytes(v))
  const tensors: TensorToWrite[] = [
    { name: names.down, dtype: o.dtype, shape: conv ? [o.rank, inp, kh, kw] : [o.rank, inp], data: bytes(down) },
    { name: names.up, dtype: o.dtype, shape: conv ? [out, o.rank, 1, 1] : [out, o.rank], data: bytes(up) },
  ]
  if (o.alpha !== undefined) tensors.push({ name: names.alpha, dtype: o.dtype, shape: [], data: bytes(Float32Array.of(o.alpha)) })
  return tensors
}

const flat = (name: string) => name.replace(/\./g, '_')

// The layers a kohya LoCon-style Hyper-SD LoRA trains; conv_in/conv_out and the time embedding stay frozen.
const KOHYA_UNET_LAYERS = /(attn[12]\.to_(q|k|v|out\.0)|ff\.net\.(0\.proj|2)|proj_(in|out)|resnets\.\d+\.(conv[12]|time_emb_proj|conv_shortcut)|(down|up)samplers\.0\.conv)$/
const PEFT_UNET_LAYERS = /attn[12]\.to_(q|k|v|out\.0)$/

export async function writeLoraFixtures(modelsRoot: string): Promise<void> {
  const unet = await readLayers(join(modelsRoot, 'tiny-sd15', 'unet'))
  const textEncoder = await readLayers(join(modelsRoot, 'tiny-sd15', 'text_encoder'))
  await mkdir(join(modelsRoot, 'loras'), { recursive: true })

  const kohyaOptions: FixtureOptions = { rank: 4, alpha: 2, dtype: 'F16', strength: 0.3, seed: 515 }
  const kohyaNormal = normalSampler(mulberry32(kohyaOptions.seed))
  const kohya: TensorToWrite[] = []
  const kohyaStem = (prefix: string, l: TargetLayer) => `${prefix}${flat(l.name)}`
  for (const entry of unet.filter((e) => KOHYA_UNET_LAYERS.test(e.layer.name))) {
    const stem = kohyaStem('lora_unet_', entry.layer)
    kohya.push(...loraTensors({ down: `${stem}.lora_down.weight`, up: `${stem}.lora_up.weight`, alpha: `${stem}.alpha` }, entry, kohyaOptions, kohyaNormal))
  }
  for (const entry of textEncoder) {
    const stem = kohyaStem('lora_te_', entry.layer)
    kohya.push(...loraTensors({ down: `${stem}.lora_down.weight`, up: `${stem}.lora_up.weight`, alpha: `${stem}.alpha` }, entry, kohyaOptions, kohyaNormal))
  }
  const kohyaMeta = new Map([
    ['ss_network_module', 'networks.lora'],
    ['ss_network_dim', String(kohyaOptions.rank)],
    ['ss_network_alpha', String(kohyaOptions.alpha)],
    ['fixture', 'tiny stand-in for a Hyper-SD15 4-step LoRA (random factors, not distilled)'],
  ])
  await writeFile(join(modelsRoot, KOHYA_FIXTURE), encodeSafetensors(kohya, kohyaMeta))

  const peftOptions: FixtureOptions = { rank: 2, dtype: 'F32', strength: 0.3, seed: 616 }
  const peftNormal = normalSampler(mulberry32(peftOptions.seed))
  const peft: TensorToWrite[] = []
  for (const entry of unet.filter((e) => PEFT_UNET_LAYERS.test(e.layer.name))) {
    const stem = `unet.${entry.layer.name}`
    peft.push(...loraTensors({ down: `${stem}.lora_A.weight`, up: `${stem}.lora_B.weight`, alpha: `${stem}.alpha` }, entry, peftOptions, peftNormal))
  }
  await writeFile(join(modelsRoot, PEFT_FIXTURE), encodeSafetensors(peft, new Map([['format', 'pt']])))
}

// Standalone: `npx tsx scripts/models/lora-fixtures.ts` after the tiny models exist.
if (import.meta.url === `file://${process.argv[1]}`) await writeLoraFixtures('public/models')
