// Whether the minimap is shown: a toggle (button, Alt+M) remembered across reloads.
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
