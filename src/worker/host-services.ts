// NodeServices for the browser: onnxruntime-web (WebGPU or WASM), the shared session cache, model files from the
// catalog's mounts (local folders and files, Hub downloads) or else fetched from the app's `models/` folder, and
// images handed back to the UI thread.
import type { ImageOutput, NodeServices, SavedImage } from '../../nodes/services.js'
import { modelPath, RoutingFileSource } from '../models/catalog/routing.js'
import { mountSignature, routedMount, type ModelMount } from '../models/browser/mounts.js'
import { UrlFileSource } from '../models/url-files.js'
import { SessionCache } from '../runtime/session-cache.js'
import { createWebBackend, defaultWasmThreads, type WebBackend } from '../runtime/web.js'
import { backendBadge } from '../runtime/adapter.js'
import type { BackendPreference } from './protocol.js'
import { browserInputImages } from './input-images.js'
import { CountingSessions, type SessionCreateListener } from './session-stats.js'

export interface HostServices {
  readonly services: NodeServices
  readonly sessions: CountingSessions
  readonly backendName: string
  readonly backendDetail: string
  /** The badge's short text: the backend and, when it matters, the adapter ("wasm · SwiftShader is software"). */
  readonly backendBadge: string
  /** Why this backend was chosen, in one sentence. */
  readonly backendReason: string
  readonly backend: WebBackend
  beginRun(runId: string, graphJson: string): void
  /**
   * Routes model names through these mounts from now on. True when a name that resolved before now reads other
   * files (removed, renamed or replaced), so results and sessions cached from the old files must go.
   */
  setMounts(mounts: readonly ModelMount[]): boolean
  /** Writes the app models' held cache copies (see UrlFileSourceOptions.deferCacheWrites); call it when idle. */
  flushCacheWrites(turn?: () => Promise<void>): Promise<void>
}

/**
 * Model names in graphs are paths under the models folder (or a catalog mount), or absolute http(s) URLs of a model
 * hosted elsewhere (fetched with CORS, which cross-origin isolation requires anyway); a path that could climb out is
 * refused.
 */
export const resolveModelPath = modelPath

export async function createHostServices(
  preference: BackendPreference,
  modelsBase: string,
  onImages: (runId: string, output: ImageOutput) => void,
  onSessionCreate: SessionCreateListener = {},
  /** Runs a task once the engine is idle; given, nodes may leave work for then (NodeServices.whenIdle). */
  runWhenIdle?: (task: () => Promise<void>) => void,
): Promise<HostServices> {
  const backend = await createWebBackend({ preferred: preference })
  const sessions = new CountingSessions(new SessionCache(backend), onSessionCreate)
  const appModels = new UrlFileSource(modelsBase, { deferCacheWrites: true })
  const files = new RoutingFileSource(appModels)
  let signatures = new Map<string, string>()
  let runId = ''
  let graphJson = ''
  let imageCounter = 0
  const services: NodeServices = {
    backend,
    sessions,
    files,
    resolveModel: resolveModelPath,
    // Bundled input images sit beside the models: public/input is served as input/.
    images: browserInputImages(new URL('../input/', modelsBase).href),
    ...(runWhenIdle ? { whenIdle: (task) => runWhenIdle(() => task(sessions.background())) } : {}),
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
    backendDetail: `${backend.active === 'webgpu' ? `WebGPU on adapter "${backend.choice.adapter?.name ?? 'unknown'}"` : `WASM, ${threadText}`}. ${backend.choice.reason}`,
    backendBadge: backendBadge(backend.choice, preference),
    backendReason: backend.choice.reason,
    beginRun(id, json) {
      runId = id
      graphJson = json
    },
    setMounts(mounts) {
      files.setMounts(mounts.map(routedMount))
      const next = new Map<string, string>()
      for (const mount of mounts) if (!next.has(mount.name)) next.set(mount.name, mountSignature(mount))
      const changed = [...signatures].some(([name, signature]) => next.get(name) !== signature)
      signatures = next
      return changed
    },
    flushCacheWrites: (turn) => appModels.flushCacheWrites(turn),
  }
}
