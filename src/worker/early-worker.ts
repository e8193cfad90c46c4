// The engine worker's script starts loading as soon as the app's code runs, before Vue builds the editor: on a cold
// start its module (the engine, the nodes, onnxruntime's wrapper) then loads on another core while the editor is
// built. It gets no message until the first EngineClient adopts it and sends `init` with the chosen backend.

export interface AdoptedWorker {
  readonly worker: Worker
  /** Why the script failed to load before it was adopted (its error event has passed by then). */
  readonly failure?: string
}

function createEngineWorker(): Worker {
  return new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'hypersd-engine' })
}

let started: Worker | undefined
let earlyFailure: string | undefined
if (typeof Worker !== 'undefined') {
  started = createEngineWorker()
  started.addEventListener('error', (event) => {
    event.preventDefault()
    earlyFailure ??= event.message || 'could not load the worker script'
  })
}

/** The worker started at load time the first time (it has had no message yet), a new one after that. */
export function takeEngineWorker(): AdoptedWorker {
  if (!started) return { worker: createEngineWorker() }
  const adopted: AdoptedWorker = { worker: started, ...(earlyFailure !== undefined ? { failure: earlyFailure } : {}) }
  started = undefined
  return adopted
}
