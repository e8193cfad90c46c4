// The GPU buffer preflight: the estimator on the published SD1.5 and SDXL UNet configs (numbers worked out by hand
// below), the largest size that fits, the refusal's wording, and the worker's check on the default graph with the
// bundled shapes model read from public/models.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { NodeExecutionError, NodeRegistry, type ExecGraph } from '../../src/engine/index.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import { toExecGraph } from '../../src/graph/exec.js'
import { NodeFileSource } from '../../src/models/node-files.js'
import { modelPath } from '../../src/models/catalog/routing.js'
import {
  checkGpuLimits,
  estimateUNetBuffers,
  formatBytes,
  gpuLimitMessage,
  largestFittingSize,
  unetShapeFromConfig,
  type GpuBufferLimits,
  type UNetShape,
} from '../../src/runtime/gpu-limits.js'
import { gpuLimitRefusal } from '../../src/worker/gpu-preflight.js'
import { createWebBackend } from '../../src/runtime/web.js'

const GiB = 2 ** 30
const MiB = 2 ** 20

// Published configs (the fields the estimate reads), from the diffusers repos' unet/config.json:
// runwayml/stable-diffusion-v1-5: block_out_channels [320, 640, 1280, 1280], down blocks CrossAttn x3 + DownBlock2D,
// attention_head_dim 8 (diffusers' legacy name: 8 heads at every level).
const SD15 = {
  block_out_channels: [320, 640, 1280, 1280],
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  mid_block_type: 'UNetMidBlock2DCrossAttn',
  attention_head_dim: 8,
  sample_size: 64,
}
// stabilityai/stable-diffusion-xl-base-1.0: block_out_channels [320, 640, 1280], DownBlock2D then CrossAttn x2,
// attention_head_dim [5, 10, 20] (heads per level; head size 64).
const SDXL = {
  block_out_channels: [320, 640, 1280],
  down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
  mid_block_type: 'UNetMidBlock2DCrossAttn',
  attention_head_dim: [5, 10, 20],
  sample_size: 128,
}
/** WebGPU's default limits (what SwiftShader-like adapters often give) and a common desktop GPU's. */
const DEFAULT_LIMITS: GpuBufferLimits = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB }
const DESKTOP_LIMITS: GpuBufferLimits = { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB }

function shapeOf(config: object): UNetShape {
  const shape = unetShapeFromConfig(config as Record<string, unknown>)
  if (!shape) throw new Error('no shape')
  return shape
}

