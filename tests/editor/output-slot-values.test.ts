// An output node's values drawn on its output rows: right-aligned against each output's label, clear of the input
// label on the same row, a report shown by its first line, shortened to the room there is, coloured by ✓ and ✗.
import { LGraphNode } from '@comfyorg/litegraph'
import { describe, expect, it } from 'vitest'
import { markedColour } from '../../src/editor/canvas-text.js'
import { drawOutputValues, rowText } from '../../src/editor/output-slot-values.js'
import { CANVAS_COLOURS } from '../../src/editor/theme.js'

const CHAR = 7

function recordingContext() {
  const texts: { text: string; x: number; y: number; colour: string; align: string }[] = []
  const ctx = {
    font: '', fillStyle: '', textAlign: 'left', textBaseline: 'alphabetic',
    save() {}, restore() {},
    measureText(text: string) { return { width: text.length * CHAR } },
    fillText(text: string, x: number, y: number) { texts.push({ text, x, y, colour: String(ctx.fillStyle), align: ctx.textAlign }) },
  }
  return { ctx: ctx as unknown as CanvasRenderingContext2D, texts }
}

function sceneScore(width: number): LGraphNode {
  const node = new LGraphNode('Scene Score')
  node.addInput('image', 'IMAGE')
  for (const name of ['score', 'result', 'ms_per_image']) node.addOutput(name, 'FLOAT')
  node.pos = [100, 200]
  node.size = [width, 120]
  return node
}

describe('output values on their rows', () => {
  it('draws each value right-aligned against its output label, on that output row', () => {
    const node = sceneScore(300)
    const { ctx, texts } = recordingContext()
    drawOutputValues(ctx, node, new Map([['score', '1'], ['result', 'size ✓ large\ncolour ✗ red'], ['ms_per_image', '2.73 s']]))
    expect(texts.map((t) => t.text)).toEqual(['1', 'size ✓ large …', '2.73 s'])
    node.outputs.forEach((output, i) => {
      const [slotX, slotY] = node.getOutputPos(i)
      expect(texts[i]!.align).toBe('right')
      expect(texts[i]!.x).toBe(slotX! - node.pos[0] - 10 - output.name.length * CHAR - 8)
      expect(texts[i]!.y).toBe(slotY! - node.pos[1] + 5)
    })
    expect(texts.map((t) => t.colour)).toEqual([CANVAS_COLOURS.outputValue, CANVAS_COLOURS.outputPass, CANVAS_COLOURS.outputValue])
  })

  it('keeps clear of the input label on the same row, shortening the value, and draws nothing without room', () => {
    const { ctx, texts } = recordingContext()
    drawOutputValues(ctx, sceneScore(240), new Map([['score', 'a value much too long for its row'], ['ms_per_image', '2.73 s']]))
    const score = texts.find((t) => t.text.startsWith('a '))!
    expect(score.text.endsWith('…')).toBe(true)
    // Its left edge is right of the input label "image" (10 + 10 + 5 characters + 8).
    expect(score.x - score.text.length * CHAR).toBeGreaterThanOrEqual(10 + 10 + 5 * CHAR + 8)
    const narrow = recordingContext()
    drawOutputValues(narrow.ctx, sceneScore(90), new Map([['score', '0.5']]))
    expect(narrow.texts).toEqual([])
  })

  it('shows a report by its first line and colours by its marks', () => {
    expect(rowText('one line')).toBe('one line')
    expect(rowText('5.498836182779653')).toBe('5.4988')
    expect(rowText('0.5')).toBe('0.5')
    expect(rowText('size ✓ large\ncolour ✓ green')).toBe('size ✓ large …')
    expect(markedColour('shape ✗ circle', CANVAS_COLOURS.outputValue)).toBe(CANVAS_COLOURS.outputFail)
    expect(markedColour('6.21', CANVAS_COLOURS.outputValue)).toBe(CANVAS_COLOURS.outputValue)
  })
})
