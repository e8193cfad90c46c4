// Names for the "Loading …" stage the worker reports when a run creates a model session: the first run of a model
// fetches its file and builds its session, seconds with nothing else to show.

/** Pipeline component folders (diffusers layout), by the words the UI shows. */
const COMPONENTS: readonly (readonly [RegExp, string])[] = [
  [/(^|[/\\])text_encoder_2([/\\]|$)/, 'text encoder 2'],
  [/(^|[/\\])text_encoder([/\\]|$)/, 'text encoder'],
  [/(^|[/\\])unet([/\\]|$)/, 'UNet'],
  [/(^|[/\\])vae_decoder([/\\]|$)/, 'VAE decoder'],
  [/(^|[/\\])vae_encoder([/\\]|$)/, 'VAE encoder'],
]

/** A model named by its pipeline component, else by its file name (session keys are paths or URLs, maybe with a LoRA suffix). */
export function modelLabel(key: string): string {
  const path = key.split('#')[0]!.split('?')[0]!
  for (const [pattern, label] of COMPONENTS) if (pattern.test(path)) return label
  return path.split(/[/\\]/).filter((p) => p.length > 0).pop() ?? 'model'
}

export function loadingStage(key: string): string {
  return `Loading ${modelLabel(key)}…`
}
