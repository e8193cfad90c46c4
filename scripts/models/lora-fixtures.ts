// Tiny LoRA fixtures for the tiny SD1.5 and SDXL pipelines, derived from the generated ONNX graphs (layer names and shapes
// found as the runtime finds them), seeded and byte-deterministic:
// - tiny-hyper-sd15-4step-kohya.safetensors: kohya naming, fp16, rank 4, alpha 2, on every UNet attention, feed-
//   forward, proj_in/out (1x1 conv), resnet 3x3 convs (LoCon) and time projections, plus text-encoder keys (lora_te_),
//   standing in for a Hyper-SD N-step LoRA (those are kohya-format fp16 files);
// - tiny-hyper-sd15-peft.safetensors: diffusers/PEFT naming (unet.*.lora_A/lora_B), fp32, rank 2, attention only;
// - tiny-hyper-sdxl-sgm.safetensors: kohya fp16 on the tiny SDXL UNet with Stability's SGM block names
//   (lora_unet_input_blocks_4_1_...), as SDXL LoRAs trained with sgm/kohya scripts are named.
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
export const SDXL_SGM_FIXTURE = 'loras/tiny-hyper-sdxl-sgm.safetensors'

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

const SGM_RESNET_PARTS: Readonly<Record<string, string>> = {
  norm1: 'in_layers.0',
  conv1: 'in_layers.2',
  norm2: 'out_layers.0',
  conv2: 'out_layers.3',
  time_emb_proj: 'emb_layers.1',
  conv_shortcut: 'skip_connection',
}

/**
 * Stability's SGM name of a diffusers UNet layer for SDXL's layout (two resnets per level, so three input/output
 * blocks per level), written independently of src/lora/sgm.ts so the fixture checks that mapping.
 */
export function diffusersToSgm(path: string, attentionLevels: readonly boolean[]): string | undefined {
  const resnet = (prefix: string, part: string, rest: string) => (SGM_RESNET_PARTS[part] ? `${prefix}.${SGM_RESNET_PARTS[part]}${rest}` : undefined)
  const top: Record<string, string> = { 'time_embedding.linear_1': 'time_embed.0', 'time_embedding.linear_2': 'time_embed.2', 'add_embedding.linear_1': 'label_emb.0.0', 'add_embedding.linear_2': 'label_emb.0.2' }
  if (top[path]) return top[path]
  let m = /^down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.([a-z_0-9]+)(.*)$/.exec(path)
  if (m) {
    const block = 1 + 3 * Number(m[1]) + Number(m[3])
    return m[2] === 'resnets' ? resnet(`input_blocks.${block}.0`, m[4]!, m[5]!) : `input_blocks.${block}.1.${m[4]}${m[5]}`
  }
  m = /^down_blocks\.(\d+)\.downsamplers\.0\.conv$/.exec(path)
  if (m) return `input_blocks.${3 + 3 * Number(m[1])}.0.op`
  m = /^mid_block\.(resnets|attentions)\.(\d+)\.([a-z_0-9]+)(.*)$/.exec(path)
  if (m) return m[1] === 'resnets' ? resnet(`middle_block.${2 * Number(m[2])}`, m[3]!, m[4]!) : `middle_block.1.${m[3]}${m[4]}`
  m = /^up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.([a-z_0-9]+)(.*)$/.exec(path)
  if (m) {
    const block = 3 * Number(m[1]) + Number(m[3])
    return m[2] === 'resnets' ? resnet(`output_blocks.${block}.0`, m[4]!, m[5]!) : `output_blocks.${block}.1.${m[4]}${m[5]}`
  }
  m = /^up_blocks\.(\d+)\.upsamplers\.0\.conv$/.exec(path)
  if (m) {
    const level = Number(m[1])
    const hasAttention = attentionLevels[attentionLevels.length - 1 - level]
    return `output_blocks.${3 * level + 2}.${hasAttention ? 2 : 1}.conv`
  }
  return undefined
}

// An SDXL Hyper-SD kohya LoRA in SGM naming also trains the time and added-condition embeddings here, to cover them.
const SDXL_SGM_LAYERS = new RegExp(`${KOHYA_UNET_LAYERS.source}|^(time|add)_embedding\\.linear_[12]$`)

/** tiny-hyper-sdxl-sgm.safetensors: kohya fp16 rank 4 on the tiny SDXL UNet with SGM block names. */
export async function writeSdxlLoraFixture(modelsRoot: string, attentionLevels: readonly boolean[]): Promise<void> {
  const unet = await readLayers(join(modelsRoot, 'tiny-sdxl', 'unet'))
  const options: FixtureOptions = { rank: 4, alpha: 2, dtype: 'F16', strength: 0.3, seed: 717 }
  const normal = normalSampler(mulberry32(options.seed))
  const tensors: TensorToWrite[] = []
  for (const entry of unet.filter((e) => SDXL_SGM_LAYERS.test(e.layer.name))) {
    const sgm = diffusersToSgm(entry.layer.name, attentionLevels)
    if (!sgm) throw new Error(`tiny SDXL layer ${entry.layer.name} has no SGM name`)
    const stem = `lora_unet_${flat(sgm)}`
    tensors.push(...loraTensors({ down: `${stem}.lora_down.weight`, up: `${stem}.lora_up.weight`, alpha: `${stem}.alpha` }, entry, options, normal))
  }
  const meta = new Map([
    ['ss_network_module', 'networks.lora'],
    ['ss_network_dim', String(options.rank)],
    ['ss_network_alpha', String(options.alpha)],
    ['ss_base_model_version', 'sdxl_base_v1-0'],
    ['fixture', 'tiny stand-in for a Hyper-SDXL LoRA in SGM (original LDM) block naming (random factors, not distilled)'],
  ])
  await mkdir(join(modelsRoot, 'loras'), { recursive: true })
  await writeFile(join(modelsRoot, SDXL_SGM_FIXTURE), encodeSafetensors(tensors, meta))
}

// Standalone: `npx tsx scripts/models/lora-fixtures.ts` after the tiny models exist.
if (import.meta.url === `file://${process.argv[1]}`) await writeLoraFixtures('public/models')
