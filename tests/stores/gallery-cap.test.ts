// The gallery's cap keeps the newest images by count and by bytes, and drops the oldest first.
import { describe, expect, it } from 'vitest'
import { applyCap, capText } from '../../src/stores/gallery-cap.js'

const images = (sizes: number[]) => sizes.map((bytes, i) => ({ id: `new-${i}`, bytes }))

describe('applyCap', () => {
  it('keeps everything under the cap', () => {
    const all = images([10, 10, 10])
    expect(applyCap(all, { maxCount: 5, maxBytes: 100 })).toEqual({ kept: all, dropped: [] })
  })

  it('drops the oldest beyond the count', () => {
    const { kept, dropped } = applyCap(images([1, 1, 1, 1]), { maxCount: 2, maxBytes: 100 })
    expect(kept.map((i) => i.id)).toEqual(['new-0', 'new-1'])
    expect(dropped.map((i) => i.id)).toEqual(['new-2', 'new-3'])
  })

  it('drops the oldest once the bytes would pass the limit', () => {
    const { kept, dropped } = applyCap(images([40, 40, 40, 5]), { maxCount: 10, maxBytes: 100 })
    expect(kept.map((i) => i.id)).toEqual(['new-0', 'new-1'])
    // Older images are dropped even when a smaller one would still fit: the gallery stays a run of the newest.
    expect(dropped.map((i) => i.id)).toEqual(['new-2', 'new-3'])
  })

  it('keeps the newest image even when it alone is over the byte limit', () => {
    const { kept, dropped } = applyCap(images([500, 1]), { maxCount: 10, maxBytes: 100 })
    expect(kept.map((i) => i.id)).toEqual(['new-0'])
    expect(dropped.map((i) => i.id)).toEqual(['new-1'])
  })

  it('says what it keeps and that the oldest go first', () => {
    expect(capText({ maxCount: 48, maxBytes: 64 * 1024 * 1024 })).toBe('Keeps the newest 48 images (up to 64 MB) across reloads; the oldest are dropped first.')
  })
})
