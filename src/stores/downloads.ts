// Hugging Face downloads in the editor: the download worker streams files into OPFS, this store tracks each pull
// (progress, pause, resume, errors), keeps the catalog's entries in step, and runs the Hyper-SD presets: pull the
// base pipeline and the Hyper-SD file, then open the preset's graph.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { RepoRef } from '../hub/endpoint.js'
import type { HubErrorKind } from '../hub/errors.js'
import { stoppedProgress } from '../hub/kept.js'
import { readManifest } from '../hub/manifest.js'
import { OpfsRepoStore } from '../hub/opfs-store.js'
import { presetById, presetPartFor, type HyperSdPreset } from '../hub/presets.js'
import type { PullProgress } from '../hub/pull.js'
import type { ModelEntry } from '../models/catalog/types.js'
import type { ModelMount } from '../models/browser/mounts.js'
import type { FromDownloads, PullRequest, ToDownloads } from '../worker/download-protocol.js'
import { useGraph } from './graph.js'
import { filesOwnedBy, hubEntry, hubTargets, repoMount, repoOfEntry, targetProgress, type HubTarget } from './hub-entries.js'
import { useHubSettings } from './hub-settings.js'
import { useModels } from './models.js'
import { presetGraphText } from './preset-graphs.js'

export type JobState = 'queued' | 'downloading' | 'paused' | 'failed' | 'done'

export interface DownloadJob {
  readonly id: string
  readonly label: string
  readonly ref: RepoRef
  readonly files: readonly string[]
  readonly targets: readonly HubTarget[]
  readonly state: JobState
  readonly progress?: PullProgress
  readonly error?: { readonly kind: HubErrorKind | 'internal'; readonly message: string }
  /** The preset this job belongs to, which opens its graph when all its jobs are done. */
  readonly presetId?: string
}

interface StoredJob {
  readonly id: string
  readonly label: string
  readonly ref: RepoRef
  readonly files: readonly string[]
  readonly presetId?: string
}

const JOBS_KEY = 'hypersd.downloads'

function storedJobs(): StoredJob[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(JOBS_KEY) ?? '[]')
    return Array.isArray(parsed) ? (parsed as StoredJob[]).filter((j) => typeof j?.id === 'string' && typeof j.ref?.repo === 'string' && Array.isArray(j.files)) : []
  } catch {
    return []
  }
}

