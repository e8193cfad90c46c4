// Which model drew an image, from the run's own parameters (the loader's model name, its LoRAs) and the model
// catalog's kind: the bundled tiny pipelines have random weights (structural test models), so their noise is the
// expected output and the Output panel says so instead of letting it look like a failure.
import type { ModelEntry } from '../../models/catalog/types.js'
import { parseLora, shortModelName } from '../../stores/gallery-diff.js'
import { KIND_LABELS } from '../model-labels.js'

export interface ModelNotice {
  /** 'noise': a random-weight test model drew it; 'model': a real model, named. */
  readonly kind: 'noise' | 'model'
  readonly text: string
}

/** The bundled random-weight twins are named tiny-*, as in public/models/index.json ("tiny-sd15", "tiny-sdxl"). */
export function isRandomWeightModel(name: string): boolean {
  return /^tiny-/.test(name)
}

type Lookup = (name: string) => Pick<ModelEntry, 'kind' | 'detail' | 'origin'> | undefined

/** null when the parameters name no model (an image that did not come from a sampler). */
export function modelNotice(parameters: Readonly<Record<string, string | number | boolean>>, lookup: Lookup): ModelNotice | null {
  const model = parameters['model']
  if (typeof model !== 'string' || model === '') return null
  const entry = lookup(model)
  const kind = entry ? KIND_LABELS[entry.kind] : 'pipeline'
  if (isRandomWeightModel(model)) {
    return {
      kind: 'noise',
      text: `This picture is noise, as expected: the bundled tiny model “${model}” (${kind}) has random weights. It checks that the graph runs, not what it draws. Open a Hyper-Shapes template (Templates) to see a trained model draw its prompt.`,
    }
  }
  const loras = Object.keys(parameters)
    .filter((k) => /^lora_\d+$/.test(k))
    .map((k) => shortModelName(parseLora(String(parameters[k])).name))
  const origin = entry?.origin === 'bundled' ? 'bundled ' : ''
  const weights = typeof parameters['unet_weights'] === 'string' ? ` with UNet weights ${shortModelName(parameters['unet_weights'])}` : ''
  const withLoras = loras.length > 0 ? ` with LoRA ${loras.join(', ')}` : ''
  return { kind: 'model', text: `Drawn by the ${origin}model “${model}” (${kind})${weights}${withLoras}.` }
}
