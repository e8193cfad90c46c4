// Words for the model catalog's kinds, states and origins, as the Models tab and notices show them.
import { formatBytes, formatDuration } from '../models/catalog/format.js'
import type { ModelEntry, ModelKind, ModelOrigin, ModelProgress, ModelState } from '../models/catalog/types.js'

export const KIND_LABELS: Readonly<Record<ModelKind, string>> = {
  'sd15-pipeline': 'SD1.5 pipeline',
  'sdxl-pipeline': 'SDXL pipeline',
  lora: 'LoRA',
  'unet-weights': 'UNet weights',
  'clip-vision': 'CLIP vision',
  'aesthetic-head': 'Aesthetic head',
  unknown: 'Unknown',
}

export const STATE_LABELS: Readonly<Record<ModelState, string>> = {
  ready: 'ready',
  downloading: 'downloading',
  partial: 'partial',
  failed: 'failed',
  'needs-permission': 'needs access',
}

export const ORIGIN_LABELS: Readonly<Record<ModelOrigin, string>> = {
  bundled: 'bundled',
  hub: 'Hugging Face',
  local: 'local',
}

/** "LoRA · kohya · SD1.5". */
export function kindText(entry: Pick<ModelEntry, 'kind' | 'detail'>): string {
  return entry.detail ? `${KIND_LABELS[entry.kind]} · ${entry.detail}` : KIND_LABELS[entry.kind]
}

export function sizeText(bytes: number | undefined): string {
  return bytes === undefined ? 'size unknown' : formatBytes(bytes)
}

/** "12.3 MB of 2.0 GB · 5.0 MB/s · 3 min 05 s left". */
export function progressText(progress: ModelProgress): string {
  const parts = [`${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`]
  if (progress.bytesPerSecond > 0) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`)
  if (progress.etaSeconds !== undefined) parts.push(`${formatDuration(progress.etaSeconds)} left`)
  return parts.join(' · ')
}
