// The engine host inside the module Web Worker: one Engine kept alive across runs (its cache is what makes re-runs cheap), next to
// onnxruntime-web. The UI thread only sends graphs and receives events, images and results.
import { Engine, GraphValidationError, NodeExecutionError, NodeRegistry, outputNodeValues, RunCancelledError } from '../engine/index.js'
import type { EngineEvent } from '../engine/events.js'
import { nodeDefinitions } from '../../nodes/index.js'
import type { NodeServices } from '../../nodes/services.js'
import type { FromWorker, RunIssue, ToWorker } from './protocol.js'
import { createHostServices, type HostServices } from './host-services.js'
import type { ModelMount } from '../models/browser/mounts.js'
import { loadingStage } from './stage-label.js'
import { createSweepHost } from './sweep-host.js'
import { gpuLimitRefusal } from './gpu-preflight.js'
import { IdleTasks } from './idle-tasks.js'
import { InteractionGate } from './interaction-gate.js'

const scope = self as unknown as DedicatedWorkerGlobalScope

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer)
}

const registry = new NodeRegistry(nodeDefinitions)
let host: HostServices | undefined
let engine: Engine<NodeServices> | undefined
const running = new Map<string, AbortController>()
let cancelFlag: Int32Array | undefined
/** Runs the UI was told are cancelled: their late events are dropped. */
const cancelled = new Set<string>()
const seqOf = new Map<string, number>()
/** The catalog's mounts, kept for a host still being created when they arrive. */
let mounts: readonly ModelMount[] = []
/** A model name now reads other files: cached results go once no run uses their sessions. */
let staleModels = false

function clearStaleModels(): void {
  if (!staleModels || running.size > 0) return
  staleModels = false
  engine?.clearCache()
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  if (message.cancelFlag) cancelFlag = new Int32Array(message.cancelFlag)
  try {
    host = await createHostServices(
      message.backend,
      message.modelsBase,
      (runId, output) => {
        if (cancelled.has(runId)) return
        post({ type: 'images', runId, output }, [...new Set(output.pngs.map((p) => p.buffer as ArrayBuffer))])
      },
      reportLoading,
      (task) => idleTasks.add(task),
    )
    host.setMounts(mounts)
    const sessions = host.sessions
    engine = new Engine<NodeServices>({ registry, services: host.services, onRelease: (keys) => void sessions.release(keys) })
    host.backend.watchDevice((lost) => post({ type: 'device-lost', message: lost }))
    post({ type: 'ready', backend: host.backendName, detail: host.backendDetail, badge: host.backendBadge, reason: host.backendReason })
    // While the user looks at the graph: the first run's model loads then skip compiling the runtime.
    void host.backend.warmUp()
  } catch (error) {
    post({ type: 'init-failed', message: error instanceof Error ? error.message : String(error) })
  }
}

/**
 * The node each run is executing now (the engine runs a graph's nodes one at a time) and the stage it last reported,
 * to credit model loads to, and to go back to once the load is done.
 */
const nodeAtWork = new Map<string, { nodeId: string; stage?: string }>()

/** A session being built is the slow, silent part of a model's first run: say so in the progress area. */
const reportLoading = {
  started(key: string): void {
    for (const [runId, { nodeId }] of nodeAtWork) {
      if (!cancelled.has(runId)) post({ type: 'event', event: { type: 'stage', runId, nodeId, stage: loadingStage(key) } })
    }
  },
  ended(): void {
    for (const [runId, { nodeId, stage }] of nodeAtWork) {
      if (stage && !cancelled.has(runId)) post({ type: 'event', event: { type: 'stage', runId, nodeId, stage } })
    }
  },
}

function forward(event: EngineEvent): void {
  if (event.type === 'node-started') nodeAtWork.set(event.runId, { nodeId: event.nodeId })
  else if (event.type === 'stage') nodeAtWork.set(event.runId, { nodeId: event.nodeId, stage: event.stage })
  else if (event.type === 'node-finished' || event.type === 'node-failed') nodeAtWork.delete(event.runId)
  const seq = seqOf.get(event.runId)
  if (cancelFlag && seq !== undefined && Atomics.load(cancelFlag, 0) >= seq) cancel(event.runId)
  if (cancelled.has(event.runId)) return
  post({ type: 'event', event })
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { runId } = message
  if (!engine || !host) {
    post({ type: 'run-error', runId, message: 'The engine is not ready', issues: [] })
    return
  }
  clearStaleModels()
  const controller = new AbortController()
  running.set(runId, controller)
  // A warm-up waiting for the user to stop dragging goes on now: this run is queued behind it.
  gate.recheck()
  seqOf.set(runId, message.seq)
  host.beginRun(runId, message.graphJson)
  try {
    const limits = host.backend.gpuLimits
    // WebGPU only: an image too large for the GPU's buffers is refused before any node runs (gpu-preflight.ts).
    const refusal = limits && (await gpuLimitRefusal(message.graph, registry, limits, host.services))
    if (refusal) throw refusal
    const readBacksBefore = host.backend.device?.readBacks
    const result = await engine.run(message.graph, { runId, signal: controller.signal, onEvent: forward })
    if (cancelled.has(runId)) return
    post({
      type: 'run-done',
      runId,
      ms: result.ms,
      nodesRun: result.nodesRun,
      nodesCached: result.nodesCached,
      backend: host.backendName,
      sessions: host.sessions.take(),
      values: Object.fromEntries(outputNodeValues(result.outputs, message.graph.nodes, registry)),
      readBacks: readBacksBefore === undefined ? null : host.backend.device!.readBacks - readBacksBefore,
    })
  } catch (error) {
    host.sessions.take()
    if (cancelled.has(runId)) return
    // The device-lost message fails this run instead, naming the loss rather than what it broke.
    if (!(error instanceof RunCancelledError) && (await host.backend.lostWithin(DEVICE_LOSS_GRACE_MS))) return
    if (error instanceof RunCancelledError) post({ type: 'run-cancelled', runId })
    else post({ type: 'run-error', runId, message: errorMessage(error), issues: issuesOf(error) })
  } finally {
    running.delete(runId)
    cancelled.delete(runId)
    seqOf.delete(runId)
    nodeAtWork.delete(runId)
    clearStaleModels()
    flushCacheWritesWhenIdle()
  }
}

