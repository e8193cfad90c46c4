// Replacing a UNet's weights with a full diffusers state dict, as `unet.load_state_dict(load_file(...))` does: the
// Hyper-SDXL 1-step UNet over an SDXL export. Every tensor of the file goes to its place (weight-places.ts), in the
// model's dtype (the WeightStore converts), or the file is refused before anything is read: a file for another model
// would otherwise give a model that half runs on the base weights.
import { elementCount } from '../models/onnx/tensor-data.js'
import { DataType } from '../models/onnx/types.js'
import type { OnnxGraph, OnnxTensor } from '../models/onnx/types.js'
import { isFloatDType } from '../models/safetensors/dtypes.js'
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import type { TargetLayer } from './layers.js'
import { transpose } from './matrix.js'
import { isSgmName } from './sgm.js'
import { TiedInitializers } from './tied.js'
import { squeezed, WeightPlaces, type WeightPlace } from './weight-places.js'
import type { WeightStore } from './weights.js'

/** Names listed in reports and messages. */
const SHOWN = 10
/** A state dict for this UNet matches completely; a few foreign keys (e.g. EMA extras) are tolerated. */
const MIN_MATCHED = 0.95
const LDM_PREFIX = 'model.diffusion_model.'

export interface UNetWeightsReport {
  readonly file: string
  /** The model written into, as messages name it ("unet/model.onnx"). */
  readonly model: string
  readonly tensors: number
  readonly replaced: number
  /** Keys with no place in the model: how many, and the first names. */
  readonly unmatchedCount: number
  readonly unmatched: readonly string[]
  /** Keys whose place holds another shape ("key [file dims] vs [model dims]"): how many, and the first ones. */
  readonly mismatchedCount: number
  readonly mismatched: readonly string[]
  /** Float initializers no key wrote: they keep the base model's values. */
  readonly unwrittenCount: number
  readonly unwritten: readonly string[]
}

export class UNetWeightsError extends Error {
  override readonly name = 'UNetWeightsError'
  constructor(
    message: string,
    /** Absent when the file was refused by its key layout alone. */
    readonly report?: UNetWeightsReport,
  ) {
    super(message)
  }
}

const isLdmKey = (key: string) => key.startsWith(LDM_PREFIX) || isSgmName(key.replace(/\./g, '_'))

/** The message for a file in the ComfyUI/LDM layout (mostly `model.diffusion_model.input_blocks...` keys), else undefined. */
export function ldmLayoutMessage(file: string, keys: Iterable<string>): string | undefined {
  const all = [...keys]
  const ldm = all.filter(isLdmKey)
  if (ldm.length === 0 || ldm.length * 2 < all.length) return undefined
  return (
    `${file}: this is the ComfyUI/LDM UNet layout (keys like "${ldm[0]}"); UNet Weights needs the diffusers layout ` +
    '(a UNet2DConditionModel state dict, keys like "down_blocks.0.resnets.0.conv1.weight"). Hyper-SD ships both: ' +
    'Hyper-SDXL-1step-Unet.safetensors is diffusers, Hyper-SDXL-1step-Unet-Comfyui.fp16.safetensors is LDM.'
  )
}

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i])

function fits(shape: readonly number[], place: WeightPlace): boolean {
  if (place.exact) return sameDims(shape, place.shape)
  return elementCount(shape) === elementCount(place.shape) && sameDims(squeezed(shape), squeezed(place.shape))
}

const dims = (shape: readonly number[]) => `[${shape.join(', ')}]`
const examples = (names: readonly string[]) => names.slice(0, 3).join(', ')

function refusal(r: UNetWeightsReport): string {
  const parts: string[] = []
  if (r.mismatchedCount > 0) parts.push(`${r.mismatchedCount} of ${r.tensors} tensors have other shapes than in ${r.model} (e.g. ${examples(r.mismatched)})`)
  if (r.unmatchedCount > 0) parts.push(`${r.unmatchedCount} of ${r.tensors} tensors have no place in ${r.model} (e.g. ${examples(r.unmatched)})`)
  if (r.tensors === 0) parts.push('the file holds no tensors')
  return `${r.file}: ${parts.join('; ')}. Is it a UNet for another model?`
}

/** One line, plus what was left out; for the node's warning and the CLI. */
export function formatUNetWeightsReport(r: UNetWeightsReport): string {
  const parts = [`UNet weights "${r.file}" on ${r.model}: ${r.replaced} of ${r.tensors} tensors replaced`]
  if (r.unmatchedCount > 0) parts.push(`${r.unmatchedCount} have no place in the model (e.g. ${examples(r.unmatched)})`)
  if (r.unwrittenCount > 0) parts.push(`${r.unwrittenCount} weights of the model keep their base values (e.g. ${examples(r.unwritten)})`)
  return parts.join('; ')
}

/**
 * Writes every tensor of `file` into the model through `store`. Throws UNetWeightsError, reading no tensor data,
 * for an LDM-layout file, for any shape disagreement, and when fewer than 95% of the tensors have a place.
 */
export async function replaceWeights(
  graph: OnnxGraph,
  store: WeightStore,
  file: SafetensorsSource,
  layers: ReadonlyMap<string, TargetLayer>,
  model = 'the UNet',
): Promise<UNetWeightsReport> {
  const ldm = ldmLayoutMessage(file.file, file.tensors.keys())
  if (ldm) throw new UNetWeightsError(ldm)
  const places = new WeightPlaces(graph, layers)
  const tied = new TiedInitializers(graph)
  const writes: { key: string; target: OnnxTensor; place: WeightPlace }[] = []
  const writer = new Map<OnnxTensor, string>()
  const unmatched: string[] = []
  const mismatched: string[] = []
  for (const [key, info] of file.tensors) {
    const place = isFloatDType(info.dtype) ? places.find(key, elementCount(info.shape)) : undefined
    if (!place) {
      unmatched.push(key)
      continue
    }
    if (!fits(info.shape, place)) {
      mismatched.push(`${key} ${dims(info.shape)} vs ${dims(place.shape)}`)
      continue
    }
    const target = tied.ownedBy(place.tensor, place.users, `unet_weights/${key}`)
    const earlier = writer.get(target)
    if (earlier !== undefined) {
      unmatched.push(`${key} (its only place is ${earlier}'s)`)
      continue
    }
    writer.set(target, key)
    writes.push({ key, target, place })
  }
  const unwritten = graph.initializer.filter((t) => (t.dataType === DataType.FLOAT || t.dataType === DataType.FLOAT16) && !writer.has(t))
  const report: UNetWeightsReport = {
    file: file.file,
    model,
    tensors: file.tensors.size,
    replaced: writes.length,
    unmatchedCount: unmatched.length,
    unmatched: unmatched.slice(0, SHOWN),
    mismatchedCount: mismatched.length,
    mismatched: mismatched.slice(0, SHOWN),
    unwrittenCount: unwritten.length,
    unwritten: unwritten.slice(0, SHOWN).map((t) => t.name ?? '?'),
  }
  if (report.tensors === 0 || mismatched.length > 0 || writes.length < MIN_MATCHED * report.tensors) throw new UNetWeightsError(refusal(report), report)
  for (const { key, target, place } of writes) {
    const values = (await file.readFloats(key)).data
    // torch Linear weights are [out, in]; MatMul reads them [in, out].
    store.write(target, place.transposed ? transpose(values, place.shape[0]!, values.length / place.shape[0]!) : values)
  }
  return report
}
