// NodeServices for the browser: onnxruntime-web (WebGPU or WASM), the shared session cache, model files fetched
// from the app's `models/` folder, and images handed back to the UI thread.
import type { ImageOutput, NodeServices, SavedImage } from '../../nodes/services.js'
import { UrlFileSource } from '../models/url-files.js'
import { SessionCache } from '../runtime/session-cache.js'
import { createWebBackend, defaultWasmThreads, type WebBackend } from '../runtime/web.js'
import type { BackendPreference } from './protocol.js'
import { CountingSessions } from './session-stats.js'

export interface HostServices {
  readonly services: NodeServices
  readonly sessions: CountingSessions
  readonly backendName: string
  readonly backendDetail: string
  readonly backend: WebBackend
  beginRun(runId: string, graphJson: string): void
}

/**
 * Model names in graphs are paths under the models folder, or absolute http(s) URLs of a model hosted elsewhere
 * (fetched with CORS, which cross-origin isolation requires anyway); a path that could climb out is refused.
 */
export function resolveModelPath(name: string): string {
  if (/^https?:\/\/[^/]/i.test(name)) return name
  const path = name.replace(/\\/g, '/').replace(/^\/+/, '')
  if (path === '' || path.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`model name "${name}" is not a path inside the models folder`)
  }
  return path
}

export async function createHostServices(
  preference: BackendPreference,
  modelsBase: string,
  onImages: (runId: string, output: ImageOutput) => void,
): Promise<HostServices> {
  const backend = await createWebBackend({ preferred: preference })
  const sessions = new CountingSessions(new SessionCache(backend))
  const files = new UrlFileSource(modelsBase)
  let runId = ''
  let graphJson = ''
  let imageCounter = 0
  const services: NodeServices = {
    backend,
    sessions,
    files,
    resolveModel: resolveModelPath,
    get graphJson() {
      return graphJson
    },
    async emitImages(output: ImageOutput): Promise<readonly SavedImage[]> {
      onImages(runId, output)
      return output.pngs.map(() => ({ name: `${runId}/image-${++imageCounter}` }))
    },
  }
  const threads = defaultWasmThreads()
  const threadText = `${threads} thread${threads === 1 ? '' : 's'}`
  return {
    services,
    sessions,
    backend,
    backendName: backend.active,
    backendDetail: backend.active === 'webgpu' ? 'WebGPU adapter found' : `WASM, ${threadText}${preference === 'webgpu' ? '; no WebGPU adapter' : ''}`,
    beginRun(id, json) {
      runId = id
      graphJson = json
    },
  }
}
