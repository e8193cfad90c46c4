// Turns "this model + these LoRA bindings" into a runnable session. Merge-mode LoRAs are baked into the weights
// (session keyed by their names and scales); live-mode LoRAs become branches, or recomputed weights, scaled by
// `lora_scale_<i>` inputs (session keyed by their names only), so moving a live scale reuses the cached session and only changes a feed.
import { decodeModel, encodeModel } from '../models/onnx/codec.js'
import { externalDataLocations } from '../models/onnx/external-data.js'
import { requireGraph } from '../models/onnx/graph.js'
import { readSafetensors } from '../models/safetensors/reader.js'
import type { SafetensorsSource } from '../models/safetensors/reader.js'
import { loaderFor } from '../runtime/loader.js'
import type { HostTensor, ModelLoader, ModelSession, ModelSource } from '../runtime/types.js'
import { isLiveMode, loraScaleInput, ScaleInputs } from './live.js'
import type { LiveLora, LoraMode } from './live.js'
import { checkedLoraSource } from './checked-source.js'
import { planFirstSession } from './first-session.js'
import { addLiveBranches } from './live-branch.js'
import { addLiveDeltas } from './live-delta.js'
import { mergePatches, untieSharedWeights } from './merge.js'
import { parseLoraKeys } from './keys.js'
import type { LoraComponent, ParsedLora } from './keys.js'
import { findTargetLayers } from './layers.js'
import { assertLoraFits, matchLora } from './match.js'
import type { LoraMatchReport, LoraPatch } from './match.js'
import { LORA_DATA_FILE, WeightStore } from './weights.js'

/** Get-or-create session cache, as the host's SessionCache provides it. */
export interface SessionProvider {
  getOrCreate(key: string, load: ModelLoader): Promise<ModelSession>
  /** Whether a session for `key` is held or being built (with LoraDeps.later: the merged first session). */
  has?(key: string): boolean
  release?(keys: readonly string[]): Promise<void>
}

/** The sessions a task run later gets: the same cache, but what it builds or frees is counted as no run's. */
export type BackgroundSessionProvider = Required<Pick<SessionProvider, 'getOrCreate' | 'has' | 'release'>>

export interface LoraBindingLike {
  readonly name: string
  readonly scale: number
  readonly mode: LoraMode
}

export interface BaseModel {
  readonly key: string
  load(): Promise<ModelSource>
  fileBytes?(): Promise<number | undefined>
}

export interface LoraDeps {
  readonly sessions: SessionProvider
  /** The LoRA file named in the graph: its bytes, or an already opened source (e.g. a Blob-backed file). */
  readLora(name: string): Promise<Uint8Array | SafetensorsSource>
  /**
   * Runs a task once the host is idle. Given (the browser's engine), a small model's first session with live LoRAs
   * has them merged, and the live session is built later (first-session.ts); absent (the CLI), the live one at once.
   */
  readonly later?: (task: (background: BackgroundSessionProvider) => Promise<void>) => void
}

export interface PreparedModel {
  readonly session: ModelSession
  /** `lora_scale_<i>` values for the live LoRAs; pass them with every run. */
  readonly feeds: Readonly<Record<string, HostTensor>>
  /** One report per LoRA that addresses this component (merge LoRAs at scale 0 are skipped, not reported). */
  readonly reports: readonly LoraMatchReport[]
  /** The key of the session served: loraSessionKey's, or a merged first session's (first-session.ts). */
  readonly sessionKey: string
}

/**
 * Session-cache key of the rewritten model; live scales are deliberately absent. When every LoRA is at scale 0 the
 * key is the base model's: its output is then the base output bit for bit (a rewritten graph at scale 0 agrees only
 * to float rounding, since onnxruntime fuses the rewritten graph's ops differently).
 */
