// Reading ComfyUI's three shapes (UI workflow 0.4, UI workflow schema 1, API prompt) into one neutral form:
// nodes with named widget values and input links by (origin node, output slot), plus layout.
import { z } from 'zod'
import type { GraphGroup, NodeLayout, Viewport } from './schema.js'
import { GraphFileError } from './errors.js'
import { zodFailure } from './parse.js'
import type { JsonValue } from './safe-json.js'

export interface ComfyLinkRef {
  readonly node: string
  readonly slot: number
  /** The last native reroute the link passes before this input (UI workflows). */
  readonly reroute?: number
}

/** A native reroute of a UI workflow: a point links are drawn through. */
export interface ComfyReroute {
  readonly pos: readonly [number, number]
  readonly parent?: number
}

export interface ComfyNode {
  readonly id: string
  readonly type: string
  readonly title?: string
  /** 0 always, 2 never (muted), 4 bypass. */
  readonly mode: number
  readonly widgets: Readonly<Record<string, unknown>>
  readonly links: Readonly<Record<string, ComfyLinkRef>>
  /** Input socket types by name (UI format only; used to pass bypassed nodes through). */
  readonly inputTypes: Readonly<Record<string, string>>
  readonly outputTypes: readonly string[]
  /** Output slot names, by slot (UI format only; a placeholder keeps them). */
  readonly outputNames?: readonly string[]
  /** The widget values as the file holds them, for nodes kept as placeholders (ComfyUI's own types are unnamed). */
  readonly rawWidgets?: JsonValue
  readonly layout?: NodeLayout
  /** What our export wrote about the node of ours it stands for (properties.hypersd; a prompt's _meta.hypersd). */
  readonly hypersd?: JsonValue
}

export interface ComfyDocument {
  readonly format: 'workflow' | 'prompt'
  readonly nodes: ReadonlyMap<string, ComfyNode>
  readonly groups: readonly GraphGroup[]
  readonly viewport?: Viewport
  /** Native reroutes by id (UI workflows; schema 1 at the top level, 0.4 in `extra`). */
  readonly reroutes?: ReadonlyMap<number, ComfyReroute>
}

/** ComfyUI's positional `widgets_values` per node type: the names, in order. */
export const WIDGET_ORDER: Readonly<Record<string, readonly string[]>> = {
  CheckpointLoaderSimple: ['ckpt_name'],
  UNETLoader: ['unet_name', 'weight_dtype'],
  CLIPLoader: ['clip_name', 'type', 'device'],
  DualCLIPLoader: ['clip_name1', 'clip_name2', 'type', 'device'],
  VAELoader: ['vae_name'],
  CLIPTextEncode: ['text'],
  EmptyLatentImage: ['width', 'height', 'batch_size'],
  KSampler: ['seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise'],
  KSamplerAdvanced: [
    'add_noise', 'noise_seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler',
    'start_at_step', 'end_at_step', 'return_with_leftover_noise',
  ],
  SamplerCustom: ['add_noise', 'noise_seed', 'control_after_generate', 'cfg'],
  KSamplerSelect: ['sampler_name'],
  BasicScheduler: ['scheduler', 'steps', 'denoise'],
  SDTurboScheduler: ['steps', 'denoise'],
  BetaSamplingScheduler: ['steps', 'alpha', 'beta'],
  AlignYourStepsScheduler: ['model_type', 'steps', 'denoise'],
  HyperSDXL1StepUnetScheduler: ['steps'],
  TCDModelSamplingDiscrete: ['steps', 'scheduler', 'denoise', 'eta'],
  ModelSamplingDiscrete: ['sampling', 'zsnr'],
  SamplerCustomAdvanced: [],
  RandomNoise: ['noise_seed', 'control_after_generate'],
  DisableNoise: [],
  CFGGuider: ['cfg'],
  BasicGuider: [],
  LoraLoader: ['lora_name', 'strength_model', 'strength_clip'],
  LoraLoaderModelOnly: ['lora_name', 'strength_model'],
  VAEDecode: [],
  LoadImage: ['image', 'upload'],
  LoadImageMask: ['image', 'channel', 'upload'],
  InvertMask: [],
  SetLatentNoiseMask: [],
  GrowMask: ['expand', 'tapered_corners'],
  VAEEncodeForInpaint: ['grow_mask_by'],
  ImagePadForOutpaint: ['left', 'top', 'right', 'bottom', 'feathering'],
  VAEEncode: [],
  ImageScale: ['upscale_method', 'width', 'height', 'crop'],
  ImageScaleBy: ['upscale_method', 'scale_by'],
  ConditioningAverage: ['conditioning_to_strength'],
  ConditioningConcat: [],
  ConditioningZeroOut: [],
  LatentUpscale: ['upscale_method', 'width', 'height', 'crop'],
  LatentUpscaleBy: ['upscale_method', 'scale_by'],
  LatentFromBatch: ['batch_index', 'length'],
  RepeatLatentBatch: ['amount'],
  VAEDecodeTiled: ['tile_size', 'overlap', 'temporal_size', 'temporal_overlap'],
  VAEEncodeTiled: ['tile_size', 'overlap', 'temporal_size', 'temporal_overlap'],
  SaveImage: ['filename_prefix'],
  PreviewImage: [],
  Note: ['text'],
  MarkdownNote: ['text'],
  PrimitiveNode: ['value', 'control_after_generate'],
}

