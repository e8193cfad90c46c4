// A download progress bar for `models pull`: total bytes, rate and ETA, and the file in flight; redrawn in place
// on a TTY, a line every few seconds otherwise (CI logs).
import { formatBytes, formatDuration } from '../models/catalog/format.js'
import type { PullProgress } from '../hub/pull.js'
import type { ProgressWriter } from './progress.js'

function bar(fraction: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)))
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

export function describePull(progress: PullProgress): string {
  const done = progress.files.filter((f) => f.state === 'complete').length
  const amount = progress.total === undefined ? formatBytes(progress.loaded) : `${formatBytes(progress.loaded)} / ${formatBytes(progress.total)}`
  const fraction = progress.total ? progress.loaded / progress.total : 0
  const rate = progress.bytesPerSecond > 0 ? `${formatBytes(progress.bytesPerSecond)}/s, ETA ${progress.etaSeconds === undefined ? '–' : formatDuration(progress.etaSeconds)}` : ''
  return `${bar(fraction)} ${amount} · ${done}/${progress.files.length} files${rate ? ` · ${rate}` : ''}${progress.current ? ` · ${progress.current}` : ''}`
}

export function createPullReporter(out: ProgressWriter, intervalMs = 3000): { update(progress: PullProgress): void; end(): void } {
  let last = 0
  let open = false
  let pending: PullProgress | undefined
  return {
    update(progress) {
      pending = progress
      const now = Date.now()
      if (out.isTTY) {
        if (now - last < 100 && progress.current !== undefined) return
        out.write(`\r${describePull(progress).padEnd(100)}`)
        open = true
      } else {
        if (now - last < intervalMs && progress.current !== undefined) return
        out.write(`${describePull(progress)}\n`)
        pending = undefined
      }
      last = now
    },
    end() {
      if (out.isTTY && pending) out.write(`\r${describePull(pending).padEnd(100)}`)
      else if (pending) out.write(`${describePull(pending)}\n`)
      if (open) out.write('\n')
      open = false
    },
  }
}
