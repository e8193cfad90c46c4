// Popups kept inside the window, and the side panel's width limits and stored state.
import { describe, expect, it } from 'vitest'
import { CANVAS_MIN, SIDE_PANEL_DEFAULT, SIDE_PANEL_MAX, SIDE_PANEL_MIN, clampPanelWidth, parseStoredLayout } from '../../src/ui/layout/panel-layout.js'
import { placeAtPointer, placeBeside } from '../../src/ui/layout/viewport-place.js'

const viewport = { width: 800, height: 600 }

describe('placeAtPointer', () => {
  it('opens right of and below the pointer when the popup fits there', () => {
    expect(placeAtPointer(100, 100, { width: 200, height: 150 }, viewport)).toEqual({ left: 100, top: 100, maxHeight: 588 })
  })

  it('opens left of and above the pointer near the right and bottom edges', () => {
    expect(placeAtPointer(780, 590, { width: 200, height: 150 }, viewport)).toEqual({ left: 580, top: 440, maxHeight: 588 })
  })

  it('pushes a popup that fits on neither side against the far edge, and caps one taller than the window', () => {
    const placed = placeAtPointer(300, 300, { width: 200, height: 500 }, viewport)
    expect(placed.top).toBe(600 - 6 - 500)
    const tall = placeAtPointer(300, 300, { width: 200, height: 2000 }, viewport)
    expect(tall).toEqual({ left: 300, top: 6, maxHeight: 588 })
  })
})

describe('placeBeside', () => {
  it('opens a submenu right of its item, or left of it near the right edge', () => {
    expect(placeBeside({ left: 100, top: 50, right: 280 }, { width: 160, height: 100 }, viewport).left).toBe(280)
    expect(placeBeside({ left: 600, top: 50, right: 780 }, { width: 160, height: 100 }, viewport).left).toBe(440)
    expect(placeBeside({ left: 600, top: 550, right: 780 }, { width: 160, height: 100 }, viewport).top).toBe(450)
  })
})

describe('side panel layout', () => {
  it('keeps the width between its limits and leaves the canvas its minimum', () => {
    expect(clampPanelWidth(100, 1440)).toBe(SIDE_PANEL_MIN)
    expect(clampPanelWidth(5000, 1920)).toBe(SIDE_PANEL_MAX)
    expect(clampPanelWidth(700, 800)).toBe(800 - CANVAS_MIN)
    // A window too small for both: the panel keeps its minimum (it can be collapsed instead).
    expect(clampPanelWidth(400, 500)).toBe(SIDE_PANEL_MIN)
  })

  it('reads only well-typed stored fields', () => {
    expect(parseStoredLayout(null)).toEqual({ sidePanelWidth: SIDE_PANEL_DEFAULT, sidePanelCollapsed: false })
    expect(parseStoredLayout('not json')).toEqual({ sidePanelWidth: SIDE_PANEL_DEFAULT, sidePanelCollapsed: false })
    expect(parseStoredLayout('{"sidePanelWidth": 420, "sidePanelCollapsed": true}')).toEqual({ sidePanelWidth: 420, sidePanelCollapsed: true })
    expect(parseStoredLayout('{"sidePanelWidth": "wide", "sidePanelCollapsed": "yes"}')).toEqual({ sidePanelWidth: SIDE_PANEL_DEFAULT, sidePanelCollapsed: false })
    expect(parseStoredLayout('{"__proto__": {"sidePanelWidth": 999}}')).toEqual({ sidePanelWidth: SIDE_PANEL_DEFAULT, sidePanelCollapsed: false })
  })
})
