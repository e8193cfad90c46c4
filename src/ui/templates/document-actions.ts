// New, Clear and opening a template: the commands that replace or empty the open graph. New and a template ask
// before unsaved changes are lost; Clear is one undoable edit (Ctrl+Z brings the nodes back).
import { useGraph } from '../../stores/graph.js'
import { useModels } from '../../stores/models.js'
import { useTemplates, type Template } from '../../stores/templates.js'
import { useToasts } from '../toasts.js'
import { useDiscardConfirm } from './discard-confirm.js'

export const UNTITLED = 'Untitled'
/** An empty graph: no metadata name, so the title becomes "Untitled". */
const EMPTY_GRAPH = JSON.stringify({ format: 'hyper-sd-studio/graph', version: 1, nodes: [] })

export function useDocumentActions() {
  const graph = useGraph()
  const models = useModels()
  const templates = useTemplates()
  const toasts = useToasts()
  const confirm = useDiscardConfirm()

  /** True when the open graph may be replaced: nothing unsaved, or the user saved or discarded it. */
  async function mayReplace(action: string): Promise<boolean> {
    graph.editor?.checkpoint()
    if (!graph.dirty) return true
    const answer = await confirm.ask(graph.name, action)
    if (answer === 'save') graph.save()
    return answer !== 'cancel'
  }

  async function newGraph(): Promise<void> {
    if (!(await mayReplace('start a new graph'))) return
    await graph.loadText(EMPTY_GRAPH, UNTITLED).catch(() => undefined) // the reason is in the error panel
  }

  function clearGraph(): void {
    const editor = graph.requireEditor()
    const lgraph = editor.graph
    if (lgraph._nodes.length === 0 && lgraph._groups.length === 0) return
    // Edits still pending become their own undo step, so one Ctrl+Z undoes exactly the Clear.
    editor.checkpoint()
    for (const node of [...lgraph._nodes]) lgraph.remove(node)
    for (const group of [...lgraph._groups]) lgraph.remove(group)
    editor.canvas.setDirty(true, true)
    editor.checkpoint()
    toasts.show('Cleared the graph: Undo (Ctrl+Z) brings it back')
  }

  /** Opens a shipped graph. A template naming models that are not here opens anyway; its loader says what is missing. */
  async function openTemplate(file: string): Promise<boolean> {
    const template = templates.byFile(file)
    if (!template) return false
    if (template.error) {
      toasts.show(`The template ${file} cannot be opened: ${template.error}`, 'warn')
      return false
    }
    if (!(await mayReplace(`open the template “${template.name}”`))) return false
    try {
      await graph.loadText(template.text, template.name)
    } catch {
      return false // loadText put the reason in the error panel
    }
    templates.open = false
    announceMissing(template)
    return true
  }

  /** Selects the first node whose model is missing (its Node tab offers the downloads), shows it, and says so. */
  function announceMissing(template: Template): void {
    const missing = template.models.filter((m) => models.isMissing(m.name))
    if (missing.length === 0) {
      toasts.show(`Opened the template “${template.name}”`)
      return
    }
    const editor = graph.requireEditor()
    const loader = editor.nodeById(missing[0]!.nodeId)
    if (loader) editor.selectAndShow(loader)
    const names = [...new Set(missing.map((m) => m.name))].join(', ')
    toasts.show(`“${template.name}” needs models that are not here: ${names}. The selected node’s Node tab shows how to get them (Download from Hugging Face, or add the files).`, 'warn')
  }

  /** Opens graph text in place of the open graph (e.g. a sweep cell's), asking first about unsaved changes as New does. */
  async function openGraphText(text: string, name: string, action: string): Promise<boolean> {
    if (!(await mayReplace(action))) return false
    try {
      await graph.loadText(text, name)
    } catch {
      return false // loadText put the reason in the error panel
    }
    return true
  }

  return { newGraph, clearGraph, openTemplate, openGraphText }
}