export const useDownloads = defineStore('downloads', () => {
  const models = useModels()
  const settings = useHubSettings()
  const graph = useGraph()
  const jobs = ref<DownloadJob[]>([])
  /** Presets whose graph opens once their downloads are done. */
  const pendingPresets = new Map<string, HyperSdPreset>()
  let worker: Worker | undefined
  let counter = 0
  let restored = false

  const find = (id: string): DownloadJob | undefined => jobs.value.find((j) => j.id === id)
  const patch = (id: string, change: Partial<DownloadJob>): void => {
    jobs.value = jobs.value.map((j) => (j.id === id ? { ...j, ...change } : j))
  }
  const remember = (): void => {
    const open = jobs.value.filter((j) => j.state !== 'done')
    localStorage.setItem(JOBS_KEY, JSON.stringify(open.map((j) => ({ id: j.id, label: j.label, ref: j.ref, files: j.files, ...(j.presetId ? { presetId: j.presetId } : {}) }))))
  }

  function send(message: ToDownloads): void {
    if (!worker) {
      worker = new Worker(new URL('../worker/download-worker.ts', import.meta.url), { type: 'module', name: 'hypersd-downloads' })
      worker.onmessage = (event: MessageEvent<FromDownloads>) => void receive(event.data)
    }
    worker.postMessage(message)
  }

  async function updateEntries(job: DownloadJob, change: Partial<Omit<ModelEntry, 'id' | 'origin' | 'name'>>): Promise<void> {
    for (const target of job.targets) if (models.entries.some((e) => e.id === target.id)) await models.update(target.id, change)
  }

  /**
   * Entries of a pull that stopped (paused, failed): the state, and each one's bytes kept and total from the pull's
   * last figure (the worker posts one when a pull stops), so the Models panel shows what is there, not "size unknown".
   */
  async function stopEntries(job: DownloadJob, change: Pick<ModelEntry, 'state' | 'error'>): Promise<void> {
    const last = find(job.id)?.progress
    for (const target of job.targets) {
      if (!models.entries.some((e) => e.id === target.id)) continue
      const kept = last ? targetProgress(target, last) : undefined
      await models.update(target.id, { ...change, ...(kept ? { progress: { loaded: kept.loaded, total: kept.total, bytesPerSecond: 0 } } : {}) })
    }
  }

  async function receive(message: FromDownloads): Promise<void> {
    const job = find(message.id)
    if (!job) return
    switch (message.type) {
      case 'started':
        patch(job.id, { state: 'downloading' })
        await updateEntries(job, { state: 'downloading', error: undefined })
        break
      case 'progress': {
        const p = message.progress
        patch(job.id, { progress: p })
        for (const target of job.targets) {
          const share = targetProgress(target, p)
          if (share && models.entries.some((e) => e.id === target.id)) await models.update(target.id, { progress: share })
        }
        break
      }
      case 'pulled':
        patch(job.id, { state: 'done', error: undefined })
        remember()
        for (const target of job.targets) {
          models.forgetDownloadRequest(target.name)
          await models.update(target.id, { state: 'ready', progress: undefined, error: undefined })
          await models.reverify(target.id)
        }
        openFinishedPresets()
        break
      case 'paused':
        patch(job.id, { state: 'paused' })
        await stopEntries(job, { state: 'partial', error: undefined })
        break
      case 'failed':
        patch(job.id, { state: 'failed', error: { kind: message.kind, message: message.message } })
        await stopEntries(job, { state: 'failed', error: message.message })
        break
      default:
        break
    }
  }

  /** The worker message for a job: plain copies, since Vue's reactive proxies cannot be posted. */
  function request(job: DownloadJob): PullRequest {
    const token = settings.token.trim()
    const { repo, revision, subfolder } = job.ref
    const ref = { repo, revision, ...(subfolder ? { subfolder } : {}) }
    return { id: job.id, endpoint: settings.resolvedEndpoint(), ref, files: [...job.files], ...(token ? { token } : {}) }
  }

  /** Starts (or, for an existing job, resumes) a pull. */
  async function pull(ref: RepoRef, files: readonly string[], label: string, presetId?: string): Promise<DownloadJob> {
    await restore()
    const targets = hubTargets(ref, files)
    const mount: ModelMount = await repoMount(ref.repo)
    for (const target of targets) {
      const existing = models.entries.find((e) => e.id === target.id)
      if (existing?.state === 'ready' && presetId) continue // a preset needs nothing already downloaded
      await models.register(hubEntry(target, ref, 'downloading'), mount)
    }
    const job: DownloadJob = { id: `pull-${Date.now().toString(36)}-${++counter}`, label, ref, files, targets, state: 'queued', ...(presetId ? { presetId } : {}) }
    jobs.value = [...jobs.value, job]
    remember()
    send({ type: 'pull', request: request(job) })
    return job
  }

  function pause(id: string): void {
    send({ type: 'pause', id })
  }

  function resume(id: string): void {
    const job = find(id)
    if (!job || job.state === 'downloading' || job.state === 'queued') return
    patch(id, { state: 'queued', error: undefined })
    send({ type: 'pull', request: request(find(id)!) })
  }

  function dismiss(id: string): void {
    jobs.value = jobs.value.filter((j) => j.id !== id)
    remember()
  }

  /** Downloads the model a graph names when a preset knows where it lives (its base pipeline or Hyper-SD file). */
  async function pullNamed(name: string): Promise<DownloadJob | undefined> {
    const part = presetPartFor(name)
    if (!part) return undefined
    return pull(part.ref, part.files, `${name} (for the open graph)`)
  }

  /** Downloads what the preset needs (the base pipeline, the Hyper-SD file), then opens its graph. */
  async function startPreset(preset: HyperSdPreset): Promise<void> {
    pendingPresets.set(preset.id, preset)
    const base = { repo: preset.base.repo, revision: preset.base.revision }
    const pipelineReady = models.entries.some((e) => e.name === base.repo && e.state === 'ready')
    const fileName = `${preset.file.repo}/${preset.file.path}`
    const fileReady = models.entries.some((e) => e.name === fileName && e.state === 'ready')
    if (!pipelineReady) await pull(base, [], `${preset.title}: base ${base.repo}`, preset.id)
    if (!fileReady) await pull({ repo: preset.file.repo, revision: 'main' }, [preset.file.path], `${preset.title}: ${preset.file.path}`, preset.id)
    openFinishedPresets()
  }

  function openFinishedPresets(): void {
    for (const [id, preset] of pendingPresets) {
      if (jobs.value.some((j) => j.presetId === id && j.state !== 'done')) continue
      pendingPresets.delete(id)
      const text = presetGraphText(preset.graph)
      // A refused graph names the reason in the error panel.
      if (text) void graph.loadText(text, preset.graph.replace(/\.json$/, '')).catch(() => undefined)
    }
  }

  /**
   * After a reload: unfinished pulls come back paused (their bytes are kept in OPFS), and their entries say partial
   * with the bytes kept and the total, read from the files and the pull's download record.
   */
  async function restore(): Promise<void> {
    if (restored) return
    restored = true
    await models.load()
    // The rows appear together once all are read: added one by one (each waits on OPFS), a Resume clicked on the
    // last row shown could land on an earlier pull of the same file while a later one was still being read.
    const back: DownloadJob[] = []
    for (const stored of storedJobs()) {
      const targets = hubTargets(stored.ref, stored.files)
      const progress = await keptProgress(stored.ref.repo, targets).catch(() => undefined)
      back.push({ ...stored, targets, state: 'paused', ...(progress ? { progress } : {}) })
      // A preset whose downloads a reload interrupted still opens its graph once they finish.
      const preset = stored.presetId ? presetById(stored.presetId) : undefined
      if (preset) pendingPresets.set(preset.id, preset)
      for (const target of targets) {
        const entry = models.entries.find((e) => e.id === target.id)
        if (!entry || entry.state === 'ready') continue
        const kept = progress ? targetProgress(target, progress) : undefined
        await models.update(target.id, { ...(entry.state === 'downloading' ? { state: 'partial' } : {}), ...(kept ? { progress: kept } : {}) })
      }
    }
    jobs.value = [...jobs.value, ...back]
    models.removeHook(deleteHubFiles)
  }

  /** What OPFS holds of the targets' files, as a stopped pull's figure; undefined before the pull listed any. */
  async function keptProgress(repo: string, targets: readonly HubTarget[]): Promise<PullProgress | undefined> {
    const store = new OpfsRepoStore(await navigator.storage.getDirectory(), repo)
    const manifest = await readManifest(store)
    if (!manifest) return undefined
    const paths = new Set<string>()
    for (const target of targets) {
      const entry = models.entries.find((e) => e.id === target.id)
      const others = models.entries.filter((e) => e.origin === 'hub' && e.id !== target.id).map((e) => e.name)
      const owned = target.files.length > 0 ? target.files : entry ? filesOwnedBy(entry, manifest, others) : []
      for (const path of owned) paths.add(path)
    }
    // The worker reads the sizes: on this thread getFile() may still give a size from before the last writes.
    const kept = await ask({ type: 'kept', id: `kept-${++counter}`, repo, paths: [...paths] })
    return kept.type === 'kept' && kept.files ? stoppedProgress(kept.files) : undefined
  }

  /** Sends a request to the worker and waits for its answer (one with the same id); a failure rejects. */
  function ask(message: Extract<ToDownloads, { type: 'kept' | 'delete' }>): Promise<FromDownloads> {
    return new Promise((done, fail) => {
      const listener = (event: MessageEvent<FromDownloads>): void => {
        if (event.data.id !== message.id) return
        worker?.removeEventListener('message', listener)
        if (event.data.type === 'failed') fail(new Error(event.data.message))
        else done(event.data)
      }
      send(message)
      worker!.addEventListener('message', listener)
    })
  }

  async function deleteHubFiles(entry: ModelEntry): Promise<void> {
    if (entry.origin !== 'hub') return
    const repo = repoOfEntry(entry)
    const store = new OpfsRepoStore(await navigator.storage.getDirectory(), repo)
    const others = models.entries.filter((e) => e.origin === 'hub' && e.id !== entry.id).map((e) => e.name)
    const paths = filesOwnedBy(entry, await readManifest(store).catch(() => undefined), others)
    const everything = !others.some((n) => n === repo || n.startsWith(`${repo}/`))
    await ask({ type: 'delete', id: `delete-${++counter}`, repo, ...(everything ? {} : { paths }) })
    for (const job of jobs.value.filter((j) => j.targets.some((t) => t.id === entry.id))) dismiss(job.id)
  }

  return { jobs, pull, pullNamed, pause, resume, dismiss, startPreset, restore }
})
