// The UI thread's handle on the engine worker. Changing the backend preference means a new worker.
import type { ExecGraph } from '../engine/graph.js'
import type { ModelMount } from '../models/browser/mounts.js'
import type { BackendPreference, FromWorker, ToWorker } from './protocol.js'
import { initMessage, newCancelFlag, takeEngineWorker } from './early-worker.js'

export class EngineClient {
  private readonly worker: Worker
  private readonly cancelFlag: Int32Array | undefined
  private seq = 0
  private readonly seqOf = new Map<string, number>()

  constructor(
    preference: BackendPreference,
    modelsBase: string,
    private readonly onMessage: (message: FromWorker) => void,
  ) {
    let adopted = takeEngineWorker()
    // The early worker was told a backend at load time; another one (e.g. after a GPU device loss) needs a new worker.
    if (adopted.init && (adopted.init.backend !== preference || adopted.init.modelsBase !== modelsBase)) {
      adopted.worker.terminate()
      adopted = takeEngineWorker()
    }
    const { worker, failure, init, backlog } = adopted
    this.worker = worker
    this.cancelFlag = init ? init.cancelFlag : newCancelFlag()
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(event.data)
    const failed = (message: string): void => this.onMessage({ type: 'init-failed', message: `Engine worker failed: ${message}` })
    this.worker.onerror = (event) => {
      event.preventDefault()
      failed(event.message || 'could not load the worker script')
    }
    if (failure !== undefined) queueMicrotask(() => failed(failure))
    // What the early worker said before this client listened (e.g. `ready`), in order, after the caller's set-up.
    if (backlog.length > 0) queueMicrotask(() => backlog.forEach((message) => this.onMessage(message)))
    if (!init) this.send(initMessage({ backend: preference, modelsBase, ...(this.cancelFlag ? { cancelFlag: this.cancelFlag } : {}) }))
  }

  run(runId: string, graph: ExecGraph, graphJson: string): void {
    const seq = ++this.seq
    this.seqOf.set(runId, seq)
    this.send({ type: 'run', runId, seq, graph, graphJson })
  }

  /** Loads what `graph` will need before it runs (models, sessions, the prompt's encoding). */
  warmUp(id: number, graph: ExecGraph): void {
    this.send({ type: 'warm-up', id, graph })
  }

  cancel(runId: string): void {
    const seq = this.seqOf.get(runId)
    if (seq !== undefined && this.cancelFlag) Atomics.store(this.cancelFlag, 0, Math.max(seq, Atomics.load(this.cancelFlag, 0)))
    this.seqOf.delete(runId)
    this.send({ type: 'cancel', runId })
  }

  /** Tells the worker where local and downloaded models are (plain mounts: handles and Files clone, proxies do not). */
  setModels(mounts: readonly ModelMount[]): void {
    this.send({ type: 'models', mounts })
  }

  /** Runs a sweep (its definition as sweep.json text) on the worker's engine; progress comes as sweep-* messages. */
  runSweep(sweepId: string, definitionJson: string): void {
    this.send({ type: 'sweep-run', sweepId, definitionJson })
  }

  cancelSweep(sweepId: string): void {
    this.send({ type: 'sweep-cancel', sweepId })
  }

  /** The user drags or zooms the canvas (repeated while it lasts), or has stopped (see interaction-tracker.ts). */
  interaction(active: boolean): void {
    this.send({ type: 'interaction', active })
  }

  clearCache(): void {
    this.send({ type: 'clear-cache' })
  }

  loseDevice(): void {
    this.send({ type: 'lose-device' })
  }

  injectGpuError(): void {
    this.send({ type: 'inject-gpu-error' })
  }

  terminate(): void {
    this.worker.terminate()
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message)
  }
}
