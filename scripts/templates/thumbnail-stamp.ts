// Which thumbnail a shipped graph gets and the stamp that says it is up to date. A graph whose models are all
// bundled in public/models gets a render (the image it produces on onnxruntime-node at a small size); one naming a
// model that is not bundled (a Hugging Face repo) gets a drawn placeholder. The stamp, kept in the PNG's text,
// hashes the graph file, the render size and every byte of the model files the graph names, so a changed graph or
// a retrained model makes the committed thumbnail stale (tests/templates/thumbnails.test.ts).
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { NodeRegistry } from '../../src/engine/index.js'
import { parseGraphFile } from '../../src/graph/parse.js'
import type { GraphFile } from '../../src/graph/schema.js'
import { readPngTextChunks } from '../../src/graph/png.js'
import { describeTemplate, type TemplateInfo } from '../../src/ui/templates/template-info.js'
import { nodeDefinitions } from '../../nodes/index.js'

export const ROOT = join(import.meta.dirname, '..', '..')
export const GRAPHS_DIR = join(ROOT, 'graphs')
export const THUMBNAILS_DIR = join(GRAPHS_DIR, 'thumbnails')
export const MODELS_ROOT = join(ROOT, 'public', 'models')
/** Renders are at most this many pixels on their longer side (the browser shows them at about 120 px). */
export const THUMBNAIL_MAX_SIDE = 128
export const PLACEHOLDER_SIZE = 128

/** PNG text keywords of a thumbnail. */
export const STAMP_KEYS = { file: 'hypersd-template', kind: 'hypersd-template-kind', stamp: 'hypersd-template-stamp' } as const

export type ThumbnailKind = 'render' | 'placeholder'

export interface ThumbnailPlan {
  readonly file: string
  readonly graph: GraphFile
  readonly info: TemplateInfo
  readonly kind: ThumbnailKind
  /** Model names that are not in public/models (why the graph gets a placeholder). */
  readonly missing: readonly string[]
  /** Render size (width, height), multiples of 8, the graph's own aspect. */
  readonly size: readonly [number, number]
  readonly stamp: string
  /** Path of the committed thumbnail: NAME.png for a render, NAME.placeholder.png for a placeholder. */
  readonly path: string
}

export const registry = new NodeRegistry(nodeDefinitions)

export function shippedGraphFiles(): string[] {
  return readdirSync(GRAPHS_DIR).filter((f) => f.endsWith('.json')).sort()
}

export function thumbnailName(file: string, kind: ThumbnailKind): string {
  return `${file.replace(/\.json$/, '')}${kind === 'placeholder' ? '.placeholder' : ''}.png`
}

/** The graph's size scaled down so its longer side is at most THUMBNAIL_MAX_SIDE, in multiples of 8. */
export function renderSize(width = 512, height = 512): [number, number] {
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height))
  const fit = (side: number) => Math.max(8, Math.round((side * scale) / 8) * 8)
  return [fit(width), fit(height)]
}

const fileHashes = new Map<string, string>()

function sha256OfFile(path: string): string {
  let hash = fileHashes.get(path)
  if (hash === undefined) {
    hash = createHash('sha256').update(readFileSync(path)).digest('hex')
    fileHashes.set(path, hash)
  }
  return hash
}

/** Every file under a model path (a folder's files in sorted order), relative to the models root. */
function modelFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .sort()
    .flatMap((name) => modelFiles(join(path, name)))
}

export function planThumbnail(file: string): ThumbnailPlan {
  const text = readFileSync(join(GRAPHS_DIR, file), 'utf8')
  const graph = parseGraphFile(text, file)
  const info = describeTemplate(file, graph, (type) => registry.get(type))
  const names = [...new Set(info.models.map((m) => m.name))].sort()
  const missing = names.filter((name) => !existsSync(join(MODELS_ROOT, name)))
  const kind: ThumbnailKind = missing.length > 0 ? 'placeholder' : 'render'
  const size: [number, number] = kind === 'render' ? renderSize(info.settings.width, info.settings.height) : [PLACEHOLDER_SIZE, PLACEHOLDER_SIZE]
  const hash = createHash('sha256').update(`hypersd-template-thumbnail/1 ${kind} ${size[0]}x${size[1]}\n`).update(text)
  if (kind === 'render') {
    for (const name of names) {
      for (const path of modelFiles(join(MODELS_ROOT, name))) hash.update(`\n${name}\t${relative(MODELS_ROOT, path)}\t${sha256OfFile(path)}`)
    }
  } else hash.update(`\nmissing\t${missing.join('\t')}`)
  return { file, graph, info, kind, missing, size, stamp: hash.digest('hex'), path: join(THUMBNAILS_DIR, thumbnailName(file, kind)) }
}

/** The stamp a committed thumbnail carries, or why it has none. */
export function readStamp(png: Uint8Array): { file?: string; kind?: string; stamp?: string } {
  const text = readPngTextChunks(png)
  const out: { file?: string; kind?: string; stamp?: string } = {}
  const file = text.get(STAMP_KEYS.file)
  const kind = text.get(STAMP_KEYS.kind)
  const stamp = text.get(STAMP_KEYS.stamp)
  if (file !== undefined) out.file = file
  if (kind !== undefined) out.kind = kind
  if (stamp !== undefined) out.stamp = stamp
  return out
}

export function stampText(plan: ThumbnailPlan): Record<string, string> {
  return { [STAMP_KEYS.file]: plan.file, [STAMP_KEYS.kind]: plan.kind, [STAMP_KEYS.stamp]: plan.stamp }
}

/** Thumbnails in the folder that no shipped graph's plan names (left behind by a renamed graph). */
export function strayThumbnails(plans: readonly ThumbnailPlan[]): string[] {
  const expected = new Set(plans.map((p) => basename(p.path)))
  return readdirSync(THUMBNAILS_DIR).filter((f) => f.endsWith('.png') && !expected.has(f))
}
