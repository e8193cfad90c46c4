// The side panel's width and collapsed state, kept in localStorage. The width the user chose is stored as chosen;
// the width shown is clamped to the window so the canvas keeps a usable area on a small screen.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

const KEY = 'hypersd.layout'
export const SIDE_PANEL_DEFAULT = 340
export const SIDE_PANEL_MIN = 240
export const SIDE_PANEL_MAX = 760
/** The canvas never gets narrower than this because of the panel. */
export const CANVAS_MIN = 320

/** The width shown for a chosen `width` in a window `windowWidth` wide. */
export function clampPanelWidth(width: number, windowWidth: number): number {
  const max = Math.max(SIDE_PANEL_MIN, Math.min(SIDE_PANEL_MAX, windowWidth - CANVAS_MIN))
  return Math.round(Math.min(max, Math.max(SIDE_PANEL_MIN, width)))
}

interface StoredLayout {
  readonly sidePanelWidth: number
  readonly sidePanelCollapsed: boolean
}

/** Reads only the two known fields, each checked; anything else in storage is ignored. */
export function parseStoredLayout(text: string | null): StoredLayout {
  let parsed: unknown = null
  try {
    parsed = JSON.parse(text ?? 'null')
  } catch {
    parsed = null
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
  const width = Object.hasOwn(record, 'sidePanelWidth') ? record['sidePanelWidth'] : undefined
  const collapsed = Object.hasOwn(record, 'sidePanelCollapsed') ? record['sidePanelCollapsed'] : undefined
  return {
    sidePanelWidth: typeof width === 'number' && Number.isFinite(width) ? width : SIDE_PANEL_DEFAULT,
    sidePanelCollapsed: collapsed === true,
  }
}

export const usePanelLayout = defineStore('panel-layout', () => {
  const stored = parseStoredLayout(localStorage.getItem(KEY))
  const chosenWidth = ref(stored.sidePanelWidth)
  const collapsed = ref(stored.sidePanelCollapsed)
  const windowWidth = ref(window.innerWidth)
  const onResize = (): void => {
    windowWidth.value = window.innerWidth
  }
  window.addEventListener('resize', onResize)

  const width = computed(() => clampPanelWidth(chosenWidth.value, windowWidth.value))

  watch([chosenWidth, collapsed], () => {
    localStorage.setItem(KEY, JSON.stringify({ sidePanelWidth: chosenWidth.value, sidePanelCollapsed: collapsed.value }))
  })

  /** Sets the width (clamped to what the window allows now). */
  function resize(next: number): void {
    chosenWidth.value = clampPanelWidth(next, windowWidth.value)
  }

  function toggle(): void {
    collapsed.value = !collapsed.value
  }

  return { width, collapsed, resize, toggle }
})
