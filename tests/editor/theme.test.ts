// The canvas palette and text sizes: legible text at the zoom Fit chooses, and enough contrast on each background.
import { describe, expect, it } from 'vitest'
import { contrastRatio } from '../../src/editor/contrast.js'
import { CANVAS_COLOURS, CANVAS_FONT, MIN_CANVAS_TEXT_PX, readableMinScale } from '../../src/editor/theme.js'

describe('canvas theme', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000', '#fff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#777777', '#777')).toBeCloseTo(1, 5)
    // litegraph's own grey label on its widget background, the "grey on dark grey" this theme replaces.
    expect(contrastRatio('#999', '#222')).toBeLessThan(6)
  })

  it('keeps every text colour at 7:1 or more on the background it is drawn on', () => {
    const c = CANVAS_COLOURS
    const pairs: [string, string, string][] = [
      ['title on title bar', c.title, c.titleBar],
      ['slot label on node body', c.text, c.nodeBody],
      ['widget value', c.widgetText, c.widgetBackground],
      ['widget name', c.widgetLabel, c.widgetBackground],
      ['output value on node body', c.outputValue, c.nodeBody],
      ['passing output value on node body', c.outputPass, c.nodeBody],
      ['failing output value on node body', c.outputFail, c.nodeBody],
    ]
    for (const [what, fg, bg] of pairs) expect(contrastRatio(fg, bg), what).toBeGreaterThanOrEqual(7)
  })

  it('draws node text at MIN_CANVAS_TEXT_PX or more at the smallest readable zoom', () => {
    // Pinned figures, not the formula again: 10 px text from 14 px widget text is a zoom of 10/14.
    expect(MIN_CANVAS_TEXT_PX).toBe(10)
    expect(CANVAS_FONT.body).toBe(14)
    expect(readableMinScale()).toBeCloseTo(10 / 14, 5)
    expect(CANVAS_FONT.title).toBeGreaterThanOrEqual(CANVAS_FONT.body)
  })
})
