// The window title follows the open graph: its name (template or file name, "Untitled" after New), a dot while it
// has unsaved changes, then the app's name.
import { watchEffect } from 'vue'
import { useGraph } from '../../stores/graph.js'

export const APP_TITLE = 'Hyper-SD Studio'

export function installDocumentTitle(): () => void {
  const graph = useGraph()
  return watchEffect(() => {
    document.title = `${graph.dirty ? '● ' : ''}${graph.name} · ${APP_TITLE}`
  })
}
