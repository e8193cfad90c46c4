// The project's versioned graph file: node semantics (named inputs, links by output name) and editor layout
// kept apart. Version 1. Hand-written files may use integer ids; they are normalised to strings.
import { z } from 'zod'
import { HOSTILE_KEYS } from './safe-json.js'
import { ImportReportSchema, PlaceholderSchema } from './placeholder-schema.js'

export const GRAPH_FORMAT = 'hyper-sd-studio/graph'
export const GRAPH_VERSION = 1

/** Node ids are strings; integers from hand-written files become their decimal string. */
export const NodeIdSchema = z
  .union([z.string().min(1, 'expected a non-empty node id'), z.number().int().nonnegative()], {
    error: 'expected a node id (string or non-negative integer)',
  })
  .transform((id) => String(id))
  // Ids become keys of layout.nodes, where these names are refused as hostile.
  .refine((id) => !HOSTILE_KEYS.has(id), { error: (iss) => `node id ${JSON.stringify(iss.input)} is reserved` })

export const LinkSchema = z.strictObject({
  from: z.tuple([NodeIdSchema, z.string().min(1, 'expected an output name')], {
    error: 'expected [nodeId, outputName]',
  }),
})

export const LiteralSchema = z.union([z.number(), z.string(), z.boolean(), z.null()])

export const InputValueSchema = z.union([LiteralSchema, LinkSchema], {
  error: 'expected a number, string, boolean, null or a link {"from": [nodeId, outputName]}',
})

export const InputNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'input names are identifiers (letters, digits, _)')
  .refine((name) => !HOSTILE_KEYS.has(name), { error: (iss) => `forbidden input name ${JSON.stringify(iss.input)}` })

export const GraphNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.string().min(1, 'expected a node type'),
  version: z.number().int().min(1).default(1),
  title: z.string().optional(),
  inputs: z.record(InputNameSchema, InputValueSchema).default({}),
  /** ComfyUI's node modes: a bypassed node passes matching inputs through, a muted node does not run. */
  mode: z.enum(['bypass', 'mute']).optional(),
  /** Present on a node kept from an import that this build has no declaration for (see placeholder-schema.ts). */
  placeholder: PlaceholderSchema.optional(),
})

const Vec2 = z.tuple([z.number(), z.number()], { error: 'expected [x, y]' })
const Rect = z.tuple([z.number(), z.number(), z.number(), z.number()], { error: 'expected [x, y, width, height]' })
const Color = z.string().max(64)

export const SeedControlSchema = z.enum(['fixed', 'increment', 'decrement', 'randomize'])

export const NodeLayoutSchema = z.strictObject({
  /** Left out, the editor places the node (in columns along its links), as for a node with no layout entry. */
  pos: Vec2.optional(),
  size: Vec2.optional(),
  collapsed: z.boolean().optional(),
  /** A pinned node cannot be moved or resized in the editor. */
  pinned: z.boolean().optional(),
  color: Color.optional(),
  bgcolor: Color.optional(),
  /** Editor behaviour of seed widgets after each run (ComfyUI's control_after_generate), by input name. */
  controls: z.record(InputNameSchema, SeedControlSchema).optional(),
  /**
   * Widget inputs shown as input sockets with no link yet (ComfyUI's "convert widget to input"): a linked one needs
   * no entry, the link makes it a socket. Kept so a conversion survives a save before it is wired.
   */
  sockets: z.array(InputNameSchema).optional(),
  /** The reroute each linked input's link reaches last on its way from the output (see `layout.reroutes`), by input name. */
  reroutes: z.record(InputNameSchema, z.number().int().positive()).optional(),
})

/** A point a link is drawn through (ComfyUI's native reroute): layout only, never part of what a graph computes. */
export const RerouteSchema = z.strictObject({
  id: z.number().int().positive(),
  pos: Vec2,
  /** The reroute before this one, towards the output; none for the first after the output. */
  parent: z.number().int().positive().optional(),
})

/** Reroutes a file may hold: far beyond any hand-made graph, small enough to check at once. */
export const MAX_REROUTES = 10_000

export const GroupSchema = z.strictObject({
  title: z.string(),
  bounding: Rect,
  color: Color.optional(),
  fontSize: z.number().positive().optional(),
})

export const ViewportSchema = z.strictObject({
  offset: Vec2,
  scale: z.number().positive(),
})

export const LayoutSchema = z.strictObject({
  nodes: z.record(z.string(), NodeLayoutSchema).optional(),
  groups: z.array(GroupSchema).optional(),
  reroutes: z.array(RerouteSchema).max(MAX_REROUTES).optional(),
  viewport: ViewportSchema.optional(),
})

export const MetadataSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  author: z.string().optional(),
  /** What a ComfyUI import changed, kept with the graph until dismissed in the editor. */
  importReport: ImportReportSchema.optional(),
})

export const GraphFileSchema = z.strictObject({
  format: z.literal(GRAPH_FORMAT),
  version: z.literal(GRAPH_VERSION),
  nodes: z.array(GraphNodeSchema),
  layout: LayoutSchema.optional(),
  metadata: MetadataSchema.optional(),
})

export type GraphFile = z.output<typeof GraphFileSchema>
/** What a file may contain before defaults and id normalisation are applied. */
export type GraphFileInput = z.input<typeof GraphFileSchema>
export type GraphNode = z.output<typeof GraphNodeSchema>
export type GraphLink = z.output<typeof LinkSchema>
export type InputValue = z.output<typeof InputValueSchema>
export type LiteralValue = z.output<typeof LiteralSchema>
export type GraphLayout = z.output<typeof LayoutSchema>
export type NodeLayout = z.output<typeof NodeLayoutSchema>
export type RerouteLayout = z.output<typeof RerouteSchema>
export type GraphGroup = z.output<typeof GroupSchema>
export type Viewport = z.output<typeof ViewportSchema>
export type GraphMetadata = z.output<typeof MetadataSchema>
export type SeedControl = z.output<typeof SeedControlSchema>

export function isGraphLink(value: InputValue | undefined): value is GraphLink {
  return typeof value === 'object' && value !== null
}
