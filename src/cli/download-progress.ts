// A download progress bar for `models pull`: total bytes, rate and ETA, and the file in flight; redrawn in place
// on a TTY (cli-progress), a line every few seconds otherwise (CI logs).
import { formatBytes, formatDuration } from '../models/catalog/format.js'
import type { PullProgress } from '../hub/pull.js'
import { barOnly, createStatusLine, type ProgressWriter } from './status-line.js'

export function describePull(progress: PullProgress): string {
  const done = progress.files.filter((f) => f.state === 'complete').length
  const amount = progress.total === undefined ? formatBytes(progress.loaded) : `${formatBytes(progress.loaded)} / ${formatBytes(progress.total)}`
  const fraction = progress.total ? progress.loaded / progress.total : 0
  const rate = progress.bytesPerSecond > 0 ? `${formatBytes(progress.bytesPerSecond)}/s, ETA ${progress.etaSeconds === undefined ? '–' : formatDuration(progress.etaSeconds)}` : ''
  return `${barOnly(fraction)} ${amount} · ${done}/${progress.files.length} files${rate ? ` · ${rate}` : ''}${progress.current ? ` · ${progress.current}` : ''}`
}

export function createPullReporter(out: ProgressWriter, intervalMs = 3000): { update(progress: PullProgress): void; end(): void } {
  // On a terminal cli-progress throttles the redraws itself.
  if (out.isTTY) {
    const line = createStatusLine(out)
    return { update: (progress) => line.show(describePull(progress)), end: () => line.end() }
  }
  let last = 0
  let pending: PullProgress | undefined
  return {
    update(progress) {
      pending = progress
      const now = Date.now()
      if (now - last < intervalMs && progress.current !== undefined) return
      out.write(`${describePull(progress)}\n`)
      pending = undefined
      last = now
    },
    end() {
      if (pending) out.write(`${describePull(pending)}\n`)
      pending = undefined
    },
  }
}
