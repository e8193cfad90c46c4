// The run-state overlay's text (state labels, an output node's values, "Missing: model" lines) is node text: drawn at
// the widget text's size, so that the zoom Fit chooses keeps it at MIN_CANVAS_TEXT_PX or more like the rest; the
// missing-model lines sit on a backing, since they stand above the node over whatever is there.
import { LGraphNode } from '@comfyorg/litegraph'
import { describe, expect, it } from 'vitest'
import { shortenMiddle } from '../../src/editor/canvas-text.js'
import { drawFlaggedFrame, drawNodeOverlay } from '../../src/editor/node-overlay.js'
import { CANVAS_FONT, MIN_CANVAS_TEXT_PX, readableMinScale } from '../../src/editor/theme.js'

interface Drawn { readonly text: string; readonly px: number; readonly y: number }

/** Records each text drawn with its font's pixel size, and each filled rectangle. */
function recordingContext() {
  const texts: Drawn[] = []
  const rects: { x: number; y: number; width: number; height: number; fill: string }[] = []
  const ctx = {
    font: '10px sans-serif', fillStyle: '', strokeStyle: '', lineWidth: 1, textAlign: 'left', textBaseline: 'alphabetic', imageSmoothingEnabled: true,
    save() {}, restore() {}, beginPath() {}, rect() {}, clip() {}, stroke() {}, strokeRect() {}, setLineDash() {}, drawImage() {},
    measureText(text: string) { return { width: text.length * 7 } },
    fillRect(x: number, y: number, width: number, height: number) { rects.push({ x, y, width, height, fill: String(ctx.fillStyle) }) },
    fillText(text: string, _x: number, y: number) {
      const px = /(\d+(?:\.\d+)?)px/.exec(ctx.font)
      texts.push({ text, px: px ? Number(px[1]) : NaN, y })
    },
  }
  return { ctx: ctx as unknown as CanvasRenderingContext2D, texts, rects }
}

function node(): LGraphNode {
  const n = new LGraphNode('Load Pipeline')
  n.size = [240, 120]
  return n
}

describe('node overlay text', () => {
  it('draws every text at the widget text size, readable at the smallest zoom Fit chooses', () => {
    const { ctx, texts } = recordingContext()
    drawNodeOverlay(ctx, node(), { state: 'error', lines: ['score 6.2', '✓ colour', '✗ shape'], missing: ['tiny-sd15', 'hyper-4step.safetensors'] })
    expect(texts.map((t) => t.text)).toEqual(['score 6.2', '✓ colour', '✗ shape', 'Missing: tiny-sd15', 'Missing: hyper-4step.safetensors', 'error'])
    for (const text of texts) {
      expect(text.px, text.text).toBe(CANVAS_FONT.body)
      expect(text.px * readableMinScale(), text.text).toBeGreaterThanOrEqual(MIN_CANVAS_TEXT_PX)
    }
  })

  it('draws output values beside the slot labels, and none when litegraph leaves the labels out (low quality)', () => {
    const scorer = node()
    scorer.addOutput('score', 'FLOAT')
    const values = new Map([['score', '0.75']])
    const full = recordingContext()
    drawNodeOverlay(full.ctx, scorer, { outputValues: values })
    expect(full.texts.map((t) => t.text)).toEqual(['0.75'])
    const low = recordingContext()
    drawNodeOverlay(low.ctx, scorer, { outputValues: values }, { lowQuality: true })
    expect(low.texts).toEqual([])
  })

  it('stacks the flagged lines above the title bar, one line height apart, each on a backing as wide as its text', () => {
    const { ctx, texts, rects } = recordingContext()
    drawFlaggedFrame(ctx, node(), { colour: '#f87171', margin: 5, labels: ['Missing: a', 'Missing: bb'] })
    const [first, second] = texts
    expect(second!.y - first!.y).toBe(CANVAS_FONT.body + 4)
    expect(second!.y).toBeLessThan(0)
    expect(rects).toHaveLength(2)
    expect(rects.map((r) => r.width)).toEqual(['Missing: a'.length * 7 + 4, 'Missing: bb'.length * 7 + 4])
    // Each backing covers its line: from a line height above the baseline to the baseline.
    rects.forEach((r, i) => {
      expect(r.y).toBeLessThan(texts[i]!.y)
      expect(r.y + r.height).toBeGreaterThanOrEqual(texts[i]!.y)
    })
  })
})

describe('shortenMiddle', () => {
  const { ctx } = recordingContext()
  it('keeps a text that fits, and cuts the middle of one that does not, keeping its start and its end', () => {
    expect(shortenMiddle(ctx, 'Missing: tiny-sd15', 240)).toBe('Missing: tiny-sd15')
    const label = 'Missing: ByteDance/Hyper-SD/Hyper-SDXL-4steps-lora.safetensors'
    const short = shortenMiddle(ctx, label, 240)
    expect(short.length * 7).toBeLessThanOrEqual(240)
    expect(short.length * 7).toBeGreaterThan(240 - 14)
    expect(short).toContain('…')
    expect(label.startsWith(short.slice(0, short.indexOf('…')))).toBe(true)
    expect(short.endsWith('lora.safetensors')).toBe(true)
  })

  it('draws a long missing-model line shortened, not squeezed', () => {
    const { ctx: recorder, texts } = recordingContext()
    drawFlaggedFrame(recorder, node(), { colour: '#f87171', margin: 5, labels: ['Missing: ByteDance/Hyper-SD/Hyper-SDXL-4steps-lora.safetensors'] })
    expect(texts[0]!.text).toMatch(/^Missing: .*….*4steps-lora\.safetensors$/)
    expect(texts[0]!.text.length * 7).toBeLessThanOrEqual(240)
  })
})
