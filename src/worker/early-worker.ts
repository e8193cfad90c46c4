// The engine worker starts as soon as the app's first, small module runs, and is told its backend at once (the
// preference from the URL or the stored settings): on a cold start it loads the engine and starts onnxruntime on the
// second core while the browser is still loading and building the editor. The first EngineClient adopts it, with the
// messages it sent meanwhile; a client that wants another backend or models folder starts a new one instead.
import type { BackendPreference, FromWorker, ToWorker } from './protocol.js'
import { initialBackend } from './stored-settings.js'

export interface EngineInit {
  readonly backend: BackendPreference
  readonly modelsBase: string
  /** Int32 slot of the highest cancelled run sequence number (cross-origin isolated pages only). */
  readonly cancelFlag?: Int32Array
}

export interface AdoptedWorker {
  readonly worker: Worker
  /** Why the script failed to load before it was adopted (its error event has passed by then). */
  readonly failure?: string
  /** What the worker was initialised with, when it was sent `init` before it was adopted. */
  readonly init?: EngineInit
  /** Messages the worker sent before it was adopted, in order. */
  readonly backlog: readonly FromWorker[]
}

function createEngineWorker(): Worker {
  return new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'hypersd-engine' })
}

/** The `init` message for these settings. */
export function initMessage(init: EngineInit): ToWorker {
  return { type: 'init', backend: init.backend, modelsBase: init.modelsBase, ...(init.cancelFlag ? { cancelFlag: init.cancelFlag.buffer as SharedArrayBuffer } : {}) }
}

export function newCancelFlag(): Int32Array | undefined {
  return globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : undefined
}

let started: Worker | undefined
let earlyFailure: string | undefined
let earlyInit: EngineInit | undefined
const backlog: FromWorker[] = []
if (typeof Worker !== 'undefined' && typeof document !== 'undefined') {
  started = createEngineWorker()
  started.addEventListener('error', (event) => {
    event.preventDefault()
    earlyFailure ??= event.message || 'could not load the worker script'
  })
  started.onmessage = (event: MessageEvent<FromWorker>) => void backlog.push(event.data)
  const cancelFlag = newCancelFlag()
  earlyInit = { backend: initialBackend(), modelsBase: new URL('models/', document.baseURI).href, ...(cancelFlag ? { cancelFlag } : {}) }
  started.postMessage(initMessage(earlyInit))
}

/** The worker started at load time the first time (with what it was told and sent so far), a new one after that. */
export function takeEngineWorker(): AdoptedWorker {
  if (!started) return { worker: createEngineWorker(), backlog: [] }
  const adopted: AdoptedWorker = {
    worker: started,
    backlog: backlog.splice(0),
    ...(earlyFailure !== undefined ? { failure: earlyFailure } : {}),
    ...(earlyInit ? { init: earlyInit } : {}),
  }
  started.onmessage = null
  started = undefined
  return adopted
}
