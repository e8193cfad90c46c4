// Sessions for models that may carry LoRAs: merge-mode LoRAs are baked in, live-mode ones become scale inputs.
// The UNet may also carry a weights file, written in before its LoRAs.
import type { NodeContext } from '../../src/engine/index.js'
import {
  formatLoraReport,
  formatUNetWeightsReport,
  loraSessionKey,
  prepareModelWithLoras,
  prepareUNet,
  unetWeightsKey,
  type LoraDeps,
  type LoraMatchReport,
  type UNetWeightsDeps,
  type UNetWeightsReport,
} from '../../src/lora/index.js'
import { openSafetensorsFile } from '../../src/models/safetensors/file-source.js'
import { SmallFileMemo } from '../../src/models/small-file-memo.js'
import type { HostTensor, ModelSession } from '../../src/runtime/types.js'
import type { BackgroundSessions, NodeServices } from '../services.js'
import type { LazyModel, LoraBinding, TextEncoderModel, UNetModel } from '../types.js'

export interface PreparedSession {
  readonly session: ModelSession
  /** Extra inputs, e.g. live-mode LoRA scales. */
  readonly feeds: Readonly<Record<string, HostTensor>>
}

/** LoRA files up to this size are read once per host and shared by the builds that open them (see SmallFileMemo). */
const SHARED_LORA_BYTES = 64 * 1024 * 1024
const loraFiles = new WeakMap<NodeServices, SmallFileMemo>()

function sharedLoraFiles(services: NodeServices): SmallFileMemo {
  const known = loraFiles.get(services)
  if (known) return known
  const memo = new SmallFileMemo(SHARED_LORA_BYTES)
  loraFiles.set(services, memo)
  return memo
}

function loraDeps(ctx: NodeContext<NodeServices>): LoraDeps & UNetWeightsDeps {
  const { files, sessions, resolveModel, whenIdle } = ctx.services
  const shared = sharedLoraFiles(ctx.services)
  return {
    sessions,
    ...(whenIdle ? { later: (task: (background: BackgroundSessions) => Promise<void>) => whenIdle.call(ctx.services, task) } : {}),
    readLora: (name) => {
      const path = resolveModel(name)
      return shared.read(path, () => files.readBytes(path))
    },
    // Tensor by tensor where the host can read ranges: a full SDXL UNet is past what one buffer holds.
    readWeights: (name) => openSafetensorsFile(files, resolveModel(name), name),
  }
}

/** Unmatched LoRA tensors are worth a warning: usually a LoRA made for another model. */
function warnAboutReports(ctx: NodeContext<NodeServices>, reports: readonly LoraMatchReport[]): void {
  for (const report of reports) {
    if (report.unmatched.length > 0 || report.mismatched.length > 0) ctx.warn(formatLoraReport(report, 5))
  }
}

/** A weights file that left tensors out, or weights of the model unwritten, leaves a model partly on its base weights. */
function warnAboutWeights(ctx: NodeContext<NodeServices>, report: UNetWeightsReport | undefined): void {
  if (report && (report.unmatchedCount > 0 || report.unwrittenCount > 0)) ctx.warn(formatUNetWeightsReport(report))
}

async function prepare(
  ctx: NodeContext<NodeServices>,
  model: LazyModel,
  loras: readonly LoraBinding[],
  component: 'te1' | 'te2',
): Promise<PreparedSession> {
  // The node's cached result keeps this exact session (base model or LoRA build) alive; switching LoRAs frees it.
  ctx.retain(loraSessionKey(model.key, component, loras))
  const prepared = await prepareModelWithLoras(model, loras, component, loraDeps(ctx))
  ctx.retain(prepared.sessionKey)
  warnAboutReports(ctx, prepared.reports)
  if (prepared.session.notice) ctx.warn(prepared.session.notice)
  return prepared
}

export async function unetSession(ctx: NodeContext<NodeServices>, model: UNetModel): Promise<PreparedSession> {
  ctx.retain(loraSessionKey(unetWeightsKey(model.model.key, model.weights), 'unet', model.loras))
  const prepared = await prepareUNet(model.model, model.weights, model.loras, loraDeps(ctx))
  ctx.retain(prepared.sessionKey)
  warnAboutWeights(ctx, prepared.weights)
  warnAboutReports(ctx, prepared.reports)
  if (prepared.session.notice) ctx.warn(prepared.session.notice)
  return prepared
}

export function textEncoderSession(
  ctx: NodeContext<NodeServices>,
  clip: TextEncoderModel,
  encoder: TextEncoderModel['encoders'][number],
): Promise<PreparedSession> {
  return prepare(ctx, encoder.model, clip.loras, encoder.role === 'primary' ? 'te1' : 'te2')
}
