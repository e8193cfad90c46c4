// The mask editor's painting: strokes without gaps, erase, invert, and the saved image's transparency.
import { describe, expect, it } from 'vitest'
import { invertMaskValues, MaskHistory, maskedImageName, maskFromAlpha, paintStroke, withMaskAsAlpha } from '../../src/imaging/mask-brush.js'

describe('mask brush', () => {
  it('paints a stroke without gaps and erases it again', () => {
    const mask = new Uint8Array(32 * 8)
    paintStroke(mask, 32, 8, { x: 2, y: 4 }, { x: 30, y: 4 }, 2, false)
    // Every pixel of row 4 from x = 1 to 30 is set; rows 0 and 7 are not.
    for (let x = 1; x <= 30; x++) expect(mask[4 * 32 + x]).toBe(255)
    expect(mask.slice(0, 32).every((v) => v === 0)).toBe(true)
    expect(mask.slice(7 * 32).every((v) => v === 0)).toBe(true)
    paintStroke(mask, 32, 8, { x: 0, y: 4 }, { x: 32, y: 4 }, 3, true)
    expect(mask.every((v) => v === 0)).toBe(true)
  })

  it('keeps strokes inside the image', () => {
    const mask = new Uint8Array(4 * 4)
    paintStroke(mask, 4, 4, { x: -10, y: -10 }, { x: 20, y: 20 }, 1, false)
    expect(mask[0]).toBe(255)
    expect(mask[15]).toBe(255)
    expect(mask[3]).toBe(0)
  })

  it('reads the mask from transparency and saves it there, keeping the colour under it', () => {
    const rgba = new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 0])
    const mask = maskFromAlpha(rgba)
    expect(Array.from(mask)).toEqual([0, 255])
    invertMaskValues(mask)
    expect(Array.from(withMaskAsAlpha(rgba, mask))).toEqual([10, 20, 30, 0, 40, 50, 60, 255])
  })

  it('names the edited image after the original', () => {
    expect(maskedImageName('photo.jpg')).toBe('photo-mask.png')
    expect(maskedImageName('photo-mask.png')).toBe('photo-mask.png')
    expect(maskedImageName('photo-mask (2).png')).toBe('photo-mask.png')
    expect(maskedImageName('sub/dir/cat.webp')).toBe('cat-mask.png')
  })

  it('undoes and redoes changes, forgets the redo on a new change, and keeps at most its limit', () => {
    const mask = new Uint8Array(2)
    const history = new MaskHistory(2)
    expect(history.undo(mask)).toBe(false)
    for (const value of [1, 2, 3]) {
      history.record(mask)
      mask[0] = value
    }
    expect(history.undo(mask)).toBe(true)
    expect(mask[0]).toBe(2)
    expect(history.redo(mask)).toBe(true)
    expect(mask[0]).toBe(3)
    expect(history.undo(mask) && history.undo(mask)).toBe(true)
    expect(mask[0]).toBe(1)
    // The first snapshot (0) was dropped past the limit of 2.
    expect(history.undo(mask)).toBe(false)
    history.record(mask)
    mask[0] = 9
    expect(history.canRedo).toBe(false)
  })
})