describe('UNet buffer estimate', () => {
  it('reads heads per level from attention_head_dim (int or list) and num_attention_heads, attention only at CrossAttn levels', () => {
    expect(shapeOf(SD15).headsPerLevel).toEqual([8, 8, 8, undefined])
    expect(shapeOf(SD15).midBlockHeads).toBe(8)
    expect(shapeOf(SDXL).headsPerLevel).toEqual([undefined, 10, 20])
    expect(shapeOf({ ...SDXL, num_attention_heads: [2, 3, 4] }).headsPerLevel).toEqual([undefined, 3, 4])
    expect(unetShapeFromConfig({})).toBeUndefined()
    expect(unetShapeFromConfig({ block_out_channels: [32, 64] })).toBeUndefined()
  })

  it('SD1.5 at 512x512: 8 heads x 4096² tokens x 4 B = 512 MiB of attention scores, twice that with CFG', () => {
    // Latent 64x64 -> N = 4096 tokens at level 0 (320 channels): 8 * 4096 * 4096 * 4 = 536,870,912 B = 512 MiB.
    const plain = estimateUNetBuffers(shapeOf(SD15), { width: 512, height: 512, batch: 1, cfg: false })
    expect(plain.attentionBytes).toBe(512 * MiB)
    // Conv: the up path's level-0 concat, 640 + 320 channels at 64x64: 960 * 4096 * 4 = 15 MiB.
    expect(plain.convBytes).toBe(15 * MiB)
    // GEGLU: 4096 tokens x 8 * 320 x 4 B = 40 MiB.
    expect(plain.feedForwardBytes).toBe(40 * MiB)
    expect(plain.largestKind).toBe('attention')
    const guided = estimateUNetBuffers(shapeOf(SD15), { width: 512, height: 512, batch: 1, cfg: true })
    expect(guided.attentionBytes).toBe(GiB)
  })

  it('SD1.5 at 4096x4096: 8 x 262144² x 4 B = 2 TiB; the largest square that fits is 704x704 under 2 GiB, 320x320 under 128 MiB', () => {
    // Latent 512x512 -> N = 2^18: 8 * 2^36 * 4 = 2^41 B = 2048 GiB.
    const size = { width: 4096, height: 4096, batch: 1, cfg: false }
    expect(estimateUNetBuffers(shapeOf(SD15), size).attentionBytes).toBe(2048 * GiB)
    // 2 GiB = 2^31 B: 32 * N² <= 2^31 -> N <= 2^13 = 8192 tokens = 90.5² -> the largest latent multiple of 8 is 88
    // (704 px: 88² = 7744 tokens -> 1.79 GiB); 768 px = 96² = 9216 tokens -> 2.53 GiB does not fit.
    expect(largestFittingSize(shapeOf(SD15), size, DESKTOP_LIMITS)).toEqual({ width: 704, height: 704 })
    // 128 MiB = 2^27: N² <= 2^22 -> N <= 2048 = 45.25² -> 320 px (40² = 1600 tokens: 78 MiB); 384 px (48² = 2304) is 162 MiB.
    expect(largestFittingSize(shapeOf(SD15), size, DEFAULT_LIMITS)).toEqual({ width: 320, height: 320 })
  })

  it('SDXL at 1024x1024: the first attention level is 64x64 with 10 heads, 640 MiB; 1.25 GiB with CFG', () => {
    // Latent 128x128; level 1 (640 channels) is 64x64 = 4096 tokens: 10 * 4096² * 4 = 671,088,640 B = 640 MiB.
    // Level 2: 32x32 = 1024 tokens x 20 heads: 80 MiB. Level 0 has no attention.
    const plain = estimateUNetBuffers(shapeOf(SDXL), { width: 1024, height: 1024, batch: 1, cfg: false })
    expect(plain.attentionBytes).toBe(640 * MiB)
    // Conv: level 0's concat 640 + 320 channels at 128x128: 960 * 16384 * 4 = 60 MiB; GEGLU at level 1: 4096 x 5120 x 4 = 80 MiB.
    expect(plain.convBytes).toBe(60 * MiB)
    expect(plain.feedForwardBytes).toBe(80 * MiB)
    const guided = estimateUNetBuffers(shapeOf(SDXL), { width: 1024, height: 1024, batch: 1, cfg: true })
    expect(guided.attentionBytes).toBe(1280 * MiB)
    expect(checkGpuLimits(shapeOf(SDXL), { width: 1024, height: 1024, batch: 1, cfg: true }, DESKTOP_LIMITS)).toBeUndefined()
  })

  it('keeps the aspect ratio and the UNet pixel step (64 px for SD1.5) in the largest size that fits', () => {
    const fits = largestFittingSize(shapeOf(SD15), { width: 4096, height: 2048, batch: 1, cfg: false }, DESKTOP_LIMITS)!
    expect(fits.width % 64).toBe(0)
    expect(fits.height % 64).toBe(0)
    expect(fits.width / fits.height).toBeCloseTo(2, 0)
    expect(estimateUNetBuffers(shapeOf(SD15), { ...fits, batch: 1, cfg: false }).largestBytes).toBeLessThanOrEqual(2 * GiB)
    expect(estimateUNetBuffers(shapeOf(SD15), { width: fits.width + 64, height: fits.height + 64, batch: 1, cfg: false }).largestBytes).toBeGreaterThan(2 * GiB)
  })

  it('names the size, estimate, limit and largest fitting size in the refusal (the issue: the shapes model at 4096x4096)', () => {
    // public/models/hyper-shapes: 2 heads at level 0; 4096 px -> 512² = 262144 tokens: 2 * 2^36 * 4 = 512 GiB, the
    // issue's MatMul [1,2,262144,262144]. Under 2 GiB: 8 * N² <= 2^31 -> N <= 2^14 = 128² -> 1024x1024.
    const shapes = shapeOf(JSON.parse(readFileSync('public/models/hyper-shapes/unet/config.json', 'utf8')) as object)
    const size = { width: 4096, height: 4096, batch: 1, cfg: false }
    const check = checkGpuLimits(shapes, size, DESKTOP_LIMITS)!
    expect(check.estimate.attentionBytes).toBe(512 * GiB)
    expect(gpuLimitMessage(size, check, 'UNet of "hyper-shapes" in node 4 (TSCDSampler)')).toBe(
      'width/height 4096x4096 needs a 512 GiB attention buffer on this GPU (UNet of "hyper-shapes" in node 4 (TSCDSampler)), over its 2 GiB maxStorageBufferBindingSize; the largest size that fits is 1024x1024 (or use WASM/the CLI)',
    )
    // The smaller limit is named, whichever it is.
    const small = checkGpuLimits(shapes, size, { maxBufferSize: 64 * MiB, maxStorageBufferBindingSize: 128 * MiB })!
    expect(small.limit).toEqual({ bytes: 64 * MiB, name: 'maxBufferSize' })
    expect(formatBytes(1.25 * GiB)).toBe('1.3 GiB')
  })
})

