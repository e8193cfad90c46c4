// The browser's "leave site?" prompt when the tab closes or reloads with unsaved edits, and only then.
import { useGraph } from '../../stores/graph.js'

export function installUnsavedPrompt(): () => void {
  const graph = useGraph()
  const onBeforeUnload = (event: BeforeUnloadEvent): void => {
    // No checkpoint here: it would count the node sizes litegraph fits on first draw as an edit. Edits are recorded
    // within a frame anyway.
    if (!graph.dirty) return
    event.preventDefault()
    // Older browsers show the prompt only when returnValue is set.
    event.returnValue = ''
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  return () => window.removeEventListener('beforeunload', onBeforeUnload)
}
