// Terminal progress: one line per node, a bar per sampler step (redrawn in place on a TTY by cli-progress).
import type { EngineEvent } from '../engine/index.js'
import { createStatusLine, renderBar, type ProgressWriter } from './status-line.js'

export function createProgressReporter(out: ProgressWriter, titles: ReadonlyMap<string, string>): (event: EngineEvent) => void {
  const line = createStatusLine(out)
  let barOpen = false
  const label = (id: string) => titles.get(id) ?? id
  const endBar = () => {
    line.end()
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
        line.show(`  ${label(event.nodeId)} ${renderBar(event.value, event.max)}`)
        barOpen = out.isTTY === true
        if (event.value >= event.max) endBar()
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
      case 'node-failed':
      case 'run-failed':
      case 'run-cancelled':
        // Free the line (and cli-progress's redraw timer) before the error is printed.
        endBar()
        break
      default:
        break
    }
  }
}
