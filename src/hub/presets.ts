// The official Hyper-SD workflows as downloads (hyper-sd-presets.json): for each, the base pipeline repository, the
// Hyper-SD file, and the graph in graphs/ that runs them, under the names graphs use for Hub models.
import { z } from 'zod'
import data from './hyper-sd-presets.json' with { type: 'json' }

const repoFile = z.object({ repo: z.string(), path: z.string(), source: z.string() })
const presetsSchema = z.object({
  sources: z.record(z.string(), z.string()),
  bases: z.record(z.string(), z.object({ repo: z.string(), revision: z.string(), source: z.string() })),
  presets: z.array(z.object({ id: z.string(), title: z.string(), base: z.string(), file: repoFile, graph: z.string() })),
})

export interface HyperSdPreset {
  readonly id: string
  readonly title: string
  readonly variant: 'sd15' | 'sdxl'
  /** The base ONNX pipeline: its repository and revision. */
  readonly base: { readonly repo: string; readonly revision: string }
  /** The Hyper-SD file (a LoRA, or the 1-step UNet) in its repository. */
  readonly file: { readonly repo: string; readonly path: string }
  /** A file name in graphs/. */
  readonly graph: string
  /** Where the names came from. */
  readonly sources: readonly string[]
}

function load(): HyperSdPreset[] {
  const parsed = presetsSchema.parse(data)
  return parsed.presets.map((preset) => {
    const base = parsed.bases[preset.base]
    if (!base) throw new Error(`hyper-sd-presets.json: preset ${preset.id} names an unknown base "${preset.base}"`)
    const sources = [base.source, preset.file.source].map((key) => {
      const source = parsed.sources[key]
      if (!source) throw new Error(`hyper-sd-presets.json: preset ${preset.id} names an unknown source "${key}"`)
      return source
    })
    return {
      id: preset.id,
      title: preset.title,
      variant: preset.base === 'sdxl' ? 'sdxl' : 'sd15',
      base: { repo: base.repo, revision: base.revision },
      file: { repo: preset.file.repo, path: preset.file.path },
      graph: preset.graph,
      sources,
    }
  })
}

let presets: readonly HyperSdPreset[] | undefined

/** The presets, read and checked when first asked for: the app's start does not need them. */
export function hyperSdPresets(): readonly HyperSdPreset[] {
  return (presets ??= load())
}

/** The name a graph uses for a file pulled from the Hub: OWNER/REPO/<path>. */
export function hubFileName(file: { readonly repo: string; readonly path: string }): string {
  return `${file.repo}/${file.path}`
}

/** What a preset downloads for a model name a graph uses: its base pipeline or its Hyper-SD file. */
export function presetPartFor(name: string): { preset: HyperSdPreset; ref: { repo: string; revision: string }; files: readonly string[] } | undefined {
  for (const preset of hyperSdPresets()) {
    if (name === preset.base.repo) return { preset, ref: preset.base, files: [] }
    if (name === hubFileName(preset.file)) return { preset, ref: { repo: preset.file.repo, revision: 'main' }, files: [preset.file.path] }
  }
  return undefined
}

export function presetById(id: string): HyperSdPreset | undefined {
  return hyperSdPresets().find((p) => p.id === id)
}
