// Runs: the engine worker connection, the run queue, per-node state and progress, and the last result.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, toRaw, watch } from 'vue'
import type { EngineEvent } from '../engine/events.js'
import type { ExecGraph } from '../engine/graph.js'
import type { ShownOutput } from '../engine/output-values.js'
import type { NodeRunState } from '../editor/node-overlay.js'
import { EngineClient } from '../worker/client.js'
import type { FromWorker, RunIssue, SessionStats } from '../worker/protocol.js'
import type { SweepFromWorker } from '../worker/sweep-protocol.js'
import { useGallery } from './gallery.js'
import { useGraph } from './graph.js'
import { useModels } from './models.js'
import { useSettings } from './settings.js'
import { applySeedControls } from './seed-control.js'
import { errorsAfterEdit } from './error-scope.js'
import { deviceLossOutcome, type LossPlace } from './device-loss.js'

const FALLBACK_REASON = 'WASM after repeated GPU device losses'

export type RunStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'cancelled'

export interface QueuedRun {
  readonly id: string
  readonly graph: ExecGraph
  readonly graphJson: string
  readonly auto: boolean
  readonly queuedAt: number
  readonly label: string
  /** The open graph it was queued from (the gallery's key), so its images never show on a graph opened since. */
  readonly documentKey: string
}

export interface LastRun {
  readonly runId: string | null
  readonly status: RunStatus
  readonly nodesRun: readonly string[]
  readonly nodesCached: readonly string[]
  readonly backend: string
  readonly ms: number
  readonly sessions: SessionStats
  readonly error: string | null
  /** Device-to-host copies in the run (WebGPU), null elsewhere. */
  readonly readBacks: number | null
}

/** Something a node said during a run without failing it (dropped tokens, a LoRA's unmatched keys, a model on WASM). */
export interface RunWarning {
  readonly nodeId: string
  readonly nodeType?: string
  readonly message: string
}

export interface Progress {
  readonly nodeId: string
  readonly value: number
  readonly max: number
}

const NO_SESSIONS: SessionStats = { created: [], reused: [], released: [] }

