// What the model catalog knows about a model: its kind, where it comes from, and whether it can be used now.
// Pure data (no handles): entries are shown in the UI, kept in IndexedDB and compared by name with graph values.

export type ModelKind = 'sd15-pipeline' | 'sdxl-pipeline' | 'lora' | 'unet-weights' | 'clip-vision' | 'aesthetic-head' | 'unknown'
export type ModelOrigin = 'bundled' | 'hub' | 'local'
export type ModelState = 'ready' | 'downloading' | 'partial' | 'failed' | 'needs-permission'

/** The model hint of a string input (StringSpec.model): which catalog kinds its dropdown offers. */
export type ModelHint = 'pipeline' | 'lora' | 'unet-weights' | 'clip-vision' | 'aesthetic-head'

export const MODEL_KINDS: readonly ModelKind[] = ['sd15-pipeline', 'sdxl-pipeline', 'lora', 'unet-weights', 'clip-vision', 'aesthetic-head', 'unknown']
export const MODEL_ORIGINS: readonly ModelOrigin[] = ['bundled', 'hub', 'local']
export const MODEL_STATES: readonly ModelState[] = ['ready', 'downloading', 'partial', 'failed', 'needs-permission']

export interface ModelProgress {
  readonly loaded: number
  readonly total: number
  readonly bytesPerSecond: number
  readonly etaSeconds?: number
}

/** A model file found inside a folder that is not itself a model (a folder of LoRAs). */
export interface ContainedModel {
  /** Inside the folder: graphs name it `${entry.name}/${path}`, e.g. "my-loras/style.safetensors". */
  readonly path: string
  readonly kind: ModelKind
  readonly detail?: string
  readonly bytes?: number
}

export interface ModelEntry {
  readonly id: string
  /** What graphs use: "tiny-sd15", "loras/x.safetensors", "my-folder", "OWNER/REPO". */
  readonly name: string
  readonly kind: ModelKind
  /** e.g. a LoRA's format and base ("kohya · SD1.5"), a pipeline's base and class. */
  readonly detail?: string
  readonly bytes?: number
  readonly origin: ModelOrigin
  /** Human-readable: "bundled", "OWNER/REPO@main", or the folder/file name. */
  readonly location: string
  readonly state: ModelState
  readonly error?: string
  readonly progress?: ModelProgress
  /** Models inside a plain folder (kind 'unknown'), offered in dropdowns by their own kinds. */
  readonly contents?: readonly ContainedModel[]
}

/** The catalog kinds a model hint offers: both pipeline variants for 'pipeline'. */
export function kindsForHint(hint: ModelHint): readonly ModelKind[] {
  return hint === 'pipeline' ? ['sd15-pipeline', 'sdxl-pipeline'] : [hint]
}
