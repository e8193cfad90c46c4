// The UI thread's handle on the engine worker. Changing the backend preference means a new worker.
import type { ExecGraph } from '../engine/graph.js'
import type { BackendPreference, FromWorker, ToWorker } from './protocol.js'

export class EngineClient {
  private readonly worker: Worker

  constructor(
    preference: BackendPreference,
    modelsBase: string,
    private readonly onMessage: (message: FromWorker) => void,
  ) {
    this.worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'hypersd-engine' })
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(event.data)
    this.worker.onerror = (event) => {
      event.preventDefault()
      this.onMessage({ type: 'init-failed', message: `Engine worker failed: ${event.message || 'could not load the worker script'}` })
    }
    this.send({ type: 'init', backend: preference, modelsBase })
  }

  run(runId: string, graph: ExecGraph, graphJson: string): void {
    this.send({ type: 'run', runId, graph, graphJson })
  }

  cancel(runId: string): void {
    this.send({ type: 'cancel', runId })
  }

  clearCache(): void {
    this.send({ type: 'clear-cache' })
  }

  terminate(): void {
    this.worker.terminate()
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message)
  }
}
