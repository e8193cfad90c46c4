// Runs one lazily loaded model through the host's session cache.
import type { NodeContext } from '../../src/engine/index.js'
import { toFloat32 } from '../../src/runtime/tensor.js'
import { loaderFor } from '../../src/runtime/loader.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import type { NodeServices } from '../services.js'
import type { LazyModel } from '../types.js'

/** The cached session for `model`; the node's cached result keeps it alive (released when that result goes). */
export async function sessionFor(ctx: NodeContext<NodeServices>, model: LazyModel): Promise<ModelSession> {
  ctx.retain(model.key)
  const session = await ctx.services.sessions.getOrCreate(model.key, loaderFor(model))
  if (session.notice) ctx.warn(session.notice)
  return session
}

export async function runModel(
  ctx: NodeContext<NodeServices>,
  model: LazyModel,
  feeds: Readonly<Record<string, HostTensor>>,
): Promise<Record<string, HostTensor>> {
  const session = await sessionFor(ctx, model)
  ctx.checkCancelled()
  return session.run(feeds)
}

/** A model output as float32: fp16 exports (common for SD1.5/SDXL) give float16, which is decoded here. */
export function float32(name: string, tensor: HostTensor | undefined): Float32Array {
  if (!tensor) throw new Error(`model gave no "${name}" output`)
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'float16') throw new Error(`model output "${name}" is ${tensor.dtype}, expected floats`)
  return toFloat32(tensor)
}
