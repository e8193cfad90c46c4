// Short-lived notices (refused links, opened files) shown at the bottom of the window.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface Toast {
  readonly id: number
  readonly message: string
  readonly tone: 'info' | 'warn'
}

export const useToasts = defineStore('toasts', () => {
  const items = ref<Toast[]>([])
  let counter = 0

  function show(message: string, tone: Toast['tone'] = 'info'): void {
    const id = ++counter
    items.value.push({ id, message, tone })
    if (items.value.length > 4) items.value.shift()
    setTimeout(() => (items.value = items.value.filter((t) => t.id !== id)), 4000)
  }

  return { items, show }
})
