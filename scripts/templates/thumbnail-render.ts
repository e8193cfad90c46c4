// Draws a shipped graph's thumbnail: a render runs the graph in-process exactly as `hypersd run` does
// (onnxruntime-node, the CLI's host, models from public/models) with its latent scaled down to the thumbnail size;
// a placeholder is drawn (no model ran) and says that the model must be downloaded.
import { join } from 'node:path'
import { Engine } from '../../src/engine/index.js'
import { loadGraph } from '../../src/cli/graph-loading.js'
import { createCliHost } from '../../src/cli/host.js'
import { createModelResolver } from '../../src/cli/model-resolver.js'
import { decodePng, encodePng } from '../../src/graph/png.js'
import type { ImageOutput } from '../../nodes/services.js'
import { Raster, textWidth, type Colour } from '../eval/raster.js'
import { GRAPHS_DIR, MODELS_ROOT, registry, stampText, type ThumbnailPlan } from './thumbnail-stamp.js'

export interface Pixels {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray
}

/** `--set` overrides that make the graph's latent the plan's size, one image. */
function sizeOverrides(plan: ThumbnailPlan): string[] {
  const latent = plan.graph.nodes.find((n) => {
    const inputs = registry.get(n.type)?.inputs ?? {}
    return 'width' in inputs && 'height' in inputs
  })
  if (!latent) return []
  const batch = 'batch' in (registry.get(latent.type)?.inputs ?? {}) ? [`${latent.id}.batch=1`] : []
  return [`${latent.id}.width=${plan.size[0]}`, `${latent.id}.height=${plan.size[1]}`, ...batch]
}

/** Runs the graph at the plan's size and returns the first image it saves (or previews). */
export async function renderPixels(plan: ThumbnailPlan): Promise<Pixels> {
  const images: ImageOutput[] = []
  const host = createCliHost({
    resolver: createModelResolver(MODELS_ROOT, new Map()),
    onImages: (output) => {
      images.push(output)
      return output.pngs.map((_, i) => ({ name: `thumbnail-${i}` }))
    },
  })
  try {
    const graph = await loadGraph(join(GRAPHS_DIR, plan.file), registry, sizeOverrides(plan))
    await new Engine({ registry, services: host.services }).run(graph.exec)
  } finally {
    await host.dispose()
  }
  const image = images.find((i) => i.kind === 'save') ?? images[0]
  const png = image?.pngs[0]
  if (!png) throw new Error(`${plan.file} produced no image`)
  const { width, height, data } = decodePng(png)
  return { width, height, data }
}

const BACKGROUND: Colour = [31, 41, 55]
const BORDER: Colour = [248, 113, 113]
const INK: Colour = [229, 231, 235]
const DIM: Colour = [156, 163, 175]

/** A dark tile with a dashed border, a download arrow and "MODEL MUST BE DOWNLOADED" in the 3x5 pixel font. */
export function placeholderPixels(plan: ThumbnailPlan): Pixels {
  const [w, h] = plan.size
  const r = new Raster(w, h, BACKGROUND)
  for (let i = 0; i < w; i += 8) {
    r.fillRect(i, 0, 4, 2, BORDER)
    r.fillRect(i, h - 2, 4, 2, BORDER)
  }
  for (let i = 0; i < h; i += 8) {
    r.fillRect(0, i, 2, 4, BORDER)
    r.fillRect(w - 2, i, 2, 4, BORDER)
  }
  // Download arrow over a tray.
  const cx = Math.round(w / 2)
  r.fillRect(cx - 3, 14, 6, 18, INK)
  for (let k = 0; k < 10; k++) r.fillRect(cx - 10 + k, 30 + k, 20 - 2 * k, 1, INK)
  r.fillRect(cx - 18, 44, 36, 3, DIM)
  const centred = (y: number, text: string, colour: Colour) => r.text(Math.round((w - textWidth(text, 2)) / 2), y, text, colour, 2)
  centred(58, 'MODEL MUST BE', INK)
  centred(72, 'DOWNLOADED', INK)
  centred(90, 'NO PREVIEW', DIM)
  const steps = plan.info.settings.steps
  if (steps !== undefined) centred(108, `${steps} STEP${steps === 1 ? '' : 'S'}`, DIM)
  return { width: w, height: h, data: r.data }
}

export function thumbnailPng(plan: ThumbnailPlan, pixels: Pixels): Uint8Array {
  return encodePng(pixels.data, pixels.width, pixels.height, stampText(plan))
}

export async function drawThumbnail(plan: ThumbnailPlan): Promise<Uint8Array> {
  return thumbnailPng(plan, plan.kind === 'render' ? await renderPixels(plan) : placeholderPixels(plan))
}
