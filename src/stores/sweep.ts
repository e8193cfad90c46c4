// The sweep panel's state: the form (axes, values, seeds) checked live, the sweep running on the engine worker
// (its cells and results as they arrive, progress with ETA, cancel, resume from the worker's IndexedDB cell store),
// and what it saves (grid PNG with the definition, CSV, JSON). Imports nothing of the chart (vega loads on demand).
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { NodeRegistry } from '../engine/registry.js'
import type { GraphFile } from '../graph/schema.js'
import { serializeSweepDefinition, type SweepDefinition } from '../sweep/definition.js'
import { sweepCells, type SweepCell } from '../sweep/cells.js'
import { assembleGrid, readSweepFromPng } from '../sweep/grid.js'
import type { CellResult } from '../sweep/run-cell.js'
import { cellFromRecord } from '../sweep/store.js'
import { sweepCsv, sweepReport } from '../sweep/table.js'
import type { SweepFromWorker } from '../worker/sweep-protocol.js'
import { useGraph } from './graph.js'
import { useRuns } from './runs.js'
import { checkDraft, draftOf, type AxisDraft, type DraftCheck } from './sweep-draft.js'

export type SweepStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error'

export interface SweepProgressView {
  readonly done: number
  readonly total: number
  readonly reused: number
  readonly computed: number
  readonly etaMs: number | undefined
}

/** What window.__hypersd.sweep() returns to browser checks. */
export interface SweepView {
  readonly status: SweepStatus
  readonly done: number
  readonly total: number
  readonly reused: number
  readonly error: string | null
  readonly cells: { index: number; done: boolean; nodesRun: string[]; scores: Record<string, number> }[]
  readonly sessionsCreated: string[]
  readonly axes: AxisDraft[]
  readonly seeds: number
}

let sweepCounter = 0

