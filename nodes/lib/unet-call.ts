// Builds the per-step UNet call: conditioning rows, timestep dtype/shape, SDXL extras, LoRA scale feeds.
import { InputError, type NodeContext } from '../../src/engine/index.js'
import { convertTensor } from '../../src/runtime/tensor.js'
import type { DeviceTensor, HostTensor } from '../../src/runtime/types.js'
import type { NodeServices } from '../services.js'
import type { Conditioning, UNetModel } from '../types.js'
import type { UNetCall } from './denoise.js'
import type { DeviceUNetCall } from './denoise-device.js'
import type { DeviceFloat, DeviceOps } from './device-ops.js'
import { unetSession } from './lora-sessions.js'
import { float32 } from './run-model.js'
import { concatFloat32, repeatFloat32 } from './concat.js'

/** The UNet per step, and where the session and device allow it the same call with its tensors kept on the device. */
export interface UNetCaller extends UNetCall {
  /** Undefined with the reason when the loop must stay on the host (no device, a session without resident runs). */
  readonly onDevice?: DeviceUNetCall
  readonly hostOnlyBecause?: string
  /** Frees the conditioning uploaded to the device. */
  release(): void
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * A conditioning's tokens repeated to `tokens` (a multiple of its own): how ComfyUI batches a prompt of two
 * 77-token windows with a negative of one. Attention over a repeated sequence is the same average, so the result
 * is what each would give alone.
 */
function stretchTokens(cond: Conditioning, tokens: number): Float32Array {
  return tokens === cond.dims[1] ? cond.hiddenStates : repeatFloat32(cond.hiddenStates, tokens / cond.dims[1])
}

export async function createUNetCaller(
  ctx: NodeContext<NodeServices>,
  model: UNetModel,
  positive: Conditioning,
  negative: Conditioning | undefined,
  [h, w]: readonly [number, number],
  ops?: DeviceOps,
): Promise<UNetCaller> {
  const { session, feeds: loraFeeds } = await unetSession(ctx, model)
  const hiddenInput = session.inputs.find((i) => i.name === 'encoder_hidden_states')
  const expectedDim = hiddenInput?.shape[2]
  for (const [name, cond] of [['positive', positive], ['negative', negative]] as const) {
    if (cond && typeof expectedDim === 'number' && expectedDim > 0 && cond.dims[2] !== expectedDim) {
      throw new InputError(name, `conditioning has ${cond.dims[2]} features per token but this UNet takes ${expectedDim} (mixed SD1.5/SDXL models?)`)
    }
  }
  if (negative && negative.dims[2] !== positive.dims[2]) throw new InputError('negative', 'negative and positive conditioning come from different text encoders')
  // An export whose unet/config.json is missing still declares SDXL's extra inputs: go by the session too.
  const needsTimeIds = model.needsTimeIds || session.inputs.some((i) => i.name === 'time_ids')
  const timestepInput = session.inputs.find((i) => i.name === 'timestep')
  const timestepDtype = timestepInput?.dtype === 'int64' ? 'int64' : 'float32'
  // Inputs per batch size, built once: the conditioning doesn't change between steps.
  const conditioningFor = new Map<string, Record<string, HostTensor>>()
  const extraFeeds = (batch: number, useNegative: boolean): Record<string, HostTensor> => {
    const cacheKey = `${batch}:${useNegative}`
    const cached = conditioningFor.get(cacheKey)
    if (cached) return cached
    const half = useNegative ? batch / 2 : batch
    const tokens = useNegative ? (positive.dims[1] * negative!.dims[1]) / gcd(positive.dims[1], negative!.dims[1]) : positive.dims[1]
    const rows = useNegative
      ? concatFloat32([repeatFloat32(stretchTokens(negative!, tokens), half), repeatFloat32(stretchTokens(positive, tokens), half)])
      : repeatFloat32(positive.hiddenStates, batch)
    const feeds: Record<string, HostTensor> = {
      encoder_hidden_states: { dtype: 'float32', dims: [batch, tokens, positive.dims[2]], data: rows },
    }
    if (needsTimeIds) {
      const pooled = (c: Conditioning) => {
        if (!c.pooled) throw new InputError(c === positive ? 'positive' : 'negative', 'SDXL UNet needs pooled text embeds (text_encoder_2)')
        return c.pooled
      }
      const pooledRows = useNegative ? concatFloat32([...Array(half).fill(pooled(negative!)), ...Array(half).fill(pooled(positive))]) : concatFloat32(Array(batch).fill(pooled(positive)))
      feeds.text_embeds = { dtype: 'float32', dims: [batch, pooledRows.length / batch], data: pooledRows }
      // original size, crop top-left, target size (diffusers' _get_add_time_ids).
      const px = [h * model.vaeScaleFactor, w * model.vaeScaleFactor]
      const ids = concatFloat32(Array(batch).fill(Float32Array.of(px[0]!, px[1]!, 0, 0, px[0]!, px[1]!)))
      feeds.time_ids = { dtype: 'float32', dims: [batch, 6], data: ids }
    }
    conditioningFor.set(cacheKey, feeds)
    return feeds
  }
  const timestepFeed = (t: number): HostTensor =>
    timestepDtype === 'int64' ? { dtype: 'int64', dims: [1], data: BigInt64Array.of(BigInt(Math.round(t))) } : { dtype: 'float32', dims: [1], data: Float32Array.of(t) }
  const call: UNetCall = async (sample, t, batch, useNegative) => {
    const outputs = await session.run({
      ...loraFeeds,
      ...extraFeeds(batch, useNegative),
      sample: { dtype: 'float32', dims: [batch, model.inChannels, h, w], data: sample },
      timestep: timestepFeed(t),
    })
    return float32('out_sample', outputs.out_sample)
  }
  // The loop keeps float32 latents on the device; an fp16 export's sample and output are cast there, on the device,
  // as the host path converts them, and the conditioning is uploaded in each input's declared dtype.
  const sampleDtype = deviceFloat(session.inputs.find((i) => i.name === 'sample')?.dtype)
  const outputDtype = deviceFloat(session.outputs.find((o) => o.name === 'out_sample')?.dtype)
  const odd = sampleDtype === undefined ? 'sample' : outputDtype === undefined ? 'out_sample' : undefined
  const hostOnlyBecause = !ops
    ? 'the backend keeps no tensors on a device'
    : ops.device.kind === 'gpu' && session.backend === 'wasm'
      ? 'the UNet runs on WASM, not on the GPU'
      : !session.runResident
      ? 'this UNet session cannot keep its outputs on the device'
      : odd !== undefined
        ? `the UNet's "${odd}" is ${[...session.inputs, ...session.outputs].find((io) => io.name === odd)?.dtype ?? 'missing'} (the device loop takes float32 or float16)`
        : undefined
  const uploaded = new Map<string, Promise<Record<string, DeviceTensor>>>()
  const release = (): void => {
    for (const feeds of uploaded.values()) void feeds.then((f) => Object.values(f).forEach((tensor) => tensor.dispose()))
    uploaded.clear()
  }
  if (hostOnlyBecause !== undefined || !ops || !sampleDtype) return Object.assign(call, { hostOnlyBecause, release })
  const declared = new Map(session.inputs.map((i) => [i.name, i.dtype]))
  // The conditioning is uploaded once per run (per batch layout), not once per step.
  const conditioningOnDevice = (batch: number, useNegative: boolean): Promise<Record<string, DeviceTensor>> => {
    const key = `${batch}:${useNegative}`
    let feeds = uploaded.get(key)
    if (!feeds) {
      const host = extraFeeds(batch, useNegative)
      feeds = Promise.all(
        Object.entries(host).map(async ([name, tensor]) => {
          const dtype = declared.get(name)
          const typed = dtype === undefined || dtype === 'unknown' ? tensor : convertTensor(tensor, dtype, `UNet input "${name}"`)
          return [name, await ops.device.upload(typed)] as const
        }),
      ).then((pairs) => Object.fromEntries(pairs))
      uploaded.set(key, feeds)
    }
    return feeds
  }
  const onDevice: DeviceUNetCall = async (sample, t, batch, useNegative) => {
    const input = await ops.cast(sample, sampleDtype)
    let output: DeviceTensor
    try {
      output = (await session.runResident!({ ...loraFeeds, ...(await conditioningOnDevice(batch, useNegative)), sample: input, timestep: timestepFeed(t) }, ['out_sample'])).out_sample!
    } finally {
      if (input !== sample) input.dispose()
    }
    if (output.dtype === 'float32') return output
    try {
      return await ops.cast(output, 'float32')
    } finally {
      output.dispose()
    }
  }
  return Object.assign(call, { onDevice, release })
}

function deviceFloat(dtype: string | undefined): DeviceFloat | undefined {
  return dtype === 'float32' || dtype === 'float16' ? dtype : undefined
}
