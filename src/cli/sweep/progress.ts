// The sweep's progress line on stderr: cells done of total, cells reused from --out, and an ETA.
import type { SweepProgress } from '../../sweep/index.js'
import { createStatusLine, renderBar, type ProgressWriter } from '../status-line.js'

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

export function progressLine(p: SweepProgress): string {
  const reused = p.reused > 0 ? `, ${p.reused} from --out` : ''
  const eta = p.done === p.total ? `done in ${formatDuration(p.elapsedMs)}` : p.etaMs === undefined ? 'ETA after the first cell' : `ETA ${formatDuration(p.etaMs)}`
  return `sweep ${renderBar(p.done, p.total)} cells${reused}, ${eta}`
}

/** Redraws one line on a terminal; writes a line per cell otherwise (logs, CI). */
export function createSweepProgress(out: ProgressWriter): { update(p: SweepProgress): void; end(): void } {
  const line = createStatusLine(out)
  return { update: (p) => line.show(progressLine(p)), end: () => line.end() }
}
