// Questions graphs ask the catalog by name: which models a model input can offer, and whether a name a graph uses
// is there. Names inside a folder entry ("my-loras/x.safetensors", "tiny-sd15/unet/model.onnx") belong to it.
import { kindsForHint, type ModelEntry, type ModelHint } from './types.js'

/**
 * Names for a model input's dropdown: entries of the hint's kinds, and the matching files inside plain folders. A
 * download that has not finished is left out: a preset gives it a kind before its files are there.
 */
export function modelChoices(entries: readonly ModelEntry[], hint: ModelHint): string[] {
  const kinds = kindsForHint(hint)
  const names: string[] = []
  for (const entry of entries) {
    if (entry.state === 'failed' || entry.state === 'downloading' || entry.state === 'partial') continue
    if (kinds.includes(entry.kind)) names.push(entry.name)
    for (const inside of entry.contents ?? []) if (kinds.includes(inside.kind)) names.push(`${entry.name}/${inside.path}`)
  }
  return [...new Set(names)]
}

/** The entry a graph value names: the entry of that name, or the folder entry it lies inside. */
export function entryForName(entries: readonly ModelEntry[], name: string): ModelEntry | undefined {
  const trimmed = name.trim()
  const exact = entries.find((e) => e.name === trimmed)
  if (exact) return exact
  return entries.filter((e) => trimmed.startsWith(`${e.name}/`)).sort((a, b) => b.name.length - a.name.length)[0]
}

/** Whether a graph value names a model the catalog lacks (an empty value or a URL is not a missing model). */
export function isMissingModel(entries: readonly ModelEntry[], name: string): boolean {
  const trimmed = name.trim()
  if (trimmed === '' || /^https?:\/\//i.test(trimmed)) return false
  return entryForName(entries, trimmed) === undefined
}