const SEED_CONTROLS = new Set(['fixed', 'increment', 'decrement', 'randomize'])

// Loose shapes: only what the importer reads is checked; ComfyUI adds fields over time.
const Num = z.number()
const Id = z.union([z.number(), z.string()]).transform(String)
const Pair = z.union([z.tuple([Num, Num]), z.object({ 0: Num, 1: Num }).transform((o): [number, number] => [o[0], o[1]])])

const UiNode = z.looseObject({
  id: Id,
  type: z.string(),
  title: z.string().optional(),
  pos: Pair.optional(),
  size: Pair.optional(),
  flags: z.looseObject({ collapsed: z.boolean().optional() }).optional(),
  mode: z.number().optional(),
  color: z.string().optional(),
  bgcolor: z.string().optional(),
  inputs: z.array(z.looseObject({ name: z.string(), type: z.union([z.string(), z.number()]).optional(), link: z.number().nullish() })).optional(),
  outputs: z.array(z.looseObject({ name: z.string().optional(), type: z.union([z.string(), z.number()]).optional() })).optional(),
  widgets_values: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  properties: z.looseObject({ hypersd: z.unknown().optional() }).nullish(),
})

const UiLink = z.union([
  z.tuple([Num, Id, Num, Id, Num]).rest(z.unknown()).transform(([id, origin, slot]) => ({ id, origin, slot })),
  z
    .looseObject({ id: Num, origin_id: Id, origin_slot: Num, parentId: Num.nullish() })
    .transform((l) => ({ id: l.id, origin: l.origin_id, slot: l.origin_slot, ...(l.parentId != null ? { parentId: l.parentId } : {}) })),
])

const Reroute = z.looseObject({ id: Num, pos: Pair, parentId: Num.nullish(), floating: z.unknown().optional() })

const UiWorkflow = z.looseObject({
  nodes: z.array(UiNode),
  links: z.array(UiLink).nullish(),
  groups: z
    .array(z.looseObject({ title: z.string().optional(), bounding: z.tuple([Num, Num, Num, Num]), color: z.string().optional(), font_size: Num.optional() }))
    .optional(),
  reroutes: z.array(Reroute).nullish(),
  extra: z
    .looseObject({
      ds: z.looseObject({ scale: Num, offset: Pair }).optional(),
      reroutes: z.array(Reroute).nullish(),
      linkExtensions: z.array(z.looseObject({ id: Num, parentId: Num.nullish() })).nullish(),
    })
    .nullish(),
})

