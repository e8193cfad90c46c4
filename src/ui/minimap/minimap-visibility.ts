// Whether the minimap is shown: a toggle (button, Alt+M) remembered across reloads; and the corner of the canvas it
// covers then, which Fit keeps the graph clear of.
import { ref, watch } from 'vue'

const KEY = 'hypersd.minimap'

function stored(): boolean {
  try {
    return globalThis.localStorage?.getItem(KEY) !== 'hidden'
  } catch {
    return true // storage blocked: shown, as by default
  }
}

export const minimapVisible = ref(stored())

watch(minimapVisible, (visible) => {
  try {
    globalThis.localStorage?.setItem(KEY, visible ? 'shown' : 'hidden')
  } catch {
    // not remembered; the toggle still works for this page
  }
})

export function toggleMinimap(): void {
  minimapVisible.value = !minimapVisible.value
}

/** The minimap's drawing size, and how far its box sits from the canvas's bottom-right corner (CSS pixels). */
export const MINIMAP_WIDTH = 180
export const MINIMAP_HEIGHT = 120
const INSET = 10
const BORDER = 1

/** The canvas corner the minimap covers, measured from the bottom-right; null while it is hidden. */
export function minimapFootprint(): { width: number; height: number } | null {
  return minimapVisible.value ? { width: MINIMAP_WIDTH + 2 * BORDER + INSET, height: MINIMAP_HEIGHT + 2 * BORDER + INSET } : null
}
