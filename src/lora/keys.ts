// LoRA tensor names -> modules (one low-rank pair per targeted layer), for the naming schemes in the wild:
// kohya (`lora_unet_*.lora_down.weight` / `.lora_up.weight` / `.alpha`, `lora_te_`, `lora_te1_`, `lora_te2_`),
// diffusers/PEFT (`unet.*.lora_A.weight` / `.lora_B.weight`, `.lora.down.weight`), the older attention-processor
// format (`*.processor.to_q_lora.down.weight`), and SDXL's SGM block names. Targets are written "flat" (dots as
// underscores), the form kohya uses, so every scheme compares against the model's layers the same way.
import { isSgmName, sgmToDiffusers } from './sgm.js'

/** Which model a LoRA module targets: the UNet, the (first) text encoder, or SDXL's second text encoder. */
export type LoraComponent = 'unet' | 'te1' | 'te2'

export interface LoraModule {
  /** The key stem as written in the file, e.g. `lora_unet_down_blocks_0_attentions_0_proj_in`. */
  readonly stem: string
  /** undefined when the prefix names no known component (another architecture's LoRA). */
  readonly component: LoraComponent | undefined
  /** The targeted layer's diffusers path, flattened: `down_blocks_0_attentions_0_proj_in`. */
  readonly target: string
  readonly down?: string
  readonly up?: string
  readonly alpha?: string
  /** Tensors of this module this project cannot apply (LoCon `lora_mid`, LoHa, DoRA...). */
  readonly unsupported: readonly string[]
  /** Every tensor name of the module, for the match report. */
  readonly tensors: readonly string[]
}

type Role = 'down' | 'up' | 'alpha' | 'unsupported'

interface MutableModule {
  stem: string
  component: LoraComponent | undefined
  target: string
  down?: string
  up?: string
  alpha?: string
  unsupported: string[]
  tensors: string[]
}

// Suffix -> role. Order matters: longer, more specific suffixes first.
const SUFFIXES: readonly [RegExp, Role][] = [
  [/\.lora_down\.weight$/, 'down'],
  [/\.lora_up\.weight$/, 'up'],
  [/\.lora\.down\.weight$/, 'down'],
  [/\.lora\.up\.weight$/, 'up'],
  [/\.lora_A(\.[A-Za-z0-9_-]+)?\.weight$/, 'down'],
  [/\.lora_B(\.[A-Za-z0-9_-]+)?\.weight$/, 'up'],
  [/_lora\.down\.weight$/, 'down'],
  [/_lora\.up\.weight$/, 'up'],
  [/\.alpha$/, 'alpha'],
  [/\.(lora_mid\.weight|hada_[a-z0-9_]+|lokr_[a-z0-9_]+|dora_scale|diff|diff_b|on_input)$/, 'unsupported'],
]

function splitRole(name: string): { stem: string; role: Role } | undefined {
  for (const [pattern, role] of SUFFIXES) {
    const m = pattern.exec(name)
    if (!m) continue
    let stem = name.slice(0, m.index)
    // Older diffusers attention processors: `attn1.processor.to_q_lora.down.weight` -> `attn1.to_q`.
    if (m[0].startsWith('_lora.')) stem = stem.replace(/\.processor\.(to_[a-z]+)$/, (_, p: string) => `.${p === 'to_out' ? 'to_out.0' : p}`)
    return { stem, role }
  }
  return undefined
}

const flatten = (dotted: string): string => dotted.replace(/\./g, '_')

const UNET_ROOTS = /^(down_blocks|mid_block|up_blocks|conv_in|conv_out|conv_norm_out|time_embedding|add_embedding)[._]/

/** Component and flattened diffusers target of a key stem, or an undefined component for unknown prefixes. */
export function classifyStem(stem: string): { component: LoraComponent | undefined; target: string } {
  const kohya = /^lora_(unet|te|te1|te2)_(.+)$/.exec(stem)
  if (kohya) {
    const kind = kohya[1]!
    const rest = kohya[2]!
    if (kind === 'unet') return { component: 'unet', target: isSgmName(rest) ? (sgmToDiffusers(rest) ?? rest) : rest }
    return { component: kind === 'te2' ? 'te2' : 'te1', target: rest }
  }
  const dotted = stem.replace(/^base_model\.model\./, '')
  const te = /^(text_encoder|text_encoder_2|te|te1|te2)\.(.+)$/.exec(dotted)
  if (te) return { component: te[1] === 'text_encoder_2' || te[1] === 'te2' ? 'te2' : 'te1', target: flatten(te[2]!) }
  const unet = /^(unet|model\.diffusion_model)\.(.+)$/.exec(dotted)
  if (unet) {
    const flat = flatten(unet[2]!)
    return { component: 'unet', target: isSgmName(flat) ? (sgmToDiffusers(flat) ?? flat) : flat }
  }
  if (UNET_ROOTS.test(dotted)) return { component: 'unet', target: flatten(dotted) }
  return { component: undefined, target: flatten(dotted) }
}

export interface ParsedLora {
  readonly modules: readonly LoraModule[]
  /** Tensor names that fit no LoRA naming scheme at all. */
  readonly unrecognised: readonly string[]
}

/** Groups a LoRA file's tensor names into modules. */
export function parseLoraKeys(names: Iterable<string>): ParsedLora {
  const modules = new Map<string, MutableModule>()
  const unrecognised: string[] = []
  for (const name of names) {
    const split = splitRole(name)
    if (!split) {
      unrecognised.push(name)
      continue
    }
    let mod = modules.get(split.stem)
    if (!mod) {
      mod = { stem: split.stem, ...classifyStem(split.stem), unsupported: [], tensors: [] }
      modules.set(split.stem, mod)
    }
    mod.tensors.push(name)
    if (split.role === 'unsupported') mod.unsupported.push(name)
    else mod[split.role] = name
  }
  return { modules: [...modules.values()], unrecognised }
}
