// Sweeps on the real engine and onnxruntime-node with the tiny models at 64x64: the engine cache spans the cells
// (the text encoder runs once in a 4x4 sweep, a live LoRA scale change builds no session), cancel keeps the cells
// done and a resume runs only the missing ones, and the CSV, JSON and chart hold the scores the cells produced.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { EngineEvent } from '../../src/engine/index.js'
import { applyOverrides } from '../../src/graph/exec.js'
import {
  assembleGrid, chartSpec, createSweepDefinition, MemoryCellStore, renderChartSvg, runSweep, sweepCsv, sweepReport, type SweepAxis,
  type SweepDefinition,
} from '../../src/sweep/index.js'
import { createTestHost, registry, ROOT, shippedGraph } from '../helpers/tiny-host.js'

const SMALL = ['3.width=64', '3.height=64']
const loraGraph = applyOverrides(shippedGraph('tiny-sd15-lora-4step.json'), [...SMALL, '4.scheduler=tcd'], registry)
const host = createTestHost()
afterAll(() => host.dispose())

function sweepOf(graph = loraGraph, axes: SweepAxis[], seeds = 1): SweepDefinition {
  return createSweepDefinition(graph, axes, seeds, registry)
}

/** Node executions (not cache hits) by node type, from the engine's events. */
function executions(): { listener: (e: EngineEvent) => void; count: (type: string) => number } {
  const finished: string[] = []
  return {
    listener: (e) => {
      if (e.type === 'node-finished') finished.push(e.nodeType)
    },
    count: (type) => finished.filter((t) => t === type).length,
  }
}

describe('a sweep reuses the engine cache', () => {
  it('runs the text encoder once for a 4x4 sweep (steps x eta)', async () => {
    const runs = executions()
    const store = new MemoryCellStore()
    const definition = sweepOf(loraGraph, [
      { node: '4', input: 'steps', values: [1, 2, 3, 4] },
      { node: '4', input: 'eta', values: [0, 0.3, 0.6, 0.9] },
    ])
    const outcome = await runSweep({ definition, engine: host.engine, store, onEvent: runs.listener })
    expect(outcome).toMatchObject({ computed: 16, reused: 0, cancelled: false })
    expect(outcome.results.every((r) => r !== undefined)).toBe(true)
    expect(runs.count('CLIPTextEncode')).toBe(1)
    expect(runs.count('LoadPipeline')).toBe(1)
    expect(runs.count('TSCDSampler')).toBe(16)
    expect(runs.count('VAEDecode')).toBe(16)
    expect(store.results.size).toBe(16)
    // Steps change the picture: the cells are really different runs.
    expect(new Set(outcome.results.slice(0, 4).map((r) => Buffer.from(r!.png).toString('base64'))).size).toBe(4)
  })

  it('builds no session when a live LoRA scale changes', async () => {
    const before = host.sessions.stats
    const runs = executions()
    const definition = sweepOf(loraGraph, [{ node: '9', input: 'scale', values: [0.25, 0.5, 0.75, 1.25] }])
    const outcome = await runSweep({ definition, engine: host.engine, store: new MemoryCellStore(), onEvent: runs.listener })
    expect(outcome.computed).toBe(4)
    expect(runs.count('UNetLoRA')).toBe(4)
    expect(host.sessions.stats.creates).toBe(before.creates)
    expect(host.sessions.stats.hits).toBeGreaterThan(before.hits)
    // The scale reached the model: four different pictures from one session.
    expect(new Set(outcome.results.map((r) => Buffer.from(r!.png).toString('base64'))).size).toBe(4)
  })
})

