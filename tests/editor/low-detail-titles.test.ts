// Low-detail titles (issue 11 §5): drawn at a fixed on-screen size whatever the zoom, ellipsised to the node's
// on-screen width, with the run state's stripe; none on nodes too narrow on screen to hold a few characters.
// Collapsed nodes get theirs on an opaque strip that may run past a short pill; groups get theirs at the group size.
import { LGraphGroup, LGraphNode } from '@comfyorg/litegraph'
import { describe, expect, it } from 'vitest'
import {
  LOW_DETAIL_COLLAPSED_TITLE_MAX_PX,
  LOW_DETAIL_GROUP_LABEL_HEIGHT,
  LOW_DETAIL_GROUP_TITLE_PX,
  LOW_DETAIL_MIN_NODE_PX,
  LOW_DETAIL_TITLE_PX,
  LowDetailTitles,
} from '../../src/editor/low-detail-titles.js'

/** Characters are 7 CSS px wide; records what is drawn, in the units in force (CSS px after the title's scale). */
function recordingContext(scale: number) {
  const drawn = { texts: [] as { text: string; x: number; width: number }[], rects: [] as { colour: string; y: number; width: number; height: number }[], font: '' }
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
    translate: () => {},
    measureText: (text: string) => ({ width: [...text].length * 7 }),
    fillRect: (_x: number, y: number, width: number, height: number) => drawn.rects.push({ colour: ctx.fillStyle, y, width, height }),
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

  it('draws nothing on a node too narrow on screen to hold a few characters, nor on a collapsed one whose pill is', () => {
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

  it("draws a collapsed node's title on its pill, running on past a short pill up to the collapsed maximum", () => {
    const titles = new LowDetailTitles()
    const { ctx, drawn } = recordingContext(0.3)
    titles.beginFrame()
    const node = collapsedOf('Load Pipeline with a very long name', 200)
    expect(titles.draw(ctx, node, 0.3, { textColour: '#ececec', accent: undefined })).toBe(true)
    // 160 px less padding (8 px) holds 21 characters of 7 px: twenty and the ellipsis.
    const [text] = drawn.texts
    expect(text!.text).toBe('Load Pipeline with a…')
    expect(text!.x + text!.width).toBeLessThanOrEqual(LOW_DETAIL_COLLAPSED_TITLE_MAX_PX)
    // The strip behind it is opaque and wider than the 60 px pill, so the text past the pill stays readable.
    const [strip] = drawn.rects
    expect(strip!.width).toBeGreaterThan(200 * 0.3)
    expect(strip!.width).toBeLessThanOrEqual(LOW_DETAIL_COLLAPSED_TITLE_MAX_PX)
    expect(titles.drawnThisFrame).toBe(1)
    expect(titles.collapsedThisFrame).toBe(1)

    // A short title that fits on the pill keeps the strip to the pill.
    const short = recordingContext(0.3)
    titles.draw(short.ctx, collapsedOf('VAE Decode', 300), 0.3, { textColour: '#ececec', accent: undefined })
    expect(short.drawn.texts.map((t) => t.text)).toEqual(['VAE Decode'])
    expect(short.drawn.rects[0]!.width).toBeCloseTo(300 * 0.3)
    expect(short.drawn.font).toBe(`${LOW_DETAIL_TITLE_PX}px sans-serif`)

    // A node 100 px to the right of the pill's left edge stops the title there, not at the collapsed maximum:
    // 92 px after padding holds 13 characters, twelve and the ellipsis.
    const crowded = recordingContext(0.3)
    titles.draw(crowded.ctx, node, 0.3, { textColour: '#ececec', accent: undefined, roomPx: () => 100 })
    expect(crowded.drawn.texts.map((t) => t.text)).toEqual(['Load Pipelin…'])
    expect(crowded.drawn.rects[0]!.width).toBeLessThanOrEqual(100)
  })

  it("draws a group's title at the group size on a strip of its colour, ending at the bottom of its title bar, cut to its width", () => {
    const titles = new LowDetailTitles()
    const { ctx, drawn } = recordingContext(0.3)
    titles.beginBackground()
    const group = groupOf('Hyper-Shapes 4-step LoRA', 1540)
    expect(titles.drawGroup(ctx, group, 0.3, '#ececec')).toBe(true)
    expect(drawn.texts.map((t) => t.text)).toEqual(['Hyper-Shapes 4-step LoRA'])
    expect(drawn.font).toBe(`${LOW_DETAIL_GROUP_TITLE_PX}px sans-serif`)
    const [strip] = drawn.rects
    expect(strip!.colour).toBe('#3f789e')
    expect(strip!.height).toBe(LOW_DETAIL_GROUP_LABEL_HEIGHT)
    expect(strip!.y + strip!.height).toBeCloseTo(group.titleHeight * 0.3)
    expect(titles.groupsThisBackground).toBe(1)

    // 300 units at 0.3 is 90 px: less padding, 11 characters of 7 px.
    const narrow = recordingContext(0.3)
    titles.drawGroup(narrow.ctx, groupOf('Hyper-Shapes 4-step LoRA', 300), 0.3, '#ececec')
    expect(narrow.drawn.texts.map((t) => t.text)).toEqual(['Hyper-Shap…'])
    expect(narrow.drawn.rects[0]!.width).toBeLessThanOrEqual(90)

    // A group too narrow on screen to hold a few characters gets none.
    const far = recordingContext(0.1)
    titles.beginBackground()
    expect(titles.drawGroup(far.ctx, groupOf('Text', (LOW_DETAIL_MIN_NODE_PX - 1) / 0.1), 0.1, '#ececec')).toBe(false)
    expect(far.drawn.texts).toEqual([])
    expect(far.drawn.rects).toEqual([])
    expect(titles.groupsThisBackground).toBe(0)
  })
})

/** A collapsed node whose pill litegraph measured as `pillWidth` graph units wide. */
function collapsedOf(title: string, pillWidth: number): LGraphNode {
  const node = nodeOf(title, 600)
  node.flags.collapsed = true
  node._collapsed_width = pillWidth
  return node
}

function groupOf(title: string, width: number): LGraphGroup {
  const group = new LGraphGroup(title)
  group.color = '#3f789e'
  group.pos = [20, 20]
  group.size = [width, 660]
  return group
}
