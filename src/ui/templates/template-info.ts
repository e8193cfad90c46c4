// What the Templates browser says about a shipped graph, derived from the graph itself: its name and description
// (metadata, else its Note), the model it loads, and the recommended settings its own nodes hold (steps,
// scheduler, eta, CFG, LoRA scale, size). Pure data: no DOM, no stores; the thumbnail script uses it too.
import type { AnyNodeDefinition, InputSpec } from '../../engine/spec.js'
import { isGraphLink, type GraphFile, type GraphNode } from '../../graph/schema.js'

export type DefinitionLookup = (type: string) => AnyNodeDefinition | undefined

export interface NamedModel {
  readonly nodeId: string
  readonly input: string
  readonly kind: NonNullable<Extract<InputSpec, { kind: 'string' }>['model']>
  readonly name: string
}

export interface TemplateSettings {
  readonly steps?: number
  readonly scheduler?: string
  readonly eta?: number
  readonly cfg?: number
  /** One per LoRA node, in graph order. */
  readonly loraScales: readonly number[]
  readonly width?: number
  readonly height?: number
  /** A second sampler over the first's latent, upscaled by a factor (a "hires fix"): the factor and its denoise. */
  readonly secondPass?: { readonly scaleBy: number; readonly denoise: number }
}

export interface TemplateInfo {
  /** File name in graphs/, e.g. "shapes-4step.json". */
  readonly file: string
  readonly name: string
  readonly description: string
  /** The pipeline the graph loads ("hyper-shapes", "onnx-community/stable-diffusion-v1-5-ONNX"). */
  readonly model: string
  readonly settings: TemplateSettings
  /** Every model name the graph uses (pipelines, LoRAs, weights, score models), inputs left out taking their default. */
  readonly models: readonly NamedModel[]
}

/** A node's literal value for `input`, or the declaration's default when the file leaves it out. */
function valueOf(node: GraphNode, input: string, definition: AnyNodeDefinition | undefined): unknown {
  const value = node.inputs[input]
  if (value !== undefined) return isGraphLink(value) ? undefined : value
  const spec = definition?.inputs[input]
  return spec && spec.kind !== 'socket' ? spec.default : undefined
}

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)
const stringOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/** The model names `graph` uses, in node order. */
export function modelNamesOf(graph: GraphFile, lookup: DefinitionLookup): NamedModel[] {
  return graph.nodes.flatMap((node) => {
    const definition = lookup(node.type)
    if (!definition) return []
    return Object.entries(definition.inputs).flatMap(([input, spec]) => {
      if (spec.kind !== 'string' || !spec.model) return []
      const name = stringOf(valueOf(node, input, definition))?.trim()
      return name ? [{ nodeId: node.id, input, kind: spec.model, name }] : []
    })
  })
}

/** The first node declaring all of `inputs`, e.g. the sampler (steps + scheduler) or the latent (width + height). */
function firstNodeWith(graph: GraphFile, lookup: DefinitionLookup, inputs: readonly string[]): { node: GraphNode; definition: AnyNodeDefinition } | undefined {
  for (const node of graph.nodes) {
    const definition = lookup(node.type)
    if (definition && inputs.every((i) => i in definition.inputs)) return { node, definition }
  }
  return undefined
}

