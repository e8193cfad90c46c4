// Builds the per-step UNet call: conditioning rows, timestep dtype/shape, SDXL extras, LoRA scale feeds.
import { InputError, type NodeContext } from '../../src/engine/index.js'
import type { DeviceSupport, DeviceTensor, HostTensor } from '../../src/runtime/types.js'
import type { NodeServices } from '../services.js'
import type { Conditioning, UNetModel } from '../types.js'
import type { UNetCall } from './denoise.js'
import type { DeviceUNetCall } from './denoise-device.js'
import { unetSession } from './lora-sessions.js'
import { float32 } from './run-model.js'

/** The UNet per step, and where the session and device allow it the same call with its tensors kept on the device. */
export interface UNetCaller extends UNetCall {
  /** Undefined with the reason when the loop must stay on the host (no device, an fp16 UNet, ...). */
  readonly onDevice?: DeviceUNetCall
  readonly hostOnlyBecause?: string
  /** Frees the conditioning uploaded to the device. */
  release(): void
}

function repeatRows(cond: Conditioning, times: number): Float32Array {
  const rows = new Float32Array(cond.hiddenStates.length * times)
  for (let i = 0; i < times; i++) rows.set(cond.hiddenStates, i * cond.hiddenStates.length)
  return rows
}

function stacked(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

export async function createUNetCaller(
  ctx: NodeContext<NodeServices>,
  model: UNetModel,
  positive: Conditioning,
  negative: Conditioning | undefined,
  [h, w]: readonly [number, number],
  device?: DeviceSupport,
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
    const rows = useNegative ? stacked([repeatRows(negative!, half), repeatRows(positive, half)]) : repeatRows(positive, batch)
    const feeds: Record<string, HostTensor> = {
      encoder_hidden_states: { dtype: 'float32', dims: [batch, positive.dims[1], positive.dims[2]], data: rows },
    }
    if (needsTimeIds) {
      const pooled = (c: Conditioning) => {
        if (!c.pooled) throw new InputError(c === positive ? 'positive' : 'negative', 'SDXL UNet needs pooled text embeds (text_encoder_2)')
        return c.pooled
      }
      const pooledRows = useNegative ? stacked([...Array(half).fill(pooled(negative!)), ...Array(half).fill(pooled(positive))]) : stacked(Array(batch).fill(pooled(positive)))
      feeds.text_embeds = { dtype: 'float32', dims: [batch, pooledRows.length / batch], data: pooledRows }
      // original size, crop top-left, target size (diffusers' _get_add_time_ids).
      const px = [h * model.vaeScaleFactor, w * model.vaeScaleFactor]
      const ids = stacked(Array(batch).fill(Float32Array.of(px[0]!, px[1]!, 0, 0, px[0]!, px[1]!)))
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
  // Device tensors go to the session as they are: every tensor the loop keeps there must be float32.
  const notFloat32 = [...session.inputs.filter((i) => i.name !== 'timestep' && !i.name.startsWith('lora_scale_')), ...session.outputs].find((io) => io.dtype !== 'float32')
  const hostOnlyBecause = !device
    ? 'the backend keeps no tensors on a device'
    : !session.runResident
      ? 'this UNet session cannot keep its outputs on the device'
      : notFloat32
        ? `the UNet's "${notFloat32.name}" is ${notFloat32.dtype} (the device loop runs float32 UNets)`
        : undefined
  const uploaded = new Map<string, Promise<Record<string, DeviceTensor>>>()
  const release = (): void => {
    for (const feeds of uploaded.values()) void feeds.then((f) => Object.values(f).forEach((tensor) => tensor.dispose()))
    uploaded.clear()
  }
  if (hostOnlyBecause !== undefined || !device) return Object.assign(call, { hostOnlyBecause, release })
  // The conditioning is uploaded once per run (per batch layout), not once per step.
  const conditioningOnDevice = (batch: number, useNegative: boolean): Promise<Record<string, DeviceTensor>> => {
    const key = `${batch}:${useNegative}`
    let feeds = uploaded.get(key)
    if (!feeds) {
      const host = extraFeeds(batch, useNegative)
      feeds = Promise.all(Object.entries(host).map(async ([name, tensor]) => [name, await device.upload(tensor)] as const)).then((pairs) => Object.fromEntries(pairs))
      uploaded.set(key, feeds)
    }
    return feeds
  }
  const onDevice: DeviceUNetCall = async (sample, t, batch, useNegative) => {
    const outputs = await session.runResident!({ ...loraFeeds, ...(await conditioningOnDevice(batch, useNegative)), sample, timestep: timestepFeed(t) }, ['out_sample'])
    return outputs.out_sample!
  }
  return Object.assign(call, { onDevice, release })
}