export function loraSessionKey(baseKey: string, component: LoraComponent, loras: readonly LoraBindingLike[]): string {
  if (loras.every((l) => l.scale === 0)) return baseKey
  const parts = loras.map((l, i) => (isLiveMode(l.mode) ? `${i}:${l.mode}:${l.name}` : l.scale === 0 ? '' : `${i}:merge:${l.name}@${l.scale}`))
  return `${baseKey}#lora(${component})[${parts.filter((p) => p.length > 0).join('|')}]`
}

function scaleFeeds(loras: readonly LoraBindingLike[], inputs: ReadonlySet<string>): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {}
  loras.forEach((l, i) => {
    const name = loraScaleInput(i)
    if (isLiveMode(l.mode) && inputs.has(name)) feeds[name] = { dtype: 'float32', dims: [], data: Float32Array.of(l.scale) }
  })
  return feeds
}

// Reports of the models built through each provider, so a cache hit (a live scale change) needs no model decode.
const builtReports = new WeakMap<SessionProvider, Map<string, readonly LoraMatchReport[]>>()

/**
 * The session for `model` with `loras` applied to `component`. Throws LoraMatchError (with match statistics) for a
 * LoRA that does not fit, and SafetensorsError for a malformed file.
 */
export async function prepareModelWithLoras(
  model: BaseModel,
  loras: readonly LoraBindingLike[],
  component: LoraComponent,
  deps: LoraDeps,
): Promise<PreparedModel> {
  const key = loraSessionKey(model.key, component, loras)
  if (key === model.key) return { session: await deps.sessions.getOrCreate(key, loaderFor(model)), feeds: {}, reports: [], sessionKey: key }
  const { sessions } = deps
  const first = await planFirstSession(
    sessions,
    { ...(sessions.has ? { has: (k: string) => sessions.has!(k) } : {}), ...(deps.later ? { later: deps.later } : {}) },
    key,
    loras,
    () => model.fileBytes?.() ?? Promise.resolve(undefined),
    (merged) => loraSessionKey(model.key, component, merged),
    (background) => prepareBuilt(model, loras, component, { ...deps, sessions: background }, key, sessions),
    () => liveLorasConcern(loras, component, deps),
  )
  return first ? prepareBuilt(model, first.loras, component, deps, first.key) : prepareBuilt(model, loras, component, deps, key)
}

/** The session of `model` with `loras` built in, cached under `key`. */
async function prepareBuilt(
  model: BaseModel,
  loras: readonly LoraBindingLike[],
  component: LoraComponent,
  deps: LoraDeps,
  key: string,
  /** Whose build reports these are (a background build's are its host's). */
  host: SessionProvider = deps.sessions,
): Promise<PreparedModel> {
  let reports = builtReports.get(host)
  if (!reports) builtReports.set(host, (reports = new Map()))
  const known = reports
  // The build is about the base model's size (LoRA weights are small next to it): the preflight can judge it unread.
  const build = async () => {
    const built = await buildModel(await model.load(), key, loras, component, deps)
    known.set(key, built.reports)
    return built.source
  }
  const rewrites = { withDeltas: loras.some((l) => l.mode === 'live-delta') }
  const loader = Object.assign(build, { rewrites }, model.fileBytes ? { fileBytes: () => model.fileBytes!() } : {})
  const session = await deps.sessions.getOrCreate(key, loader)
  const inputs = new Set(session.inputs.map((i) => i.name))
  return { session, feeds: scaleFeeds(loras, inputs), reports: reports.get(key) ?? [], sessionKey: key }
}

/** Whether a live LoRA (at a scale other than 0) has tensors for this component. */
async function liveLorasConcern(loras: readonly LoraBindingLike[], component: LoraComponent, deps: Pick<LoraDeps, 'readLora'>): Promise<boolean> {
  for (const binding of loras) {
    if (!isLiveMode(binding.mode) || binding.scale === 0) continue
    if (concerns(parseLoraKeys((await openLora(binding.name, deps)).tensors.keys()), component)) return true
  }
  return false
}

/** Whether a LoRA has tensors matchLora would consider for this component (its own, or ones it cannot place). */
function concerns(parsed: ParsedLora, component: LoraComponent): boolean {
  return parsed.unrecognised.length > 0 || parsed.modules.some((m) => m.component === undefined || m.component === component)
}

