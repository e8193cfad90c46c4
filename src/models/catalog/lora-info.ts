// What a LoRA file is, from its tensor names alone: the naming scheme ("kohya", "diffusers/PEFT", "SGM") and the base
// model family it was trained on. The base is read from layers only one family has (SDXL: a second text encoder, the
// added time embedding, several transformer blocks per attention; SD1.5: attention in the first down block).
import { parseLoraKeys } from '../../lora/keys.js'
import { isSgmName } from '../../lora/sgm.js'

export type LoraFormat = 'kohya' | 'diffusers/PEFT' | 'SGM'
export type LoraBase = 'SD1.5' | 'SDXL'

export interface LoraInfo {
  readonly format: LoraFormat
  readonly base: LoraBase | undefined
  /** Modules that target a known component (UNet, text encoders). */
  readonly modules: number
}

/** LoRA facts for these tensor names, or undefined when they are not a LoRA (most names fit no LoRA scheme). */
export function describeLoraKeys(names: readonly string[]): LoraInfo | undefined {
  const parsed = parseLoraKeys(names)
  const known = parsed.modules.filter((m) => m.component !== undefined && (m.down !== undefined || m.up !== undefined))
  if (known.length === 0 || parsed.unrecognised.length > names.length / 2) return undefined
  return { format: formatOf(known.map((m) => m.stem)), base: baseOf(known), modules: known.length }
}

function formatOf(stems: readonly string[]): LoraFormat {
  const sgm = stems.some((stem) => {
    const kohya = /^lora_unet_(.+)$/.exec(stem)
    if (kohya) return isSgmName(kohya[1]!)
    return /^(base_model\.model\.)?model\.diffusion_model\./.test(stem)
  })
  if (sgm) return 'SGM'
  return stems.some((stem) => /^lora_(unet|te|te1|te2)_/.test(stem)) ? 'kohya' : 'diffusers/PEFT'
}

function baseOf(modules: readonly { stem: string; component: string | undefined; target: string }[]): LoraBase | undefined {
  // kohya names SDXL's encoders lora_te1_ / lora_te2_ and SD1.5's single one lora_te_.
  const sdxl = modules.some(
    (m) =>
      m.component === 'te2' ||
      /^lora_te1_/.test(m.stem) ||
      (m.component === 'unet' && (/^add_embedding_/.test(m.target) || /_transformer_blocks_[1-9]/.test(m.target))),
  )
  if (sdxl) return 'SDXL'
  const sd15 = modules.some((m) => m.component === 'unet' && /^down_blocks_0_attentions_/.test(m.target))
  return sd15 ? 'SD1.5' : undefined
}

/** "kohya · SD1.5", or the format alone when the base cannot be told. */
export function loraDetail(info: LoraInfo): string {
  return info.base ? `${info.format} · ${info.base}` : info.format
}
