// Image outputs: encode PNGs (graph and parameters embedded) and hand them to the host.
import { socket, string, type NodeContext } from '../src/engine/index.js'
import { GRAPH_KEYWORD, encodePng } from '../src/graph/png.js'
import { defineHostNode } from './define.js'
import type { NodeServices } from './services.js'
import type { ImageBatch, Parameters } from './types.js'

/** A1111-style "parameters" text, which many image viewers and sites display. */
export function parametersText(parameters: Parameters): string {
  const { prompt, negative_prompt: negative, ...rest } = parameters
  const settings = Object.entries(rest)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')
  return [prompt ?? '', negative !== undefined ? `Negative prompt: ${negative}` : undefined, settings].filter((l) => l !== undefined).join('\n')
}

async function emit(ctx: NodeContext<NodeServices>, image: ImageBatch, kind: 'save' | 'preview', filenamePrefix: string) {
  const text: Record<string, string> = { parameters: parametersText(image.parameters) }
  if (ctx.services.graphJson) text[GRAPH_KEYWORD] = ctx.services.graphJson
  const pngs = image.images.map((rgba) => encodePng(rgba, image.width, image.height, text))
  const saved = await ctx.services.emitImages({
    nodeId: ctx.nodeId,
    kind,
    filenamePrefix,
    pngs,
    width: image.width,
    height: image.height,
    parameters: image.parameters,
  })
  return { images: saved.map((s) => s.name) }
}

export const saveImage = defineHostNode({
  type: 'SaveImage',
  version: 1,
  displayName: 'Save Image',
  category: 'image',
  description: 'Saves images as PNG with the graph and generation parameters embedded (drop one on the editor to reopen its graph).',
  isOutput: true,
  inputs: {
    image: socket('IMAGE'),
    filename_prefix: string({ default: 'hypersd', description: 'File names are PREFIX_00001.png, numbered after existing files.' }),
  },
  outputs: {},
  async execute({ image, filename_prefix }, ctx) {
    return emit(ctx, image, 'save', filename_prefix)
  },
})

export const previewImage = defineHostNode({
  type: 'PreviewImage',
  version: 1,
  displayName: 'Preview Image',
  category: 'image',
  description: 'Shows images in the editor (the CLI writes them to the output folder as previews).',
  isOutput: true,
  inputs: { image: socket('IMAGE') },
  outputs: {},
  async execute({ image }, ctx) {
    return emit(ctx, image, 'preview', 'preview')
  },
})

