// The import side of our ComfyUI export: a node carrying properties.hypersd (a prompt: _meta.hypersd) is rebuilt
// exactly as the node of ours it was, when ComfyUI left it as exported: its type is one our export writes that
// node as, its widget values (and its helpers') are unchanged, and every link it recorded still arrives. Otherwise
// the ordinary translation applies.
import { z } from 'zod'
import { canonicalJson } from '../engine/cache-key.js'
import { EXPORTED_AS } from './comfyui-export-nodes.js'
import type { ComfyDocument, ComfyLinkRef, ComfyNode } from './comfyui-read.js'
import { InputNameSchema, LinkSchema, LiteralSchema, NodeIdSchema, SeedControlSchema } from './schema.js'
import type { GraphLink, GraphNode, InputValue, SeedControl } from './schema.js'

const PrimarySchema = z.strictObject({
  type: z.string().min(1),
  version: z.number().int().min(1),
  inputs: z.record(InputNameSchema, LiteralSchema),
  links: z.record(InputNameSchema, z.union([z.string(), LinkSchema])),
  outputs: z.array(z.string()),
  widgets: z.json(),
  controls: z.record(InputNameSchema, SeedControlSchema).optional(),
})

const HelperSchema = z.strictObject({ helperFor: NodeIdSchema, widgets: z.json() })

type Primary = z.output<typeof PrimarySchema>

export interface RestoredNode {
  readonly node: GraphNode
  readonly controls?: Record<string, SeedControl>
}

export interface RestoredNodes {
  readonly nodes: ReadonlyMap<string, RestoredNode>
  /** Restored nodes and the helpers our export added for them: nothing else to convert or report. */
  handles(comfyId: string): boolean
}

const MAX_HOPS = 256

export function restoreExportedNodes(doc: ComfyDocument): RestoredNodes {
  const primaries = new Map<string, Primary>()
  const helpers = new Map<string, string[]>()
  const unchanged = new Map<string, boolean>()
  for (const node of doc.nodes.values()) {
    if (node.hypersd === undefined) continue
    const primary = PrimarySchema.safeParse(node.hypersd)
    if (primary.success) {
      primaries.set(node.id, primary.data)
      unchanged.set(node.id, sameWidgets(node, primary.data.widgets))
      continue
    }
    const helper = HelperSchema.safeParse(node.hypersd)
    if (helper.success) {
      helpers.set(helper.data.helperFor, [...(helpers.get(helper.data.helperFor) ?? []), node.id])
      unchanged.set(node.id, sameWidgets(node, helper.data.widgets))
    }
  }

  const nodes = new Map<string, RestoredNode>()
  const handled = new Set<string>()
  for (const [id, data] of primaries) {
    const comfy = doc.nodes.get(id)!
    const ownHelpers = new Set(helpers.get(id) ?? [])
    if (!knownAs(comfy, data) || !unchanged.get(id) || [...ownHelpers].some((h) => !unchanged.get(h))) continue
    const links = restoreLinks(doc, comfy, data, ownHelpers, primaries)
    if (!links) continue
    const inputs: Record<string, InputValue> = { ...data.inputs, ...links }
    const mode = comfy.mode === 2 ? 'mute' : comfy.mode === 4 ? 'bypass' : undefined
    nodes.set(id, {
      node: { id, type: data.type, version: data.version, ...(comfy.title !== undefined ? { title: comfy.title } : {}), inputs, ...(mode ? { mode } : {}) },
      ...(data.controls ? { controls: data.controls } : {}),
    })
    handled.add(id)
    for (const helper of ownHelpers) handled.add(helper)
  }
  return { nodes, handles: (comfyId) => handled.has(comfyId) }
}

/** A type our export writes this node of ours as, or (no counterpart) our own type name. */
function knownAs(comfy: ComfyNode, data: Primary): boolean {
  if (Object.hasOwn(EXPORTED_AS, data.type)) return EXPORTED_AS[data.type]!.includes(comfy.type)
  return comfy.type === data.type
}

function sameWidgets(node: ComfyNode, exported: unknown): boolean {
  return canonicalJson(node.rawWidgets ?? []) === canonicalJson(exported)
}

/** Our links, or undefined when one no longer arrives or ComfyUI gained a link we did not write. */
function restoreLinks(
  doc: ComfyDocument,
  comfy: ComfyNode,
  data: Primary,
  ownHelpers: ReadonlySet<string>,
  primaries: ReadonlyMap<string, Primary>,
): Record<string, GraphLink> | undefined {
  const links: Record<string, GraphLink> = {}
  const carriers = new Set<string>()
  for (const [ours, carrier] of Object.entries(data.links)) {
    if (typeof carrier !== 'string') {
      // A link ComfyUI has no socket for (the pipeline under a UNETLoader): its source must still be there.
      if (!doc.nodes.has(carrier.from[0])) return undefined
      links[ours] = carrier
      continue
    }
    carriers.add(carrier)
    const ref = Object.hasOwn(comfy.links, carrier) ? comfy.links[carrier] : undefined
    const link = ref ? follow(doc, ref, ownHelpers, primaries) : undefined
    if (!link) return undefined
    links[ours] = link
  }
  for (const [name, ref] of Object.entries(comfy.links)) {
    if (!carriers.has(name) && !ownHelpers.has(ref.node)) return undefined
  }
  return links
}

/** Back through reroutes and this node's own helpers (a model-sampling helper passes MODEL on) to a node of ours. */
function follow(doc: ComfyDocument, start: ComfyLinkRef, ownHelpers: ReadonlySet<string>, primaries: ReadonlyMap<string, Primary>): GraphLink | undefined {
  let ref = start
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const node = doc.nodes.get(ref.node)
    if (!node) return undefined
    const data = primaries.get(node.id)
    if (data) {
      const output = data.outputs[ref.slot]
      return output ? { from: [node.id, output] } : undefined
    }
    let next: ComfyLinkRef | undefined
    if (node.type === 'Reroute') next = Object.values(node.links)[0]
    else if (ownHelpers.has(node.id) && ref.slot === 0 && Object.hasOwn(node.links, 'model')) next = node.links['model']
    if (!next) return undefined
    ref = next
  }
  return undefined
}
