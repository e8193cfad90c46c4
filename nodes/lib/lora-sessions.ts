// Sessions for models that may carry LoRAs. Without LoRAs this is the plain cached session.
import type { NodeContext } from '../../src/engine/index.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import type { NodeServices } from '../services.js'
import type { TextEncoderModel, UNetModel } from '../types.js'
import { sessionFor } from './run-model.js'

export interface PreparedSession {
  readonly session: ModelSession
  /** Extra inputs, e.g. live-mode LoRA scales. */
  readonly feeds: Readonly<Record<string, HostTensor>>
}

export async function unetSession(ctx: NodeContext<NodeServices>, model: UNetModel): Promise<PreparedSession> {
  if (model.loras.length > 0) throw new Error('LoRA support is not wired in yet')
  return { session: await sessionFor(ctx, model.model), feeds: {} }
}

export async function textEncoderSession(
  ctx: NodeContext<NodeServices>,
  clip: TextEncoderModel,
  encoder: TextEncoderModel['encoders'][number],
): Promise<PreparedSession> {
  if (clip.loras.length > 0) throw new Error('LoRA support is not wired in yet')
  return { session: await sessionFor(ctx, encoder.model), feeds: {} }
}
