// GPU buffer-size preflight: from a UNet's config.json and the latent size, estimate the largest single buffer a
// UNet step allocates on WebGPU and compare it with the adapter's buffer limits, so that an image too large for the
// GPU is refused before the run instead of failing after seconds inside a kernel (the issue: a 4096x4096 latent
// failed in a MatMul of dims [1,2,262144,262144]). Pure arithmetic: no DOM, no onnxruntime.
//
// Why these buffers: onnxruntime-web's WebGPU kernels give every output tensor its own GPUBuffer, bound whole as a
// storage buffer, so each tensor must fit both `maxBufferSize` (createBuffer) and `maxStorageBufferBindingSize`
// (the bind group). onnxruntime-web 1.30 requests the adapter's own values of both limits for its device
// (`requiredLimits` in backend-webgpu's requestDevice, read in node_modules/onnxruntime-web/dist/ort.bundle.min.mjs),
// so the adapter's limits are the device's. The largest tensors of a UNet step are:
// - the self-attention scores Q·Kᵀ, shape [batch, heads, N, N] with N = tokens (latent pixels) at the attention
//   level: the exported graph computes them with a MatMul (the dims [1,2,262144,262144] are exactly
//   1 image x 2 heads x 512² tokens²), and the fused MultiHeadAttention kernel of the same bundle materialises them
//   too (its "AttentionProbs" program writes [batchSize, numHeads, sequenceLength, totalSequenceLength]). They are
//   counted as fp32 (4 bytes), the exports' compute type; an fp16 export would need half, so this errs on the large
//   side only for fp16 UNets. Cross-attention scores are N x 77 per head: never the largest.
// - the largest conv activation: at each level the up path concatenates the skip connection onto the feature map,
//   (C_level + max(C_level, C_level_below)) channels at that level's resolution;
// - the transformer's GEGLU feed-forward projection, N x 8·C (inner dim 4·C, doubled for the gate) per image.
// Classifier-free guidance (cfg > 1) runs the UNet on the negative and positive rows together: batch x 2.

const GiB = 2 ** 30
const MiB = 2 ** 20
const FLOAT32_BYTES = 4
/** Image pixels per latent pixel of the SD1.5/SDXL VAEs. */
export const VAE_SCALE = 8
/** diffusers' UNet2DConditionModel defaults, used when a config leaves a field out. */
const DIFFUSERS_DEFAULT_HEADS = 8
const DIFFUSERS_DEFAULT_MID_BLOCK = 'UNetMidBlock2DCrossAttn'

/** The adapter limits a single tensor's GPUBuffer must fit. */
export interface GpuBufferLimits {
  readonly maxBufferSize: number
  readonly maxStorageBufferBindingSize: number
}

/** What the estimate needs of a UNet: channels per level and attention heads per level (none: no attention). */
export interface UNetShape {
  readonly blockOutChannels: readonly number[]
  readonly headsPerLevel: readonly (number | undefined)[]
  /** Heads of the mid block's attention at the lowest level, when it has attention. */
  readonly midBlockHeads: number | undefined
}

type Config = Readonly<Record<string, unknown>>

function field(config: Config, key: string): unknown {
  return Object.hasOwn(config, key) ? config[key] : undefined
}

function positiveInts(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined
  return value.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0) ? (value as number[]) : undefined
}

/** A number for every level, or a list with one per level; undefined when absent or malformed. */
function perLevel(value: unknown, levels: number): number[] | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return Array<number>(levels).fill(value)
  const list = positiveInts(value)
  return list && list.length === levels ? list : undefined
}

/**
 * The shape of a diffusers UNet2DConditionModel config (unet/config.json), or undefined when it lacks what the
 * estimate needs (block_out_channels, down_block_types of the same length).
 *
 * Heads: diffusers reads `num_attention_heads` when present, else `attention_head_dim`, whose legacy meaning is the
 * number of heads (UNet2DConditionModel: `num_attention_heads = num_attention_heads or attention_head_dim`): SD1.5
 * has 8 (one int, every level), SDXL [5, 10, 20] (one per level, head size 64).
 */
export function unetShapeFromConfig(config: Config): UNetShape | undefined {
  const channels = positiveInts(field(config, 'block_out_channels'))
  const downBlocks = field(config, 'down_block_types')
  if (!channels || !Array.isArray(downBlocks) || downBlocks.length !== channels.length) return undefined
  const headsField = field(config, 'num_attention_heads') ?? field(config, 'attention_head_dim') ?? DIFFUSERS_DEFAULT_HEADS
  const heads = perLevel(headsField, channels.length)
  if (!heads) return undefined
  const hasAttention = (blockType: unknown) => typeof blockType === 'string' && blockType.includes('CrossAttn')
  const midBlock = field(config, 'mid_block_type') ?? DIFFUSERS_DEFAULT_MID_BLOCK
  return {
    blockOutChannels: channels,
    headsPerLevel: downBlocks.map((blockType, level) => (hasAttention(blockType) ? heads[level] : undefined)),
    midBlockHeads: hasAttention(midBlock) ? heads[heads.length - 1] : undefined,
  }
}

export interface RunSize {
  /** Image size in pixels. */
  readonly width: number
  readonly height: number
  /** Images per run (EmptyLatent's batch). */
  readonly batch: number
  /** Guidance on: the UNet runs negative and positive rows together. */
  readonly cfg: boolean
}

export type BufferKind = 'attention' | 'conv activation' | 'feed-forward'

export interface BufferEstimate {
  /** Self-attention scores at the level with the most tokens: batch x heads x N x N x 4 bytes. */
  readonly attentionBytes: number
  readonly convBytes: number
  readonly feedForwardBytes: number
  /** The largest of the three, and which it is. */
  readonly largestBytes: number
  readonly largestKind: BufferKind
}