export const useSweep = defineStore('sweep', () => {
  const graphStore = useGraph()
  const runs = useRuns()

  const open = ref(false)
  /** The graph the sweep varies: the open graph when the panel opened, or the graph a grid PNG carried. */
  const baseGraph = shallowRef<GraphFile | null>(null)
  const baseSource = ref('the open graph')
  const axes = ref<AxisDraft[]>([{ node: '', input: '', values: '' }])
  const seeds = ref(1)
  const check = shallowRef<DraftCheck>({ error: 'pick a node and an input to vary' })

  const status = ref<SweepStatus>('idle')
  const sweepId = ref<string | null>(null)
  /** The definition last run, its cells in grid order and their results by cell index. */
  const definition = shallowRef<SweepDefinition | null>(null)
  const cells = shallowRef<readonly SweepCell[]>([])
  const results = shallowRef<readonly (CellResult | undefined)[]>([])
  const imageUrls = ref<(string | undefined)[]>([])
  const progress = ref<SweepProgressView | null>(null)
  const sessionsCreated = ref<string[]>([])
  const error = ref<string | null>(null)
  const running = computed(() => status.value === 'running')

  function registry(): NodeRegistry {
    return new NodeRegistry(graphStore.requireEditor().definitions.values())
  }

  // Every edit of the form is checked with the sweep library; a newer check wins over a slower older one.
  let checkCounter = 0
  watch(
    [baseGraph, axes, seeds],
    async () => {
      const graph = baseGraph.value
      if (!graph) return
      const mine = ++checkCounter
      const result = await checkDraft(graph, registry(), { axes: axes.value, seeds: seeds.value })
      if (mine === checkCounter) check.value = result
    },
    { deep: true },
  )

  /** Opens the panel on the open graph (a node's menu passes the input to vary across; an axis set before moves down). */
  function openPanel(start?: { node: string; input: string }): void {
    baseGraph.value = graphStore.requireEditor().toFile(graphStore.name)
    baseSource.value = 'the open graph'
    if (start) axes.value = [{ node: start.node, input: start.input, values: '' }, ...axes.value.filter((a) => a.node !== '' && !(a.node === start.node && a.input === start.input)).slice(0, 1)]
    open.value = true
  }

  function openDefinition(loaded: SweepDefinition, source: string): void {
    baseGraph.value = loaded.graph
    baseSource.value = source
    const draft = draftOf(loaded)
    axes.value = draft.axes.map((a) => ({ ...a }))
    seeds.value = draft.seeds
    open.value = true
  }

  /** A PNG carrying a sweep reopens the panel with it; false for any other file (the graph open path takes it). */
  async function openFile(file: File): Promise<boolean> {
    if (!/\.png$/i.test(file.name) && file.type !== 'image/png') return false
    const bytes = new Uint8Array(await file.arrayBuffer())
    try {
      const loaded = readSweepFromPng(bytes, registry(), file.name)
      if (!loaded) return false
      openDefinition(loaded, file.name)
    } catch (problem) {
      error.value = problem instanceof Error ? problem.message : String(problem)
      open.value = true
    }
    return true
  }

  function clearResults(): void {
    for (const url of imageUrls.value) if (url) URL.revokeObjectURL(url)
    imageUrls.value = []
    results.value = []
  }

  function run(): void {
    const ready = check.value.definition
    if (!ready || running.value) return
    clearResults()
    const id = `sweep-${Date.now().toString(36)}-${++sweepCounter}`
    definition.value = ready
    cells.value = sweepCells(ready, registry())
    results.value = cells.value.map(() => undefined)
    imageUrls.value = cells.value.map(() => undefined)
    progress.value = { done: 0, total: cells.value.length, reused: 0, computed: 0, etaMs: undefined }
    sessionsCreated.value = []
    error.value = null
    const refused = runs.startSweep(id, serializeSweepDefinition(ready))
    if (refused) {
      status.value = 'error'
      error.value = refused
      return
    }
    sweepId.value = id
    status.value = 'running'
  }

  function cancel(): void {
    if (!running.value || !sweepId.value) return
    runs.cancelSweep(sweepId.value)
  }

  function onMessage(message: SweepFromWorker): void {
    if (message.sweepId !== sweepId.value) return
    switch (message.type) {
      case 'sweep-progress': {
        const cell = cells.value[message.cell.index]
        if (!cell) return
        const result = cellFromRecord(cell.key, message.cell.record, message.cell.png, `sweep cell ${message.cell.index + 1}`)
        const next = [...results.value]
        next[cell.index] = result
        results.value = next
        imageUrls.value[cell.index] = URL.createObjectURL(new Blob([result.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }))
        progress.value = { done: message.done, total: message.total, reused: message.reused, computed: message.computed, etaMs: message.etaMs }
        break
      }
      case 'sweep-done':
        status.value = message.cancelled ? 'cancelled' : 'done'
        sessionsCreated.value = [...message.sessions.created]
        if (progress.value) progress.value = { ...progress.value, reused: message.reused, computed: message.computed, etaMs: message.cancelled ? undefined : 0 }
        break
      case 'sweep-error':
        status.value = 'error'
        error.value = message.message
        break
    }
  }
  runs.onSweepMessage(onMessage)

  function gridPng(): Uint8Array | null {
    return definition.value ? assembleGrid(definition.value, cells.value, results.value) : null
  }

  function csvText(): string | null {
    return definition.value ? sweepCsv(definition.value, cells.value, results.value) : null
  }

  function jsonText(): string | null {
    if (!definition.value) return null
    const report = sweepReport(definition.value, cells.value, results.value)
    return `${JSON.stringify({ ...report, definition: JSON.parse(serializeSweepDefinition(definition.value)) as unknown }, null, 2)}\n`
  }

  function view(): SweepView {
    return {
      status: status.value,
      done: progress.value?.done ?? 0,
      total: progress.value?.total ?? 0,
      reused: progress.value?.reused ?? 0,
      error: error.value ?? check.value.error ?? null,
      cells: cells.value.map((cell) => {
        const result = results.value[cell.index]
        return { index: cell.index, done: result !== undefined, nodesRun: [...(result?.nodesRun ?? [])], scores: { ...(result?.scores ?? {}) } }
      }),
      sessionsCreated: [...sessionsCreated.value],
      axes: axes.value.map((a) => ({ ...a })),
      seeds: seeds.value,
    }
  }

  return {
    open,
    baseGraph,
    baseSource,
    axes,
    seeds,
    check,
    status,
    definition,
    cells,
    results,
    imageUrls,
    progress,
    error,
    running,
    openPanel,
    openDefinition,
    openFile,
    run,
    cancel,
    gridPng,
    csvText,
    jsonText,
    view,
  }
})
