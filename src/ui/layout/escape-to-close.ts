// Escape closes the topmost open layer (menu, popover or dialog), and only that one: each layer registers while it
// is open, and one window listener calls the latest. It listens in the capture phase, so the canvas's own keys do
// not also act on the Escape that closed a layer, and wherever the focus is (a dialog's field, the canvas, nothing).
import { getCurrentInstance, onMounted, onUnmounted, watch } from 'vue'

const layers: (() => void)[] = []

function onKeyDown(event: KeyboardEvent): void {
  if (event.key !== 'Escape' || layers.length === 0) return
  event.preventDefault()
  event.stopPropagation()
  layers[layers.length - 1]!()
}

function register(close: () => void): () => void {
  if (layers.length === 0) window.addEventListener('keydown', onKeyDown, true)
  layers.push(close)
  return () => {
    const index = layers.lastIndexOf(close)
    if (index >= 0) layers.splice(index, 1)
    if (layers.length === 0) window.removeEventListener('keydown', onKeyDown, true)
  }
}

/**
 * Escape calls `close` while the calling component is mounted, or, with `isOpen`, while that is also true (a
 * component that shows its popover itself), unless a layer opened since is on top.
 */
export function useEscapeToClose(close: () => void, isOpen?: () => boolean): void {
  if (!getCurrentInstance()) throw new Error('useEscapeToClose must be called from a component setup')
  let unregister: (() => void) | null = null
  const sync = (open: boolean): void => {
    if (open && !unregister) unregister = register(close)
    else if (!open && unregister) {
      unregister()
      unregister = null
    }
  }
  if (isOpen) watch(isOpen, sync)
  onMounted(() => sync(isOpen ? isOpen() : true))
  onUnmounted(() => sync(false))
}
