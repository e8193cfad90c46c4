// The download worker: runs Hub pulls into OPFS, one at a time in the order asked (two pulls of one repository
// would race on its download record), and reports progress at most every 100 ms, plus a last figure whenever a
// pull ends (done, paused or failed), so what the UI shows is what was kept.
import { HubError } from '../hub/errors.js'
import { keptFromManifest } from '../hub/kept.js'
import { readManifest, writeManifest } from '../hub/manifest.js'
import { OpfsRepoStore } from '../hub/opfs-store.js'
import { pullRepo, type PullProgress } from '../hub/pull.js'
import { verifyStore } from '../hub/verify.js'
import type { FromDownloads, PullRequest, ToDownloads } from './download-protocol.js'

const scope = self as unknown as DedicatedWorkerGlobalScope
const post = (message: FromDownloads): void => scope.postMessage(message)
const controllers = new Map<string, AbortController>()
let chain: Promise<void> = Promise.resolve()

function enqueue(job: () => Promise<void>): void {
  chain = chain.then(job, job)
}

function failure(id: string, error: unknown): FromDownloads {
  if (error instanceof HubError) return { type: 'failed', id, kind: error.kind, message: error.message }
  return { type: 'failed', id, kind: 'internal', message: error instanceof Error ? error.message : String(error) }
}

async function pull(request: PullRequest, controller: AbortController): Promise<void> {
  if (controller.signal.aborted) return post({ type: 'paused', id: request.id })
  post({ type: 'started', id: request.id })
  let lastPost = 0
  let latest: PullProgress | undefined
  try {
    const store = new OpfsRepoStore(await navigator.storage.getDirectory(), request.ref.repo)
    const result = await pullRepo({
      endpoint: request.endpoint,
      ref: request.ref,
      files: request.files,
      store,
      fetch: (input, init) => fetch(input, init),
      signal: controller.signal,
      ...(request.token ? { token: request.token } : {}),
      onProgress: (progress) => {
        latest = progress
        const now = performance.now()
        if (now - lastPost < 100 && progress.current !== undefined) return
        lastPost = now
        post({ type: 'progress', id: request.id, progress })
      },
    })
    if (latest) post({ type: 'progress', id: request.id, progress: latest })
    post({ type: 'pulled', id: request.id, manifest: result.manifest, downloaded: result.downloaded, skipped: result.skipped })
  } catch (error) {
    // The last figure, standing still: it counts the bytes kept (the last one posted may be 100 ms older). Not read
    // back from OPFS: in tests under load, getFile() right after the write handle closed gave the size from before.
    if (latest) post({ type: 'progress', id: request.id, progress: { ...latest, bytesPerSecond: 0, etaSeconds: undefined, current: undefined } })
    if (controller.signal.aborted) post({ type: 'paused', id: request.id })
    else post(failure(request.id, error))
  } finally {
    controllers.delete(request.id)
  }
}

scope.onmessage = (event: MessageEvent<ToDownloads>) => {
  const message = event.data
  switch (message.type) {
    case 'pull': {
      const controller = new AbortController()
      controllers.set(message.request.id, controller)
      enqueue(() => pull(message.request, controller))
      break
    }
    case 'pause':
      controllers.get(message.id)?.abort()
      break
    case 'verify':
      enqueue(async () => {
        try {
          post({ type: 'verified', id: message.id, result: await verifyStore(new OpfsRepoStore(await navigator.storage.getDirectory(), message.repo)) })
        } catch (error) {
          post(failure(message.id, error))
        }
      })
      break
    case 'kept':
      enqueue(async () => {
        try {
          const store = new OpfsRepoStore(await navigator.storage.getDirectory(), message.repo)
          const manifest = await readManifest(store)
          post({ type: 'kept', id: message.id, files: manifest ? await keptFromManifest(store, manifest.files, message.paths) : undefined })
        } catch (error) {
          post(failure(message.id, error))
        }
      })
      break
    case 'delete':
      enqueue(async () => {
        try {
          const store = new OpfsRepoStore(await navigator.storage.getDirectory(), message.repo)
          const manifest = message.paths ? await readManifest(store).catch(() => undefined) : undefined
          if (!message.paths || !manifest) await store.removeAll()
          else {
            for (const path of message.paths) await store.remove(path)
            // The record forgets the deleted files, so a pull of what is left does not count them.
            await writeManifest(store, { ...manifest, files: manifest.files.filter((f) => !message.paths!.includes(f.path)) })
          }
          post({ type: 'deleted', id: message.id })
        } catch (error) {
          post(failure(message.id, error))
        }
      })
      break
  }
}
