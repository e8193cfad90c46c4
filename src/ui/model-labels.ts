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

/** A download that stopped or runs: its bytes so far and the total (0: nobody gave one) are known, not its size. */
function unfinished(entry: Pick<ModelEntry, 'state' | 'progress'>): ModelProgress | undefined {
  return entry.state === 'partial' || entry.state === 'failed' || entry.state === 'downloading' ? entry.progress : undefined
}

/**
 * The size part of a row: "12.3 MB"; for a stopped download the bytes kept and the total, "150.0 kB of 3.2 MB
 * (partial)"; while it runs, the total (the progress line shows the rest).
 */
export function entrySizeText(entry: Pick<ModelEntry, 'state' | 'bytes' | 'progress'>): string {
  const progress = unfinished(entry)
  if (!progress) return sizeText(entry.bytes)
  if (entry.state === 'downloading') return progress.total > 0 ? formatBytes(progress.total) : sizeText(entry.bytes)
  const amount = progress.total > 0 ? `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}` : `${formatBytes(progress.loaded)} kept`
  return `${amount} (${STATE_LABELS[entry.state]})`
}

/** The exact figures behind entrySizeText, for its tooltip: "50000 of 182716 bytes kept". */
export function entrySizeTitle(entry: Pick<ModelEntry, 'state' | 'bytes' | 'progress'>): string | undefined {
  const progress = unfinished(entry)
  if (progress) return progress.total > 0 ? `${progress.loaded} of ${progress.total} bytes ${entry.state === 'downloading' ? 'so far' : 'kept'}` : `${progress.loaded} bytes ${entry.state === 'downloading' ? 'so far' : 'kept'}`
  return entry.bytes === undefined ? undefined : `${entry.bytes} bytes`
}

/** "12.3 MB of 2.0 GB · 5.0 MB/s · 3 min 05 s left". */
export function progressText(progress: ModelProgress): string {
  const parts = [`${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`]
  if (progress.bytesPerSecond > 0) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`)
  if (progress.etaSeconds !== undefined) parts.push(`${formatDuration(progress.etaSeconds)} left`)
  return parts.join(' · ')
}