describe('the worker check before a WebGPU run', () => {
  const registry = new NodeRegistry(nodeDefinitions)
  const models = { files: new NodeFileSource('public/models'), resolveModel: modelPath }
  const defaultGraph = toExecGraph(parseGraphFile(readFileSync(join('graphs', 'shapes-4step.json'), 'utf8')))

  function withLatent(graph: ExecGraph, width: number, height: number): ExecGraph {
    return { nodes: graph.nodes.map((n) => (n.type === 'EmptyLatent' ? { ...n, inputs: { ...n.inputs, width, height } } : n)) }
  }

  it('refuses the default graph at 4096x4096, on the EmptyLatent node, through the LoRA node to the pipeline', async () => {
    const refusal = await gpuLimitRefusal(withLatent(defaultGraph, 4096, 4096), registry, DESKTOP_LIMITS, models)
    expect(refusal).toBeInstanceOf(NodeExecutionError)
    const latentId = defaultGraph.nodes.find((n) => n.type === 'EmptyLatent')!.id
    expect(refusal!.nodeId).toBe(latentId)
    expect(refusal!.nodeType).toBe('EmptyLatent')
    expect(refusal!.message).toBe(
      `node ${latentId} (EmptyLatent): width/height 4096x4096 needs a 512 GiB attention buffer on this GPU (UNet of "hyper-shapes" in node 4 (TSCDSampler)), over its 2 GiB maxStorageBufferBindingSize; the largest size that fits is 1024x1024 (or use WASM/the CLI)`,
    )
  })

  it('lets sizes that fit through, and gives no estimate (no refusal) for a pipeline without unet/config.json', async () => {
    expect(await gpuLimitRefusal(withLatent(defaultGraph, 64, 64), registry, DEFAULT_LIMITS, models)).toBeUndefined()
    const noConfig = { ...models, resolveModel: (name: string) => `${modelPath(name)}-missing` }
    expect(await gpuLimitRefusal(withLatent(defaultGraph, 4096, 4096), registry, DESKTOP_LIMITS, noConfig)).toBeUndefined()
  })
})

describe('adapter limits', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('are read from the probed adapter and offered to runs on WebGPU only', async () => {
    const limits = { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB, maxComputeWorkgroupsPerDimension: 65535 }
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => ({ limits }) }, hardwareConcurrency: 1 })
    expect((await createWebBackend({ preferred: 'webgpu', numThreads: 1 })).gpuLimits).toEqual(DESKTOP_LIMITS)
    expect((await createWebBackend({ preferred: 'wasm', numThreads: 1 })).gpuLimits).toBeUndefined()
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => ({}) }, hardwareConcurrency: 1 })
    expect((await createWebBackend({ preferred: 'webgpu', numThreads: 1 })).gpuLimits).toBeUndefined()
  })
})
