// Matching a LoRA file's modules to a model's layers, with a printable report of what matched and what did not.
// A LoRA that does not fit (another architecture's names, or the right names with other widths) is refused.
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import type { LoraComponent, LoraModule, ParsedLora } from './keys.js'
import type { TargetLayer } from './layers.js'

export interface LoraPatch {
  readonly layer: TargetLayer
  readonly module: LoraModule
  readonly down: string
  readonly up: string
  readonly rank: number
  /** alpha / rank (alpha = rank when the file has none); the user's multiplier comes on top. */
  readonly alphaScale: number
}

export interface LoraMatchReport {
  readonly lora: string
  readonly component: LoraComponent
  /** Tensors addressed to this component, or to no known component. */
  readonly tensorsConsidered: number
  readonly matchedTensors: number
  /** Tensor names that were considered but not applied. */
  readonly unmatched: readonly string[]
  /** Modules whose layer exists but whose shapes do not fit it ("stem: reason"). */
  readonly mismatched: readonly string[]
  readonly patchedLayers: readonly string[]
  /** Tensors for other components (e.g. text-encoder keys while patching the UNet). */
  readonly otherComponentTensors: number
}

export const COMPONENT_LABEL: Record<LoraComponent, string> = { unet: 'UNet', te1: 'text encoder', te2: 'text encoder 2' }

export class LoraMatchError extends Error {
  override readonly name = 'LoraMatchError'
  constructor(readonly report: LoraMatchReport) {
    super(`LoRA "${report.lora}" does not fit the ${COMPONENT_LABEL[report.component]}: ${summarise(report)}`)
  }
}

function summarise(r: LoraMatchReport): string {
  const parts = [`${r.matchedTensors} of ${r.tensorsConsidered} tensors matched, ${r.patchedLayers.length} layers patched`]
  if (r.mismatched.length > 0) parts.push(`${r.mismatched.length} modules have other shapes (${r.mismatched.slice(0, 3).join('; ')})`)
  if (r.unmatched.length > 0) parts.push(`${r.unmatched.length} unmatched (e.g. ${r.unmatched.slice(0, 3).join(', ')})`)
  return parts.join('; ')
}

/** Several lines for the CLI and the node's warning. */
export function formatLoraReport(r: LoraMatchReport, maxNames = 10): string {
  const lines = [`LoRA "${r.lora}" on the ${COMPONENT_LABEL[r.component]}: ${summarise(r)}`]
  if (r.otherComponentTensors > 0) lines.push(`  ${r.otherComponentTensors} tensors are for another component`)
  const list = (title: string, names: readonly string[]) => {
    if (names.length === 0) return
    lines.push(`  ${title}:`)
    for (const n of names.slice(0, maxNames)) lines.push(`    ${n}`)
    if (names.length > maxNames) lines.push(`    ... and ${names.length - maxNames} more`)
  }
  list('unmatched', r.unmatched)
  list('other shapes', r.mismatched)
  list('patched layers', r.patchedLayers)
  return lines.join('\n')
}

function shapeError(layer: TargetLayer, down: readonly number[], up: readonly number[]): string | undefined {
  const [out, inp, kh = 1, kw = 1] = layer.shape
  const rank = down[0]
  const fmt = (s: readonly number[]) => `[${s.join(', ')}]`
  const describe = () => `down ${fmt(down)} / up ${fmt(up)} vs weight ${fmt(layer.shape)}`
  if (rank === undefined || rank === 0) return `empty down ${fmt(down)}`
  const downOk =
    down[1] === inp &&
    (down.length === 4 ? down[2] === kh && down[3] === kw : down.length === 2 && kh === 1 && kw === 1)
  const upOk = up[0] === out && up[1] === rank && (up.length === 2 || (up.length === 4 && up[2] === 1 && up[3] === 1))
  return downOk && upOk ? undefined : describe()
}

/** Matches modules of `component` to `layers` (keyed by flattened path) and reads each module's alpha. */
export async function matchLora(
  lora: string,
  file: SafetensorsSource,
  parsed: ParsedLora,
  component: LoraComponent,
  layers: ReadonlyMap<string, TargetLayer>,
): Promise<{ patches: LoraPatch[]; report: LoraMatchReport }> {
  const patches: LoraPatch[] = []
  const unmatched: string[] = [...parsed.unrecognised]
  const mismatched: string[] = []
  let considered = parsed.unrecognised.length
  let other = 0
  for (const mod of parsed.modules) {
    if (mod.component !== undefined && mod.component !== component) {
      other += mod.tensors.length
      continue
    }
    considered += mod.tensors.length
    const layer = mod.component === undefined ? undefined : layers.get(mod.target)
    if (!layer || !mod.down || !mod.up) {
      unmatched.push(...mod.tensors)
      continue
    }
    const down = file.tensors.get(mod.down)!.shape
    const up = file.tensors.get(mod.up)!.shape
    const problem = shapeError(layer, down, up)
    if (problem) {
      mismatched.push(`${mod.stem}: ${problem}`)
      unmatched.push(...mod.tensors)
      continue
    }
    const rank = down[0]!
    const alpha = mod.alpha ? (await file.readFloats(mod.alpha)).data[0] : undefined
    patches.push({ layer, module: mod, down: mod.down, up: mod.up, rank, alphaScale: alpha === undefined ? 1 : alpha / rank })
    unmatched.push(...mod.unsupported)
  }
  const matched = considered - unmatched.length
  const report: LoraMatchReport = {
    lora,
    component,
    tensorsConsidered: considered,
    matchedTensors: matched,
    unmatched,
    mismatched,
    patchedLayers: patches.map((p) => p.layer.name),
    otherComponentTensors: other,
  }
  return { patches, report }
}

/**
 * Refuses a LoRA that does not fit: any module with the right name but another shape (a different width), nothing
 * matched although tensors were addressed here, or fewer than half of them matched (another architecture).
 */
export function assertLoraFits(report: LoraMatchReport): void {
  const { tensorsConsidered: n, matchedTensors: m } = report
  if (report.mismatched.length > 0 || (n > 0 && m === 0) || m < n / 2) throw new LoraMatchError(report)
}
