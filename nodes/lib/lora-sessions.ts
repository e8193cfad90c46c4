// Sessions for models that may carry LoRAs: merge-mode LoRAs are baked in, live-mode ones become scale inputs.
import type { NodeContext } from '../../src/engine/index.js'
import { formatLoraReport, loraSessionKey, prepareModelWithLoras, type LoraDeps, type LoraMatchReport } from '../../src/lora/index.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import type { NodeServices } from '../services.js'
import type { LazyModel, LoraBinding, TextEncoderModel, UNetModel } from '../types.js'

export interface PreparedSession {
  readonly session: ModelSession
  /** Extra inputs, e.g. live-mode LoRA scales. */
  readonly feeds: Readonly<Record<string, HostTensor>>
}

function loraDeps(ctx: NodeContext<NodeServices>): LoraDeps {
  const { files, sessions, resolveModel } = ctx.services
  return { sessions, readLora: (name) => files.readBytes(resolveModel(name)) }
}

/** Unmatched LoRA tensors are worth a warning: usually a LoRA made for another model. */
function warnAboutReports(ctx: NodeContext<NodeServices>, reports: readonly LoraMatchReport[]): void {
  for (const report of reports) {
    if (report.unmatched.length > 0 || report.mismatched.length > 0) ctx.warn(formatLoraReport(report, 5))
  }
}

async function prepare(
  ctx: NodeContext<NodeServices>,
  model: LazyModel,
  loras: readonly LoraBinding[],
  component: 'unet' | 'te1' | 'te2',
): Promise<PreparedSession> {
  // The node's cached result keeps this exact session (base model or LoRA build) alive; switching LoRAs frees it.
  ctx.retain(loraSessionKey(model.key, component, loras))
  const prepared = await prepareModelWithLoras(model, loras, component, loraDeps(ctx))
  warnAboutReports(ctx, prepared.reports)
  return prepared
}

export function unetSession(ctx: NodeContext<NodeServices>, model: UNetModel): Promise<PreparedSession> {
  return prepare(ctx, model.model, model.loras, 'unet')
}

export function textEncoderSession(
  ctx: NodeContext<NodeServices>,
  clip: TextEncoderModel,
  encoder: TextEncoderModel['encoders'][number],
): Promise<PreparedSession> {
  return prepare(ctx, encoder.model, clip.loras, encoder.role === 'primary' ? 'te1' : 'te2')
}
