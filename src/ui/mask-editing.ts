// Which node's mask the mask editor is painting: opened from the inspector or the node menu, shown once by App.vue.
import { shallowRef } from 'vue'

export interface MaskEditing {
  readonly nodeId: string
  /** The node's image input, set to the saved image. */
  readonly input: string
  /** The image painted over. */
  readonly image: string
}

const current = shallowRef<MaskEditing | null>(null)

export function useMaskEditing() {
  return {
    current,
    open: (editing: MaskEditing): void => void (current.value = editing),
    close: (): void => void (current.value = null),
  }
}
