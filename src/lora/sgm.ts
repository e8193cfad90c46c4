// Stability's SGM / original-LDM UNet names (kohya `lora_unet_input_blocks_4_1_...`) to diffusers module paths,
// both in kohya's flattened form (dots written as underscores). SD1.5 and SDXL both use two resnets per level, so
// one rule covers both layouts: input_blocks n>=1 -> level (n-1)/3, slot (n-1)%3 (slot 2 is the downsampler);
// output_blocks n -> level n/3, slot n%3, and the upsampler sits after the resnet (and attention, when present).

const LAYERS_PER_BLOCK = 2

const RESNET_PARTS: readonly [string, string][] = [
  ['in_layers_0', 'norm1'],
  ['in_layers_2', 'conv1'],
  ['out_layers_0', 'norm2'],
  ['out_layers_3', 'conv2'],
  ['emb_layers_1', 'time_emb_proj'],
  ['skip_connection', 'conv_shortcut'],
]

const TOP_LEVEL: readonly [RegExp, string][] = [
  [/^time_embed_0(?=_|$)/, 'time_embedding_linear_1'],
  [/^time_embed_2(?=_|$)/, 'time_embedding_linear_2'],
  [/^label_emb_0_0(?=_|$)/, 'add_embedding_linear_1'],
  [/^label_emb_0_2(?=_|$)/, 'add_embedding_linear_2'],
  [/^input_blocks_0_0(?=_|$)/, 'conv_in'],
  [/^out_0(?=_|$)/, 'conv_norm_out'],
  [/^out_2(?=_|$)/, 'conv_out'],
]

function resnet(prefix: string, rest: string): string | undefined {
  for (const [sgm, diffusers] of RESNET_PARTS) {
    if (rest === sgm || rest.startsWith(`${sgm}_`)) return `${prefix}_${diffusers}${rest.slice(sgm.length)}`
  }
  return undefined
}

/** Whether a flattened UNet key stem uses SGM block names. */
export function isSgmName(flat: string): boolean {
  return /^(input_blocks|middle_block|output_blocks|time_embed|label_emb|out)_\d/.test(flat)
}

/** The flattened diffusers path for a flattened SGM path, or undefined when it does not follow the layout. */
export function sgmToDiffusers(flat: string): string | undefined {
  for (const [pattern, replacement] of TOP_LEVEL) {
    if (pattern.test(flat)) return flat.replace(pattern, replacement)
  }
  const slots = LAYERS_PER_BLOCK + 1
  let m = /^input_blocks_(\d+)_(\d+)_(.+)$/.exec(flat)
  if (m) {
    const n = Number(m[1])
    const part = Number(m[2])
    const rest = m[3]!
    const level = Math.floor((n - 1) / slots)
    const slot = (n - 1) % slots
    if (slot === LAYERS_PER_BLOCK) return part === 0 && rest === 'op' ? `down_blocks_${level}_downsamplers_0_conv` : undefined
    if (part === 0) return resnet(`down_blocks_${level}_resnets_${slot}`, rest)
    if (part === 1) return `down_blocks_${level}_attentions_${slot}_${rest}`
    return undefined
  }
  m = /^middle_block_(\d+)_(.+)$/.exec(flat)
  if (m) {
    const part = Number(m[1])
    const rest = m[2]!
    if (part === 1) return `mid_block_attentions_0_${rest}`
    if (part === 0 || part === 2) return resnet(`mid_block_resnets_${part / 2}`, rest)
    return undefined
  }
  m = /^output_blocks_(\d+)_(\d+)_(.+)$/.exec(flat)
  if (m) {
    const n = Number(m[1])
    const part = Number(m[2])
    const rest = m[3]!
    const level = Math.floor(n / slots)
    const slot = n % slots
    if (part === 0) return resnet(`up_blocks_${level}_resnets_${slot}`, rest)
    // The upsampler is the last part of a level's last slot: part 1 without attention, part 2 with it.
    if (rest === 'conv' && slot === LAYERS_PER_BLOCK) return `up_blocks_${level}_upsamplers_0_conv`
    if (part === 1) return `up_blocks_${level}_attentions_${slot}_${rest}`
    return undefined
  }
  return undefined
}