/** Latent side at a UNet level: each downsample is a stride-2 conv with padding 1, ceil(side / 2). */
function sideAt(latentSide: number, level: number): number {
  let side = latentSide
  for (let i = 0; i < level; i++) side = Math.ceil(side / 2)
  return side
}

/** Bytes of the largest buffers one UNet step makes for `size` (see the header for the formula and why). */
export function estimateUNetBuffers(shape: UNetShape, size: RunSize): BufferEstimate {
  const rows = size.batch * (size.cfg ? 2 : 1)
  const latentH = Math.ceil(size.height / VAE_SCALE)
  const latentW = Math.ceil(size.width / VAE_SCALE)
  const channels = shape.blockOutChannels
  const lowest = channels.length - 1
  let attentionBytes = 0
  let convBytes = 0
  let feedForwardBytes = 0
  channels.forEach((c, level) => {
    const tokens = sideAt(latentH, level) * sideAt(latentW, level)
    const below = channels[Math.min(level + 1, lowest)]!
    convBytes = Math.max(convBytes, rows * (c + Math.max(c, below)) * tokens * FLOAT32_BYTES)
    const heads = level === lowest ? (shape.headsPerLevel[level] ?? shape.midBlockHeads) : shape.headsPerLevel[level]
    if (heads === undefined) return
    attentionBytes = Math.max(attentionBytes, rows * heads * tokens * tokens * FLOAT32_BYTES)
    feedForwardBytes = Math.max(feedForwardBytes, rows * tokens * 8 * c * FLOAT32_BYTES)
  })
  const candidates: [BufferKind, number][] = [
    ['attention', attentionBytes],
    ['conv activation', convBytes],
    ['feed-forward', feedForwardBytes],
  ]
  const [largestKind, largestBytes] = candidates.reduce((best, next) => (next[1] > best[1] ? next : best))
  return { attentionBytes, convBytes, feedForwardBytes, largestBytes, largestKind }
}

/** The smaller of the two limits, and its name for messages. */
export function bindingLimit(limits: GpuBufferLimits): { readonly bytes: number; readonly name: keyof GpuBufferLimits } {
  return limits.maxStorageBufferBindingSize <= limits.maxBufferSize
    ? { bytes: limits.maxStorageBufferBindingSize, name: 'maxStorageBufferBindingSize' }
    : { bytes: limits.maxBufferSize, name: 'maxBufferSize' }
}

/** Pixel sizes the UNet takes: the latent must divide by 2^(levels - 1), as the sampler checks. */
export function pixelStep(shape: UNetShape): number {
  return VAE_SCALE * 2 ** (shape.blockOutChannels.length - 1)
}

/**
 * The largest size that fits `limits`, keeping `size`'s aspect ratio (to the nearest step) with both sides multiples
 * of the UNet's pixel step, or undefined when not even the smallest does. Tries widths from the largest down: the
 * estimate grows with the size, so the first that fits is the largest.
 */
export function largestFittingSize(shape: UNetShape, size: RunSize, limits: GpuBufferLimits): { width: number; height: number } | undefined {
  const step = pixelStep(shape)
  const limit = bindingLimit(limits).bytes
  const wide = size.width >= size.height
  const longSide = wide ? size.width : size.height
  const ratio = (wide ? size.height : size.width) / longSide
  for (let long = Math.floor(longSide / step) * step; long >= step; long -= step) {
    const short = Math.max(step, Math.round((long * ratio) / step) * step)
    const candidate = wide ? { width: long, height: short } : { width: short, height: long }
    if (estimateUNetBuffers(shape, { ...size, ...candidate }).largestBytes <= limit) return candidate
  }
  return undefined
}

/** "512 GiB", "640 MiB", "1.3 GiB". */
export function formatBytes(bytes: number): string {
  const [unit, scale] = bytes >= GiB ? ['GiB', GiB] : ['MiB', MiB]
  const value = bytes / scale
  return `${Number.isInteger(value) || value >= 100 ? Math.round(value) : value.toFixed(1)} ${unit}`
}

export interface GpuLimitCheck {
  readonly estimate: BufferEstimate
  readonly limit: { readonly bytes: number; readonly name: keyof GpuBufferLimits }
  /** The largest size that fits; undefined when none does. */
  readonly fits: { readonly width: number; readonly height: number } | undefined
}

/** The refusal's facts when the run's largest buffer is over the limit; undefined when it fits. */
export function checkGpuLimits(shape: UNetShape, size: RunSize, limits: GpuBufferLimits): GpuLimitCheck | undefined {
  const estimate = estimateUNetBuffers(shape, size)
  const limit = bindingLimit(limits)
  if (estimate.largestBytes <= limit.bytes) return undefined
  return { estimate, limit, fits: largestFittingSize(shape, size, limits) }
}

/**
 * The refusal's text, after "node 5 (EmptyLatent): ": "width/height 4096x4096 needs a 512 GiB attention buffer on
 * this GPU, over its 2 GiB maxStorageBufferBindingSize; the largest size that fits is 1024x1024 (or use WASM/the CLI)".
 */
export function gpuLimitMessage(size: RunSize, check: GpuLimitCheck, where: string): string {
  const fits = check.fits ? `the largest size that fits is ${check.fits.width}x${check.fits.height}` : 'no size fits'
  return (
    `width/height ${size.width}x${size.height} needs a ${formatBytes(check.estimate.largestBytes)} ${check.estimate.largestKind} buffer on this GPU ` +
    `(${where}), over its ${formatBytes(check.limit.bytes)} ${check.limit.name}; ${fits} (or use WASM/the CLI)`
  )
}
