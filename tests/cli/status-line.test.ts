// The CLI's progress output: plain lines when stderr is not a terminal (what logs and the CLI tests read), one line
// redrawn in place by cli-progress on a terminal, and the line always freed when a run ends or fails.
import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { EngineEvent } from '../../src/engine/index.js'
import { GraphFileSchema } from '../../src/graph/schema.js'
import { createPullReporter } from '../../src/cli/download-progress.js'
import { createProgressReporter } from '../../src/cli/progress.js'
import { renderBar } from '../../src/cli/status-line.js'
import { createSweepProgress } from '../../src/cli/sweep/progress.js'

function capture(isTTY: boolean): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 200 })
  const chunks: string[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  return { stream, text: () => chunks.join('') }
}

const runId = 'r'
const steps = (nodeId: string, max: number): EngineEvent[] => Array.from({ length: max }, (_, i) => ({ type: 'progress', runId, nodeId, value: i + 1, max }))

describe('CLI progress output', () => {
  it('draws bars of 24 cells', () => {
    expect(renderBar(0, 4)).toBe('[........................] 0/4')
    expect(renderBar(1, 4)).toBe('[######..................] 1/4')
    expect(renderBar(2, 2)).toBe('[########################] 2/2')
    expect(renderBar(0, 0)).toBe('[........................] 0/0')
  })

  it('writes one plain line per event when stderr is not a terminal', async () => {
    const { stream, text } = capture(false)
    const report = createProgressReporter(stream, new Map([['4', 'Sampler (#4)']]))
    for (const event of [...steps('4', 2), { type: 'progress', runId, nodeId: '7', value: 1, max: 1 }] satisfies EngineEvent[]) report(event)
    report({ type: 'node-finished', runId, nodeId: '4', nodeType: 'TSCDSampler', ms: 12.4 })
    report({ type: 'node-cached', runId, nodeId: '2', nodeType: 'CLIPTextEncode' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(text()).toBe(
      '  Sampler (#4) [############............] 1/2\n' +
        '  Sampler (#4) [########################] 2/2\n' +
        '  done    Sampler (#4) (12 ms)\n' +
        '  cached  2\n',
    )
  })

  it('redraws one line in place on a terminal and ends it before the next line', async () => {
    const { stream, text } = capture(true)
    const report = createProgressReporter(stream, new Map())
    for (const event of steps('4', 3)) report(event)
    report({ type: 'node-finished', runId, nodeId: '4', nodeType: 'TSCDSampler', ms: 5 })
    await new Promise((resolve) => setImmediate(resolve))
    const out = text()
    expect(out).toContain('  4 [########................] 1/3')
    expect(out).toContain('  4 [########################] 3/3')
    expect(out).not.toMatch(/1\/3\n/) // redrawn, not one line per step
    expect(out).toMatch(/3\/3(\x1b\[\??[0-9;]*[A-Za-z]|\x1b[78])*\n {2}done {4}4 \(5 ms\)\n$/)
  })

  it('frees the terminal line when the run fails mid-bar', async () => {
    const { stream, text } = capture(true)
    const report = createProgressReporter(stream, new Map())
    report(steps('4', 4)[0]!)
    report({ type: 'run-failed', runId, message: 'boom', nodeId: '4' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(text()).toMatch(/1\/4(\x1b\[\??[0-9;]*[A-Za-z]|\x1b[78])*\n$/)
  })

  it('writes the sweep and download progress as plain lines off a terminal', async () => {
    const sweep = capture(false)
    const progress = createSweepProgress(sweep.stream)
    // The line does not show the cell itself.
    const graph = GraphFileSchema.parse(JSON.parse(readFileSync('graphs/tiny-sd15-4step.json', 'utf8')))
    const cell = { index: 0, column: 0, row: 0, valueIndexes: [0], values: [1], seedIndex: 0, seed: 0, graph, key: 'k' }
    progress.update({ done: 1, total: 4, computed: 1, reused: 0, elapsedMs: 2000, etaMs: 6000, cell })
    progress.update({ done: 4, total: 4, computed: 1, reused: 3, elapsedMs: 2000, etaMs: 0, cell })
    progress.end()
    const pull = capture(false)
    const reporter = createPullReporter(pull.stream, 60_000)
    const files = [{ path: 'a.onnx', state: 'complete' as const, loaded: 10, total: 10 }]
    reporter.update({ files, loaded: 5, total: 10, bytesPerSecond: 0, etaSeconds: undefined, current: undefined })
    reporter.update({ files, loaded: 8, total: 10, bytesPerSecond: 0, etaSeconds: undefined, current: 'a.onnx' })
    reporter.end()
    await new Promise((resolve) => setImmediate(resolve))
    expect(sweep.text()).toBe('sweep [######..................] 1/4 cells, ETA 6 s\nsweep [########################] 4/4 cells, 3 from --out, done in 2 s\n')
    expect(pull.text()).toBe('[############............] 5 B / 10 B · 1/1 files\n[###################.....] 8 B / 10 B · 1/1 files · a.onnx\n')
  })
})