describe('cancel and resume', () => {
  const definition = sweepOf(loraGraph, [{ node: '4', input: 'steps', values: [1, 2, 3] }], 2)

  it('keeps the cells done when cancelled, and a resume runs only the missing ones', async () => {
    const store = new MemoryCellStore()
    const abort = new AbortController()
    const first = await runSweep({
      definition,
      engine: host.engine,
      store,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.done === 2) abort.abort()
      },
    })
    expect(first.cancelled).toBe(true)
    expect(first.results.map((r) => r !== undefined)).toEqual([true, true, false, false, false, false])
    expect([...store.results.keys()]).toEqual(first.cells.slice(0, 2).map((c) => c.key))

    const runs = executions()
    const ran: string[] = []
    const progress: number[] = []
    const resumed = await runSweep({
      definition,
      engine: host.engine,
      store,
      onEvent: (e) => {
        runs.listener(e)
        if (e.type === 'run-started') ran.push(e.runId)
      },
      onProgress: (p) => progress.push(p.done),
    })
    expect(resumed).toMatchObject({ computed: 4, reused: 2, cancelled: false })
    expect(runs.count('TSCDSampler')).toBe(4)
    expect(ran).toEqual(resumed.cells.slice(2).map((c) => `sweep-${c.key}`))
    expect(progress).toEqual([1, 2, 3, 4, 5, 6])
    // The resumed grid is the grid of an uninterrupted sweep, byte for byte.
    const fresh = await runSweep({ definition, engine: host.engine, store: new MemoryCellStore() })
    expect(assembleGrid(definition, resumed.cells, resumed.results)).toEqual(assembleGrid(definition, fresh.cells, fresh.results))
  })
})

describe('scores: CSV, JSON and chart', () => {
  const models = join(ROOT, 'public', 'models')
  const shapes = createTestHost(
    new Map([
      ['hyper-shapes', join(models, 'tiny-sd15')],
      ['loras/hyper-shapes-4step-refl.safetensors', join(models, 'loras', 'tiny-hyper-sd15-4step-kohya.safetensors')],
    ]),
  )
  afterAll(() => shapes.dispose())
  const graph = applyOverrides(shippedGraph('shapes-4step.json'), ['3.width=64', '3.height=64'], registry)

  it('has one row per cell with the axis values, seed, every score, time, key and image', async () => {
    const definition = sweepOf(graph, [{ node: '4', input: 'steps', values: [1, 2] }], 2)
    const outcome = await runSweep({ definition, engine: shapes.engine, store: new MemoryCellStore() })
    const csv = sweepCsv(definition, outcome.cells, outcome.results)
    const [header, ...rows] = csv.trimEnd().split('\r\n').map((line) => line.split(','))
    const attributes = ['size', 'colour', 'shape', 'position', 'background']
    expect(header).toEqual(['TSCDSampler.steps', 'seed', 'Scene Score.score', 'Scene Score.all_right', ...attributes.map((a) => `Scene Score.${a}`), 'time_ms', 'cell_key', 'image'])
    expect(rows).toHaveLength(4)
    expect(rows.map((r) => [r[0], r[1]])).toEqual([['1', '42'], ['2', '42'], ['1', '43'], ['2', '43']])
    rows.forEach((row, i) => {
      const result = outcome.results[i]!
      const cell = outcome.cells[i]!
      expect(row.slice(2, 9).map(Number)).toEqual([result.scores['Scene Score.score'], result.scores['Scene Score.all_right'], ...attributes.map((a) => result.scores[`Scene Score.${a}`])])
      // The score is the mean of the attributes the caption names (all five here), each right (1) or wrong (0).
      const perAttribute = attributes.map((a) => result.scores[`Scene Score.${a}`]!)
      expect(perAttribute.every((v) => v === 0 || v === 1)).toBe(true)
      expect(result.scores['Scene Score.score']).toBeCloseTo(perAttribute.reduce((a, b) => a + b, 0) / 5, 4)
      expect(Number(row[9])).toBeCloseTo(result.msPerImage, 0)
      expect(Number(row[9])).toBeGreaterThan(0)
      expect(row.slice(10)).toEqual([cell.key, `cells/${cell.key}.png`])
    })
    expect(outcome.results[0]!.notes['Scene Score.result']).toMatch(/^size [✓✗] /)

    const report = sweepReport(definition, outcome.cells, outcome.results)
    expect(report.complete).toBe(true)
    expect(report.cells[3]).toMatchObject({ values: { 'TSCDSampler.steps': 2 }, seed: 43, scores: outcome.results[3]!.scores })

    const svg = await renderChartSvg(chartSpec(definition, outcome.cells, outcome.results))
    expect(svg.startsWith('<svg')).toBe(true)
    for (const text of ['Scene Score.score', 'Scene Score.colour', 'ms per image', 'TSCDSampler.steps']) expect(svg).toContain(text)
  })
})
