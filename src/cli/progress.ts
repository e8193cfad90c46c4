// Terminal progress: one line per node, a bar per sampler step (redrawn in place on a TTY).
import type { EngineEvent } from '../engine/index.js'

export interface ProgressWriter {
  write(text: string): void
  readonly isTTY: boolean
}

export function renderBar(value: number, max: number, width = 24): string {
  const filled = max > 0 ? Math.round((value / max) * width) : 0
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${value}/${max}`
}

export function createProgressReporter(out: ProgressWriter, titles: ReadonlyMap<string, string>): (event: EngineEvent) => void {
  let barOpen = false
  const label = (id: string) => titles.get(id) ?? id
  const endBar = () => {
    if (barOpen) out.write('\n')
    barOpen = false
  }
  return (event) => {
    switch (event.type) {
      case 'node-cached':
        endBar()
        out.write(`  cached  ${label(event.nodeId)}\n`)
        break
      case 'progress':
        if (event.max <= 1 && !barOpen) break
        if (out.isTTY) {
          out.write(`\r  ${label(event.nodeId)} ${renderBar(event.value, event.max)}`)
          barOpen = true
          if (event.value >= event.max) endBar()
        } else {
          out.write(`  ${label(event.nodeId)} ${renderBar(event.value, event.max)}\n`)
        }
        break
      case 'node-warning':
        endBar()
        out.write(`  warning ${label(event.nodeId)}: ${event.message}\n`)
        break
      case 'node-finished':
        endBar()
        out.write(`  done    ${label(event.nodeId)} (${event.ms.toFixed(0)} ms)\n`)
        break
      case 'run-finished':
        endBar()
        out.write(`ran ${event.nodesRun.length} nodes, ${event.nodesCached.length} cached, in ${(event.ms / 1000).toFixed(2)} s\n`)
        break
      default:
        break
    }
  }
}