const ApiNode = z.looseObject({
  class_type: z.string(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  _meta: z.looseObject({ title: z.string().optional(), hypersd: z.unknown().optional() }).optional(),
})
const ApiPrompt = z.record(z.string(), ApiNode)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Recognises and reads a ComfyUI document (already parsed by the safe JSON reader). */
export function readComfyDocument(doc: JsonValue, source?: string): ComfyDocument {
  if (!isRecord(doc)) throw new GraphFileError('expected a ComfyUI workflow or prompt object', source)
  if (Array.isArray(doc['nodes'])) return readWorkflow(doc, source)
  const prompt = isRecord(doc['prompt']) && !Object.hasOwn(doc['prompt'], 'class_type') ? doc['prompt'] : doc
  const values = Object.values(prompt)
  if (values.length > 0 && values.every((v) => isRecord(v) && Object.hasOwn(v, 'class_type'))) return readPrompt(prompt, source)
  throw new GraphFileError('not a ComfyUI workflow (no "nodes" array) or API prompt (no "class_type" entries)', source)
}

function readWorkflow(doc: Record<string, unknown>, source?: string): ComfyDocument {
  const parsed = UiWorkflow.safeParse(doc)
  if (!parsed.success) throw zodFailure(parsed.error, source)
  const wf = parsed.data
  // Schema 1 links carry their last reroute; 0.4 files list it in extra.linkExtensions.
  const lastReroute = new Map<number, number>()
  for (const ext of wf.extra?.linkExtensions ?? []) if (ext.parentId != null) lastReroute.set(ext.id, ext.parentId)
  const linkOrigins = new Map<number, ComfyLinkRef>()
  for (const link of wf.links ?? []) {
    const reroute = 'parentId' in link ? link.parentId : lastReroute.get(link.id)
    linkOrigins.set(link.id, { node: link.origin, slot: link.slot, ...(reroute !== undefined ? { reroute } : {}) })
  }
  // Floating reroutes (left on no link) are not read: nothing is drawn through them.
  const reroutes = new Map<number, ComfyReroute>()
  for (const r of [...(wf.reroutes ?? []), ...(wf.extra?.reroutes ?? [])]) {
    if (r.floating === undefined && !reroutes.has(r.id)) reroutes.set(r.id, { pos: r.pos, ...(r.parentId != null ? { parent: r.parentId } : {}) })
  }

  const nodes = new Map<string, ComfyNode>()
  for (const n of wf.nodes) {
    // Input names are data here, not keys of the file: Object.fromEntries keeps a "__proto__" name an own property.
    const inputs = n.inputs ?? []
    const inputTypes: Record<string, string> = Object.fromEntries(inputs.map((input) => [input.name, String(input.type ?? '*')]))
    const links: Record<string, ComfyLinkRef> = Object.fromEntries(
      inputs.flatMap((input) => {
        const origin = input.link === null || input.link === undefined ? undefined : linkOrigins.get(input.link)
        return origin ? [[input.name, origin] as const] : []
      }),
    )
    const layout: NodeLayout = {
      pos: n.pos ?? [0, 0],
      ...(n.size ? { size: n.size } : {}),
      ...(n.flags?.collapsed ? { collapsed: true } : {}),
      ...(n.color ? { color: n.color } : {}),
      ...(n.bgcolor ? { bgcolor: n.bgcolor } : {}),
    }
    nodes.set(n.id, {
      id: n.id,
      type: n.type,
      ...(n.title !== undefined && n.title !== n.type ? { title: n.title } : {}),
      mode: n.mode ?? 0,
      widgets: nameWidgets(n.type, n.widgets_values),
      links,
      inputTypes,
      outputTypes: (n.outputs ?? []).map((o) => String(o.type ?? '*')),
      outputNames: (n.outputs ?? []).map((o, i) => o.name ?? `output_${i}`),
      // Read by the safe JSON reader, so the values are plain JSON.
      ...(n.widgets_values !== undefined ? { rawWidgets: n.widgets_values as JsonValue } : {}),
      ...(n.properties?.hypersd !== undefined ? { hypersd: n.properties.hypersd as JsonValue } : {}),
      layout,
    })
  }
  const ds = wf.extra?.ds
  return {
    format: 'workflow',
    nodes,
    groups: (wf.groups ?? []).map((g) => ({
      title: g.title ?? '',
      bounding: g.bounding,
      ...(g.color ? { color: g.color } : {}),
      ...(g.font_size !== undefined && g.font_size > 0 ? { fontSize: g.font_size } : {}),
    })),
    ...(ds && ds.scale > 0 ? { viewport: { offset: ds.offset, scale: ds.scale } } : {}),
    ...(reroutes.size > 0 ? { reroutes } : {}),
  }
}

/** Names positional widget values by the table; seed controls are only present after seed widgets. */
function nameWidgets(type: string, values: readonly unknown[] | Record<string, unknown> | undefined): Record<string, unknown> {
  if (values === undefined) return {}
  if (!Array.isArray(values)) return { ...values }
  const names = Object.hasOwn(WIDGET_ORDER, type) ? WIDGET_ORDER[type] : undefined
  if (!names) return {}
  const out: Record<string, unknown> = {}
  let v = 0
  for (const name of names) {
    if (v >= values.length) break
    if (name === 'control_after_generate' && !(typeof values[v] === 'string' && SEED_CONTROLS.has(values[v] as string))) continue
    out[name] = values[v++]
  }
  return out
}

function readPrompt(prompt: Record<string, unknown>, source?: string): ComfyDocument {
  const parsed = ApiPrompt.safeParse(prompt)
  if (!parsed.success) throw zodFailure(parsed.error, source)
  const nodes = new Map<string, ComfyNode>()
  for (const [id, n] of Object.entries(parsed.data)) {
    const widgets: Record<string, unknown> = {}
    const links: Record<string, ComfyLinkRef> = {}
    for (const [name, value] of Object.entries(n.inputs ?? {})) {
      if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number') {
        links[name] = { node: String(value[0]), slot: value[1] }
      } else {
        widgets[name] = value
      }
    }
    const title = n._meta?.title
    nodes.set(id, {
      id,
      type: n.class_type,
      ...(title !== undefined && title !== n.class_type ? { title } : {}),
      mode: 0,
      widgets,
      links,
      inputTypes: {},
      outputTypes: [],
      rawWidgets: widgets as JsonValue,
      ...(n._meta?.hypersd !== undefined ? { hypersd: n._meta.hypersd as JsonValue } : {}),
    })
  }
  return { format: 'prompt', nodes, groups: [] }
}