const engineIdle = (): boolean => running.size === 0 && warmUpController === undefined && !sweeps.busy

/** Background steps wait while the user drags or zooms the canvas, unless a run or sweep is queued (which may need them). */
const gate = new InteractionGate(
  () => running.size > 0 || sweeps.busy,
  (paused) => post({ type: 'background-paused', paused }),
)
const quietTurn = (): Promise<void> => gate.whenQuiet()

/** Model files' cache copies wait until no run or warm-up is going, so they do not slow the first image down. */
function flushCacheWritesWhenIdle(): void {
  if (engineIdle()) void host?.flushCacheWrites(quietTurn)
  idleTasks.poke()
}

const idleTasks = new IdleTasks(
  engineIdle,
  (pending) => {
    const sessions = pending === 0 && host ? host.sessions.takeBackground() : []
    post({ type: 'idle-work', pending, sessions })
  },
  undefined,
  quietTurn,
)

/** How long a failed WebGPU run waits to learn whether the device is being lost. */
const DEVICE_LOSS_GRACE_MS = 500

let warmUpController: AbortController | undefined

/** Best effort and silent: what fails here, the run reports. Sessions it builds are not counted as the run's. */
async function warmUp(message: Extract<ToWorker, { type: 'warm-up' }>): Promise<void> {
  if (!engine || !host) return
  warmUpController?.abort()
  const controller = new AbortController()
  warmUpController = controller
  await engine.warmUp(message.graph, { signal: controller.signal, beforeNode: () => gate.whenQuiet(controller.signal) })
  if (warmUpController === controller) warmUpController = undefined
  flushCacheWritesWhenIdle()
  // Runs queued behind it start after this (the engine serialises), so their counts start here.
  const { created } = host.sessions.take()
  post({ type: 'warm-up-done', id: message.id, sessions: created })
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function issuesOf(error: unknown): RunIssue[] {
  if (error instanceof GraphValidationError) {
    return error.issues.map((i) => ({ message: i.message, nodeId: i.nodeId, nodeType: i.nodeType, input: i.input }))
  }
  if (error instanceof NodeExecutionError) {
    return [{ message: error.detail, nodeId: error.nodeId, nodeType: error.nodeType, input: error.input }]
  }
  return [{ message: errorMessage(error) }]
}

function cancel(runId: string): void {
  const controller = running.get(runId)
  if (!controller || cancelled.has(runId)) return
  controller.abort()
  // An onnxruntime call cannot be interrupted; answer at once so the UI is idle now, and drop the rest.
  cancelled.add(runId)
  post({ type: 'run-cancelled', runId })
}

const sweeps = createSweepHost({
  engine: () => engine,
  takeSessions: () => host?.sessions.take() ?? { created: [], reused: [], released: [] },
  beginRun: (runId, graphJson) => host?.beginRun(runId, graphJson),
  post,
  ended: () => flushCacheWritesWhenIdle(),
})

function handle(event: MessageEvent<ToWorker>): void {
  const message = event.data
  switch (message.type) {
    case 'sweep-run':
    case 'sweep-cancel':
      sweeps.handle(message)
      gate.recheck()
      break
    case 'init':
      void init(message)
      break
    case 'run':
      void run(message)
      break
    case 'cancel':
      cancel(message.runId)
      break
    case 'warm-up':
      void warmUp(message)
      break
    case 'models':
      mounts = message.mounts
      // A name that now reads other files must not be served results or sessions built from the old ones.
      if (host?.setMounts(mounts)) staleModels = true
      clearStaleModels()
      break
    case 'clear-cache':
      engine?.clearCache()
      break
    case 'interaction':
      gate.interacting(message.active)
      break
    case 'lose-device':
      void host?.backend.loseDevice()
      break
    case 'inject-gpu-error':
      host?.backend.injectGpuErrorOnNextRun()
      break
  }
}

/** Takes over the worker's messages, first those that arrived while this module was loading. */
export function start(backlog: readonly MessageEvent<ToWorker>[]): void {
  scope.onmessage = handle
  for (const event of backlog) handle(event)
}