export function settingsOf(graph: GraphFile, lookup: DefinitionLookup): TemplateSettings {
  const sampler = firstNodeWith(graph, lookup, ['steps', 'scheduler'])
  const latent = firstNodeWith(graph, lookup, ['width', 'height'])
  const loraScales = graph.nodes.flatMap((node) => {
    const definition = lookup(node.type)
    const hasLora = definition && Object.values(definition.inputs).some((s) => s.kind === 'string' && s.model === 'lora')
    const scale = hasLora ? numberOf(valueOf(node, 'scale', definition)) : undefined
    return scale === undefined ? [] : [scale]
  })
  const at = (found: typeof sampler, input: string) => (found ? valueOf(found.node, input, found.definition) : undefined)
  const settings: { -readonly [K in keyof TemplateSettings]: TemplateSettings[K] } = { loraScales }
  const steps = numberOf(at(sampler, 'steps'))
  const scheduler = stringOf(at(sampler, 'scheduler'))
  const eta = numberOf(at(sampler, 'eta'))
  const cfg = numberOf(at(sampler, 'cfg'))
  const width = numberOf(at(latent, 'width'))
  const height = numberOf(at(latent, 'height'))
  if (steps !== undefined) settings.steps = steps
  if (scheduler !== undefined) settings.scheduler = scheduler
  if (eta !== undefined) settings.eta = eta
  if (cfg !== undefined) settings.cfg = cfg
  if (width !== undefined) settings.width = width
  if (height !== undefined) settings.height = height
  const secondPass = secondPassOf(graph, lookup, sampler?.node)
  if (secondPass) settings.secondPass = secondPass
  return settings
}

/** The sampler after `first` whose latent comes from an upscale by a factor (`scale_by`) of another node's latent. */
function secondPassOf(graph: GraphFile, lookup: DefinitionLookup, first: GraphNode | undefined): TemplateSettings['secondPass'] {
  if (!first) return undefined
  for (const node of graph.nodes) {
    const definition = lookup(node.type)
    const latent = node.inputs['latent']
    if (node === first || !definition || !('steps' in definition.inputs) || !isGraphLink(latent)) continue
    const upscale = graph.nodes.find((n) => n.id === latent.from[0])
    const scaleBy = upscale ? numberOf(valueOf(upscale, 'scale_by', lookup(upscale.type))) : undefined
    const denoise = numberOf(valueOf(node, 'denoise', definition))
    if (scaleBy !== undefined && denoise !== undefined) return { scaleBy, denoise }
  }
  return undefined
}

/** The metadata description, else the graph's first Note (without a first line that repeats the name). */
export function descriptionOf(graph: GraphFile): string {
  const described = graph.metadata?.description?.trim()
  if (described) return described
  const note = graph.nodes.find((n) => n.type === 'Note' && typeof n.inputs['text'] === 'string')
  const text = stringOf(note?.inputs['text'])?.trim() ?? ''
  const [first, ...rest] = text.split('\n')
  return first?.trim() === graph.metadata?.name?.trim() ? rest.join('\n').trim() : text
}

export function describeTemplate(file: string, graph: GraphFile, lookup: DefinitionLookup): TemplateInfo {
  const models = modelNamesOf(graph, lookup)
  return {
    file,
    name: graph.metadata?.name?.trim() || file.replace(/\.json$/, ''),
    description: descriptionOf(graph),
    model: models.find((m) => m.kind === 'pipeline')?.name ?? 'no pipeline',
    settings: settingsOf(graph, lookup),
    models,
  }
}

export interface StepGroup<T extends TemplateInfo = TemplateInfo> {
  readonly steps: number | null
  readonly templates: readonly T[]
}

export interface ModelGroup<T extends TemplateInfo = TemplateInfo> {
  readonly model: string
  readonly steps: readonly StepGroup<T>[]
}

/** Templates by pipeline (in first-seen order of `templates`), then by step count (ascending), names sorted within. */
export function groupTemplates<T extends TemplateInfo>(templates: readonly T[]): ModelGroup<T>[] {
  const byModel = new Map<string, T[]>()
  for (const t of templates) byModel.set(t.model, [...(byModel.get(t.model) ?? []), t])
  return [...byModel].map(([model, list]) => {
    const bySteps = new Map<number | null, T[]>()
    for (const t of list) bySteps.set(t.settings.steps ?? null, [...(bySteps.get(t.settings.steps ?? null) ?? []), t])
    const steps = [...bySteps]
      .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
      .map(([count, group]) => ({ steps: count, templates: [...group].sort((x, y) => x.name.localeCompare(y.name)) }))
    return { model, steps }
  })
}
