// Short-lived notices (refused links, opened files) shown at the bottom of the window; some offer one action
// ("Add UNet + LoRA node" after a LoRA was dropped).
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface ToastAction {
  readonly label: string
  run(): void
}

export interface Toast {
  readonly id: number
  readonly message: string
  readonly tone: 'info' | 'warn'
  readonly action?: ToastAction
}

const PLAIN_MS = 4000
/** Long enough to read the message and reach the button. */
const WITH_ACTION_MS = 12000

export const useToasts = defineStore('toasts', () => {
  const items = ref<Toast[]>([])
  let counter = 0

  function dismiss(id: number): void {
    items.value = items.value.filter((t) => t.id !== id)
  }

  function show(message: string, tone: Toast['tone'] = 'info', action?: ToastAction): void {
    const id = ++counter
    items.value.push(action ? { id, message, tone, action } : { id, message, tone })
    if (items.value.length > 4) items.value.shift()
    setTimeout(() => dismiss(id), action ? WITH_ACTION_MS : PLAIN_MS)
  }

  /** Runs a toast's action once and closes the toast. */
  function act(toast: Toast): void {
    dismiss(toast.id)
    toast.action?.run()
  }

  return { items, show, dismiss, act }
})