export const useRuns = defineStore('runs', () => {
  const settings = useSettings()
  const graphStore = useGraph()
  const gallery = useGallery()
  const models = useModels()

  const backend = ref('starting…')
  const backendState = ref<'starting' | 'ready' | 'failed'>('starting')
  const backendDetail = ref('')
  /** The backend badge's short text (backend and adapter) and why that backend was chosen. */
  const backendBadge = ref('')
  const backendReason = ref('')
  const queue = ref<QueuedRun[]>([])
  const active = ref<QueuedRun | null>(null)
  const activeStartedAt = ref(0)
  const nodeStates = ref<Record<string, NodeRunState>>({})
  const nodeMs = ref<Record<string, number>>({})
  /** Scores and reports output nodes computed, kept until the node computes again (like its last image). */
  const nodeValues = ref<Record<string, readonly ShownOutput[]>>({})
  const progress = ref<Progress | null>(null)
  /** What the node at work said it is doing ("Loading UNet…", "Encoding prompt…"), until the next node starts. */
  const stage = ref<string | null>(null)
  const preview = shallowRef<ImageData | null>(null)
  const issues = ref<readonly RunIssue[]>([])
  /** The warnings of the latest run (kept after it ends, until the next run starts or they are dismissed). */
  const warnings = ref<readonly RunWarning[]>([])
  const errorMessage = ref<string | null>(null)
  /** Which opened graph the last run belongs to: its "done in" is not shown over another graph. */
  const lastRunOpened = ref(-1)
  const lastRunIsForOpenGraph = computed(() => lastRunOpened.value === graphStore.opened)
  const lastRun = ref<LastRun>({ runId: null, status: 'idle', nodesRun: [], nodesCached: [], backend: '', ms: 0, sessions: NO_SESSIONS, error: null, readBacks: null })
  const busy = computed(() => active.value !== null)
  let client: EngineClient | null = null
  let counter = 0
  /** The exec graph of the last queued run, so auto-run ignores edits that change only the layout. */
  let lastQueuedGraph = ''
  /** The sweep store's handler of the worker's sweep-* messages (sweeps run on this worker's engine and cache). */
  let sweepListener: ((message: SweepFromWorker) => void) | null = null
  /** The sweep the worker is running: queued runs wait for it (the engine, its images and session stats are shared). */
  let sweepRunning: string | null = null
  /** The exec graph of the run whose errors are shown, to tell which of them an edit has made stale. */
  let shownRunGraph: ExecGraph | null = null
  /** The worker loading the open graph's models before its first run (see warmUpOpenGraph). */
  const warmUp = ref<{ state: 'idle' | 'loading' | 'done'; sessions: readonly string[] }>({ state: 'idle', sessions: [] })
  /** Work the worker does once idle (a live LoRA's session after a merged first one): how much is left, what it built last. */
  const idleWork = ref<{ pending: number; sessions: readonly string[] }>({ pending: 0, sessions: [] })
  /** Whether the worker's background work (warm-up, idle work, cache copies) waits for the user to stop dragging. */
  const backgroundPaused = ref(false)
  /** Which opened graph the current worker has warmed up (graphStore.opened), so each is warmed once. */
  let warmedOpened = -1
  /** The id of the latest warm-up sent: an older one may end after it and must not be shown as its end. */
  let warmUpId = 0

  /** GPU device losses in this page; the second moves runs to WASM (device-loss.ts). */
  let deviceLosses = 0
  /** Set after repeated device losses: the backend used instead of the one chosen in Settings. */
  let backendOverride: 'wasm' | null = null

  /** Restarts the engine on the backend picked in Settings, forgetting earlier device losses. */
  function useChosenBackend(): void {
    deviceLosses = 0
    backendOverride = null
    connect()
  }

  function connect(): void {
    client?.terminate()
    if (active.value) finish('cancelled')
    if (sweepRunning) {
      sweepListener?.({ type: 'sweep-error', sweepId: sweepRunning, message: 'The engine restarted: run the sweep again (the cells done are kept)' })
      sweepRunning = null
    }
    backend.value = 'starting…'
    backendBadge.value = ''
    backendReason.value = ''
    backendState.value = 'starting'
    client = new EngineClient(backendOverride ?? settings.backend, new URL('models/', document.baseURI).href, onMessage)
    client.setModels(models.workerMounts())
    warmedOpened = -1
    warmUp.value = { state: 'idle', sessions: [] }
    backgroundPaused.value = false
  }

  /** The user drags or zooms the canvas, or has stopped (interaction-tracker.ts): the worker's background work waits. */
  function userInteracting(active: boolean): void {
    client?.interaction(active)
  }

  /**
   * Once per opened graph, as soon as the engine is ready: the worker loads its models, sessions and prompt encoding
   * (Engine.warmUp) while the user looks at the graph, so the first run starts sampling at once. Off in Settings.
   */
  function warmUpOpenGraph(): void {
    const editor = graphStore.editor
    if (!settings.warmUp || !client || backendState.value !== 'ready' || !models.loaded || !editor) return
    if (warmedOpened === graphStore.opened) return
    warmedOpened = graphStore.opened
    warmUp.value = { state: 'loading', sessions: [] }
    client.warmUp(++warmUpId, editor.toExecGraph())
  }
  /** A run asked for before the first graph opened: queued once it has (after its warm-up has been sent). */
  let runOnceOpened: { auto?: boolean; position?: number } | null = null
  // Synchronously: the warm-up state is 'loading' by the time the graph has opened (no stale 'done' in between).
  watch(
    () => graphStore.opened,
    () => {
      warmUpOpenGraph()
      const options = runOnceOpened
      runOnceOpened = null
      if (options) queueRun(options)
    },
    { flush: 'sync' },
  )

  // The worker resolves local and downloaded model names through the catalog's mounts: it hears of every change,
  // and runs wait until the catalog has loaded (a graph may name a local model).
  watch(
    () => models.mountsRevision,
    () => {
      client?.setModels(models.workerMounts())
      // A model the open graph names may have just arrived (a finished download, a picked folder): warm up again.
      warmedOpened = -1
      pump()
    },
  )

  /** `position`: where among the waiting runs it goes (0: next, ComfyUI's Queue Front); the end when left out. */
  function queueRun(options: { auto?: boolean; position?: number } = {}): string | null {
    const editor = graphStore.editor
    if (!editor) return null
    // Before the first graph has opened (the autosave or the default graph is still being read), a run waits for it
    // instead of running the empty canvas.
    if (graphStore.opened === 0 && !graphStore.loadError) {
      runOnceOpened = options
      return null
    }
    const id = `run-${Date.now().toString(36)}-${++counter}`
    const graph = editor.toExecGraph()
    lastQueuedGraph = JSON.stringify(graph)
    const entry: QueuedRun = {
      id,
      graph,
      graphJson: graphStore.fileText(),
      auto: options.auto ?? false,
      queuedAt: Date.now(),
      label: [`#${counter}`, ...runSummary(graph), graphStore.name].join(' · '),
      documentKey: gallery.documentKey,
    }
    // Auto-runs coalesce: a newer edit replaces a waiting auto-run instead of piling up.
    if (entry.auto) queue.value = queue.value.filter((q) => !q.auto)
    if (options.position !== undefined) queue.value.splice(Math.max(0, options.position), 0, entry)
    else queue.value.push(entry)
    lastRun.value = { ...lastRun.value, status: active.value ? lastRun.value.status : 'queued' }
    if (!entry.auto) applySeedControls(editor)
    pump()
    return id
  }

  /** Auto-run: queue a run when an edit changed what the engine would compute (not just positions). */
  function autoRun(): void {
    const editor = graphStore.editor
    if (!settings.autoRun || !editor) return
    if (JSON.stringify(editor.toExecGraph()) === lastQueuedGraph) return
    queueRun({ auto: true })
  }

  function pump(): void {
    warmUpOpenGraph()
    if (active.value || sweepRunning || !client || backendState.value !== 'ready' || !models.loaded) return
    const next = queue.value.shift()
    if (!next) return
    active.value = next
    activeStartedAt.value = performance.now()
    nodeStates.value = {}
    nodeMs.value = {}
    warnings.value = []
    progress.value = null
    stage.value = null
    preview.value = null
    issues.value = []
    errorMessage.value = null
    shownRunGraph = next.graph
    lastRunOpened.value = graphStore.opened
    lastRun.value = { ...lastRun.value, runId: next.id, status: 'running' }
    // The run waits in the worker until the warm-up has loaded the models it will use too.
    if (warmUp.value.state === 'loading') stage.value = 'Loading models…'
    // The queue is reactive; the worker must get plain objects.
    const raw = toRaw(next)
    try {
      client.run(raw.id, raw.graph, raw.graphJson)
    } catch (error) {
      errorMessage.value = `Could not start the run: ${error instanceof Error ? error.message : String(error)}`
      finish('error', { error: errorMessage.value })
    }
  }

  /** The node the running run is at (the one reporting progress, else one marked running) and its step. */
  function lossPlace(graph: ExecGraph): LossPlace | null {
    const nodeId = progress.value?.nodeId ?? Object.keys(nodeStates.value).find((id) => nodeStates.value[id] === 'running')
    if (nodeId === undefined) return null
    const nodeType = graph.nodes.find((n) => n.id === nodeId)?.type
    const step = progress.value?.nodeId === nodeId ? { value: progress.value.value, max: progress.value.max } : undefined
    return { nodeId, ...(nodeType ? { nodeType } : {}), ...(step ? { step } : {}) }
  }

  /** Cancels the running run, or a queued one by id. */
  function cancel(runId?: string): void {
    const id = runId ?? active.value?.id
    if (!id) return
    if (active.value?.id === id) {
      client?.cancel(id)
      // The worker stops at its next step boundary; the app is idle now and ignores that run's late messages.
      finish('cancelled')
    } else queue.value = queue.value.filter((q) => q.id !== id)
  }

  function finish(status: RunStatus, result?: Partial<LastRun>): void {
    const run = active.value
    if (run) gallery.runEnded(run.id, status === 'done' && result?.ms !== undefined ? { totalMs: result.ms, nodeMs: { ...nodeMs.value } } : null)
    lastRun.value = {
      runId: run?.id ?? null,
      status,
      nodesRun: result?.nodesRun ?? [],
      nodesCached: result?.nodesCached ?? [],
      backend: result?.backend ?? backend.value,
      ms: result?.ms ?? (run ? performance.now() - activeStartedAt.value : 0),
      sessions: result?.sessions ?? NO_SESSIONS,
      error: result?.error ?? null,
      readBacks: result?.readBacks ?? null,
    }
    active.value = null
    progress.value = null
    stage.value = null
    if (status !== 'running') {
      for (const [id, state] of Object.entries(nodeStates.value)) if (state === 'running') delete nodeStates.value[id]
    }
    setTimeout(pump, 0)
  }

  function onEvent(event: EngineEvent): void {
    if (event.runId !== active.value?.id) return
    switch (event.type) {
      case 'node-started':
        nodeStates.value[event.nodeId] = 'running'
        stage.value = null
        break
      case 'stage':
        stage.value = event.stage
        break
      case 'node-cached':
        nodeStates.value[event.nodeId] = 'cached'
        break
      case 'node-finished':
        nodeStates.value[event.nodeId] = 'done'
        nodeMs.value[event.nodeId] = event.ms
        break
      case 'node-failed':
        nodeStates.value[event.nodeId] = 'error'
        break
      case 'node-warning': {
        // A node may say the same thing at each step or for each model: once is enough.
        if (warnings.value.some((w) => w.nodeId === event.nodeId && w.message === event.message)) break
        const nodeType = active.value?.graph.nodes.find((n) => n.id === event.nodeId)?.type
        warnings.value = [...warnings.value, { nodeId: event.nodeId, ...(nodeType ? { nodeType } : {}), message: event.message }]
        break
      }
      case 'progress':
        progress.value = { nodeId: event.nodeId, value: event.value, max: event.max }
        if (event.preview) {
          const { width, height, rgba } = event.preview
          preview.value = new ImageData(new Uint8ClampedArray(rgba), width, height)
        }
        break
      default:
        break
    }
  }

  function onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        backend.value = message.backend
        backendDetail.value = message.detail
        backendBadge.value = message.badge
        backendReason.value = backendOverride ? `${message.reason}; ${FALLBACK_REASON}` : message.reason
        if (backendOverride) backendDetail.value = `${message.detail} (${FALLBACK_REASON})`
        backendState.value = 'ready'
        pump()
        break
      case 'init-failed':
        backend.value = 'unavailable'
        backendState.value = 'failed'
        errorMessage.value = message.message
        break
      case 'device-lost': {
        // The worker's onnxruntime cannot use a lost device again: fail the run, keep the graph, and start a new
        // worker (a new device, or WASM after repeated losses). Cached results go with the old worker.
        const run = active.value
        const outcome = deviceLossOutcome(message.message, ++deviceLosses, run ? lossPlace(run.graph) : null, run !== null)
        if (outcome.fallBackToWasm) backendOverride = 'wasm'
        if (run) {
          issues.value = [{ message: outcome.message }]
          errorMessage.value = outcome.message
          finish('error', { error: outcome.message })
        } else errorMessage.value = outcome.message
        connect()
        break
      }
      case 'event':
        onEvent(message.event)
        break
      case 'images':
        if (message.runId === active.value?.id) gallery.add(message.runId, message.output, { ...nodeMs.value }, active.value.documentKey)
        break
      case 'run-done':
        if (message.runId !== active.value?.id) return
        nodeValues.value = { ...nodeValues.value, ...message.values }
        finish('done', { ...message, error: null })
        break
      case 'run-error':
        if (message.runId !== active.value?.id) return
        issues.value = message.issues
        errorMessage.value = message.message
        for (const issue of message.issues) if (issue.nodeId) nodeStates.value[issue.nodeId] = 'error'
        finish('error', { error: message.message })
        break
      case 'run-cancelled':
        if (message.runId !== active.value?.id) return
        finish('cancelled')
        break
      case 'warm-up-done':
        // Only the latest graph's warm-up is shown; an older one may still end after it was replaced.
        if (message.id === warmUpId) warmUp.value = { state: 'done', sessions: message.sessions }
        break
      case 'background-paused':
        backgroundPaused.value = message.paused
        break
      case 'idle-work':
        idleWork.value = { pending: message.pending, sessions: message.pending === 0 ? message.sessions : idleWork.value.sessions }
        break
      case 'sweep-progress':
        sweepListener?.(message)
        break
      case 'sweep-done':
      case 'sweep-error':
        if (message.sweepId === sweepRunning) sweepRunning = null
        sweepListener?.(message)
        pump()
        break
    }
  }

  /** After an edit: drops the errors of nodes the edit touched (and graph-wide ones on any change). */
  function clearStaleErrors(): void {
    const editor = graphStore.editor
    if (active.value || !editor || !shownRunGraph || lastRun.value.status !== 'error') return
    const left = errorsAfterEdit(shownRunGraph, editor.toExecGraph(), { issues: issues.value, nodeStates: nodeStates.value, message: errorMessage.value })
    if (left.issues.length !== issues.value.length) issues.value = left.issues
    if (Object.keys(left.nodeStates).length !== Object.keys(nodeStates.value).length) nodeStates.value = { ...left.nodeStates }
    errorMessage.value = left.message
  }
  graphStore.onUserEdit(() => clearStaleErrors())

  // Another graph opened: node ids repeat between graphs, so the previous graph's scores, node states, warnings and
  // errors must not be shown as the new graph's ("#8 (AestheticScore)" on a graph without one). A run still going
  // keeps its own.
  watch(
    () => graphStore.opened,
    () => {
      nodeValues.value = {}
      if (active.value) return
      nodeStates.value = {}
      warnings.value = []
      dismissError()
    },
  )

  function dismissError(): void {
    issues.value = []
    errorMessage.value = null
  }

  return {
    lastRunIsForOpenGraph,
    backend,
    backendState,
    backendDetail,
    backendBadge,
    backendReason,
    queue,
    active,
    activeStartedAt,
    busy,
    nodeStates,
    nodeMs,
    nodeValues,
    progress,
    stage,
    preview,
    issues,
    warnings,
    dismissWarnings: () => (warnings.value = []),
    errorMessage,
    lastRun,
    warmUp,
    idleWork,
    backgroundPaused,
    userInteracting,
    connect,
    useChosenBackend,
    queueRun,
    autoRun,
    cancel,
    dismissError,
    loseGpuDevice: () => client?.loseDevice(),
    injectGpuError: () => client?.injectGpuError(),
    /** Starts a sweep on the worker, or says why not (engine starting, a run or sweep at work). */
    startSweep: (sweepId: string, definitionJson: string): string | null => {
      if (!client || backendState.value !== 'ready') return 'The engine is not ready yet: try again once the backend badge says it is'
      if (active.value || sweepRunning) return 'A run is in progress: wait for it or cancel it, then run the sweep'
      sweepRunning = sweepId
      client.runSweep(sweepId, definitionJson)
      return null
    },
    cancelSweep: (sweepId: string) => client?.cancelSweep(sweepId),
    onSweepMessage: (listener: (message: SweepFromWorker) => void) => (sweepListener = listener),
  }
})

/** What tells queued runs apart at a glance: the seeds and step counts they will use ("seed 101", "4 steps"). */
function runSummary(graph: ExecGraph): string[] {
  const parts: string[] = []
  for (const node of graph.nodes) {
    const { seed, steps } = node.inputs
    if (typeof seed === 'number') parts.push(`seed ${seed}`)
    if (typeof steps === 'number') parts.push(`${steps} steps`)
  }
  return [...new Set(parts)]
}
