// Low-detail titles (issue 11 §5): drawn at a fixed on-screen size whatever the zoom, ellipsised to the node's
// on-screen width, with the run state's stripe; none on nodes too narrow on screen to hold a few characters.
import { LGraphNode } from '@comfyorg/litegraph'
import { describe, expect, it } from 'vitest'
import { LOW_DETAIL_MIN_NODE_PX, LOW_DETAIL_TITLE_PX, LowDetailTitles } from '../../src/editor/low-detail-titles.js'

/** Characters are 7 CSS px wide; records what is drawn, in the units in force (CSS px after the title's scale). */
function recordingContext(scale: number) {
  const drawn = { texts: [] as { text: string; x: number; width: number }[], rects: [] as { colour: string; width: number }[], font: '' }
  let current = 1
  const stack: number[] = []
  const ctx = {
    fillStyle: '',
    font: '',
    textAlign: '',
    textBaseline: '',
    globalAlpha: 1,
    save: () => stack.push(current),
    restore: () => (current = stack.pop() ?? 1),
    scale: (s: number) => (current *= s),
    measureText: (text: string) => ({ width: [...text].length * 7 }),
    fillRect: (_x: number, _y: number, width: number) => drawn.rects.push({ colour: ctx.fillStyle, width }),
    fillText: (text: string, x: number) => {
      drawn.font = ctx.font
      drawn.texts.push({ text, x, width: [...text].length * 7 })
    },
    getTransform: () => ({ a: scale * current, b: 0, c: 0, d: scale * current }),
  }
  return { ctx: ctx as unknown as CanvasRenderingContext2D, drawn }
}

function nodeOf(title: string, width: number): LGraphNode {
  const node = new LGraphNode(title)
  node.size = [width, 100]
  return node
}

describe('low-detail titles', () => {
  it('draws a title that fits whole, at the fixed CSS size whatever the zoom', () => {
    for (const scale of [0.2, 0.4]) {
      const titles = new LowDetailTitles()
      const { ctx, drawn } = recordingContext(scale)
      titles.beginFrame()
      expect(titles.draw(ctx, nodeOf('VAE Decode', 600), scale, { textColour: '#ececec', accent: undefined })).toBe(true)
      expect(drawn.texts.map((t) => t.text)).toEqual(['VAE Decode'])
      expect(drawn.font).toBe(`${LOW_DETAIL_TITLE_PX}px sans-serif`)
      expect(titles.titlePx).toBeCloseTo(LOW_DETAIL_TITLE_PX)
      expect(titles.drawnThisFrame).toBe(1)
    }
  })

  it('ellipsises a long title to the node on-screen width, and draws the run state stripe before it', () => {
    const titles = new LowDetailTitles()
    const { ctx, drawn } = recordingContext(0.3)
    // 300 graph units at 0.3: 90 CSS px.
    titles.draw(ctx, nodeOf('Load Pipeline with a very long name', 300), 0.3, { textColour: '#ececec', accent: '#4ade80' })
    const [text] = drawn.texts
    // 90 px less the stripe and padding (12 px) holds 11 characters of 7 px: ten and the ellipsis.
    expect(text!.text).toBe('Load Pipel…')
    expect(text!.x + text!.width).toBeLessThanOrEqual(90)
    expect(drawn.rects.map((r) => r.colour)).toContain('#4ade80')
    expect(text!.x).toBeGreaterThan(4)
  })

  it('draws nothing on a node too narrow on screen to hold a few characters, nor on a collapsed one', () => {
    const titles = new LowDetailTitles()
    const { ctx, drawn } = recordingContext(0.1)
    titles.beginFrame()
    expect(titles.draw(ctx, nodeOf('Prompt', (LOW_DETAIL_MIN_NODE_PX - 1) / 0.1), 0.1, { textColour: '#ececec', accent: undefined })).toBe(false)
    const collapsed = nodeOf('Prompt', 2000)
    collapsed.flags.collapsed = true
    expect(titles.draw(ctx, collapsed, 0.1, { textColour: '#ececec', accent: undefined })).toBe(false)
    expect(drawn.texts).toEqual([])
    expect(drawn.rects).toEqual([])
    expect(titles.drawnThisFrame).toBe(0)
  })
})
