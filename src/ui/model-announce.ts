// Notices after models were added (dropped, picked): what each turned out to be, why one failed, and for a LoRA an
// action that puts it to use in the open graph.
import type { ModelEntry } from '../models/catalog/types.js'
import { useGraph } from '../stores/graph.js'
import { kindText } from './model-labels.js'
import { useToasts } from './toasts.js'

export function useModelAnnouncer(): (entries: readonly ModelEntry[]) => void {
  const toasts = useToasts()
  const graph = useGraph()
  return (entries) => {
    for (const entry of entries) {
      if (entry.state === 'failed' || entry.state === 'needs-permission') {
        toasts.show(`Added ${entry.name}, but it cannot be used: ${entry.error ?? entry.state}`, 'warn')
      } else if (entry.kind === 'lora') {
        toasts.show(`Added ${entry.name} (${kindText(entry)})`, 'info', {
          label: 'Add UNet + LoRA node',
          run: () => graph.editor?.addLoraNode(entry.name),
        })
      } else {
        toasts.show(`Added ${entry.name} (${kindText(entry)})`)
      }
    }
  }
}
