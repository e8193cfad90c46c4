// The committed template thumbnails (graphs/thumbnails/) are up to date: one per shipped graph, of the right kind
// (a render when its models are bundled, a placeholder otherwise), each stamped with the hash of its graph file and
// model files; and a cheap one redrawn here matches the committed pixels. Fix: npm run templates:thumbnails.
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodePng } from '../../src/graph/png.js'
import { placeholderPixels, renderPixels, thumbnailPng } from '../../scripts/templates/thumbnail-render.js'
import { planThumbnail, readStamp, shippedGraphFiles, strayThumbnails } from '../../scripts/templates/thumbnail-stamp.js'

const FIX = 'stale template thumbnail: run npm run templates:thumbnails and commit graphs/thumbnails/'
const plans = shippedGraphFiles().map(planThumbnail)
const planFor = (file: string) => plans.find((p) => p.file === file)!

describe('template thumbnails', () => {
  it('every shipped graph has its thumbnail and no thumbnail is left over', () => {
    expect(plans.length).toBeGreaterThan(20)
    expect(plans.filter((p) => !existsSync(p.path)).map((p) => basename(p.path)), FIX).toEqual([])
    expect(strayThumbnails(plans), FIX).toEqual([])
  })

  it('renders the graphs whose models are bundled, and only the Hub-named ones get a placeholder', () => {
    expect(planFor('shapes-4step.json').kind).toBe('render')
    expect(planFor('tiny-sd15-4step.json').kind).toBe('render')
    expect(planFor('hyper-sd15-4step.json')).toMatchObject({ kind: 'placeholder', missing: expect.arrayContaining(['onnx-community/stable-diffusion-v1-5-ONNX']) })
    expect(plans.filter((p) => p.kind === 'placeholder').map((p) => p.file).every((f) => f.startsWith('hyper-sd'))).toBe(true)
  })

  it.each(plans.map((p) => [p.file, p] as const))('%s: the committed thumbnail carries the current stamp', (file, plan) => {
    const stamp = readStamp(readFileSync(plan.path))
    expect(stamp, FIX).toEqual({ file, kind: plan.kind, stamp: plan.stamp })
  })

  it('a render is the graph at thumbnail size: shapes-1step redrawn matches the committed pixels', async () => {
    const plan = planFor('shapes-1step.json')
    const committed = decodePng(readFileSync(plan.path))
    const fresh = await renderPixels(plan)
    expect([fresh.width, fresh.height]).toEqual([committed.width, committed.height])
    expect([fresh.width, fresh.height]).toEqual([64, 64])
    // onnxruntime's CPU kernels may round differently on another CPU: allow a few levels, never another picture.
    let total = 0
    let worst = 0
    for (let i = 0; i < fresh.data.length; i++) {
      const d = Math.abs(fresh.data[i]! - committed.data[i]!)
      total += d
      worst = Math.max(worst, d)
    }
    expect(total / fresh.data.length, FIX).toBeLessThan(1)
    expect(worst, FIX).toBeLessThanOrEqual(16)
  })

  it('a placeholder is drawn, not rendered: redrawing it gives the committed bytes', () => {
    const plan = planFor('hyper-sdxl-4step.json')
    expect(Buffer.from(thumbnailPng(plan, placeholderPixels(plan))).equals(readFileSync(plan.path)), FIX).toBe(true)
  })
})