async function openLora(name: string, deps: Pick<LoraDeps, 'readLora'>): Promise<SafetensorsSource> {
  const data = await deps.readLora(name)
  return checkedLoraSource(data instanceof Uint8Array ? readSafetensors(data, name) : data)
}

/** Decodes the base model, merges and adds branches, re-encodes. The base bytes are never modified. */
export async function buildModel(
  base: ModelSource,
  key: string,
  loras: readonly LoraBindingLike[],
  component: LoraComponent,
  deps: Pick<LoraDeps, 'readLora'>,
): Promise<{ source: ModelSource; reports: LoraMatchReport[] }> {
  const opened: { index: number; binding: LoraBindingLike; file: SafetensorsSource; parsed: ParsedLora }[] = []
  for (const [index, binding] of loras.entries()) {
    if (binding.mode === 'merge' && binding.scale === 0) continue // nothing to bake in
    const file = await openLora(binding.name, deps)
    opened.push({ index, binding, file, parsed: parseLoraKeys(file.tensors.keys()) })
  }
  // LoRAs for other components only (Hyper-SD's touch the UNet alone) leave the model as it is: decoding and
  // re-encoding a 13 MB text encoder for nothing took seconds of the cold first image.
  if (!opened.some(({ parsed }) => concerns(parsed, component))) return { source: { ...base, key }, reports: [] }
  const model = decodeModel(base.bytes)
  const graph = requireGraph(model)
  const files = new Map((base.externalData ?? []).map((f) => [f.path, f.data]))
  const store = new WeightStore(files, externalDataLocations(model).length > 0, LORA_DATA_FILE, base.bytes.byteLength)
  const layers = findTargetLayers(graph)
  const reports: LoraMatchReport[] = []
  const matched: { index: number; binding: LoraBindingLike; file: SafetensorsSource; patches: readonly LoraPatch[] }[] = []
  for (const { index, binding, file, parsed } of opened) {
    const { patches, report } = await matchLora(binding.name, file, parsed, component, layers)
    if (report.tensorsConsidered === 0) continue // a LoRA for another component only
    assertLoraFits(report)
    reports.push(report)
    matched.push({ index, binding, file, patches })
  }
  const merged = matched.filter((m) => m.binding.mode === 'merge')
  const untied = untieSharedWeights(graph, merged.flatMap((m) => m.patches.map((p) => p.layer)))
  // Merges alone into inline weights change no graph: they are written into a copy of the model's bytes, which is
  // then the new model as it is (no re-encoding; at full size that is a copy of the UNet less).
  const inPlace = merged.length === matched.length && untied.size === 0 && !base.externalData?.length ? new Uint8Array(base.bytes) : undefined
  if (inPlace) store.rewriteInto(base.bytes, inPlace)
  const deltas: LiveLora[] = []
  const branches: LiveLora[] = []
  for (const { index, binding, file, patches } of matched) {
    const own = patches.map((p) => ({ ...p, layer: untied.get(p.layer) ?? p.layer }))
    if (binding.mode === 'merge') await mergePatches(store, file, own, binding.scale)
    else (binding.mode === 'live-delta' ? deltas : branches).push({ index, file, patches: own })
  }
  if (deltas.length + branches.length > 0) {
    const scales = new ScaleInputs(graph, [...deltas, ...branches])
    // Weights first: a branch reads the layer's input, which the weight rewrite leaves as it is.
    await addLiveDeltas(graph, store, deltas, scales)
    await addLiveBranches(graph, store, branches, scales)
    graph.node = [...scales.castNodes(), ...graph.node]
  }
  if (inPlace && !store.hasPending) return { source: { key, bytes: inPlace }, reports }
  const side = store.finish()
  const externalData = [...(base.externalData ?? []), ...(side ? [{ path: LORA_DATA_FILE, data: side }] : [])]
  return { source: { key, bytes: encodeModel(model), ...(externalData.length > 0 ? { externalData } : {}) }, reports }
}
