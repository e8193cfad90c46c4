// The open graph document: its name, unsaved-changes state, autosave/restore, open and save.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { GraphEditor, LoadReport } from '../editor/editor.js'
import { readBackProblem } from '../editor/save-check.js'
import { NodeRegistry } from '../engine/registry.js'
import { openGraphFile, decodeGraphText } from '../editor/open-file.js'
import { decodeGraphTextOffThread } from '../editor/parse-off-thread.js'
import { timed } from '../editor/load-timing.js'
import { serializeGraphFile } from '../graph/parse.js'
import type { GraphFile } from '../graph/schema.js'
import { useDrafts } from './drafts.js'
import { downloadFile, fileStem } from '../ui/download-file.js'
import { defaultGraphText } from './default-graph.js'

export type UserEditListener = (widget?: { nodeId: string; input: string }) => void

/** A failed autosave is tried again after this long (and on the next edit), so it resumes once space is freed. */
const AUTOSAVE_RETRY_MS = 3000

export const useGraph = defineStore('graph', () => {
  const editor = shallowRef<GraphEditor | null>(null)
  const name = ref('untitled')
  const savedSnapshot = ref<string | null>(null)
  const currentSnapshot = ref('')
  const loadError = ref<string | null>(null)
  const warnings = ref<readonly string[]>([])
  /** What loading the open graph repaired or found; shown until dismissed (null when there is nothing to say). */
  const loadReport = ref<LoadReport | null>(null)
  /** Why the last save was refused (the file would not have read back). */
  const saveError = ref<string | null>(null)
  const restoredFromAutosave = ref(false)
  /** Bumped on every change, so views of node values (the inspector) refresh. */
  const revision = ref(0)
  /** Counts graphs opened (new, template, file, autosave): results shown for one graph are not shown for the next. */
  const opened = ref(0)
  const selectedNodeIds = ref<string[]>([])
  const dirty = computed(() => savedSnapshot.value !== currentSnapshot.value)
  const editListeners: UserEditListener[] = []
  let autosaveTimer: ReturnType<typeof setTimeout> | undefined
  /** Counts graphs shown, so a slow autosave restore never replaces a graph opened while it was read. */
  let shownCount = 0

  function requireEditor(): GraphEditor {
    if (!editor.value) throw new Error('The editor is not mounted yet')
    return editor.value
  }

  async function attach(instance: GraphEditor): Promise<void> {
    editor.value = instance
    const shownBefore = shownCount
    const drafts = useDrafts()
    const saved = await drafts.draftToRestore().catch(() => undefined)
    if (shownCount !== shownBefore) return
    if (saved) {
      try {
        if (!saved.record) throw new Error('the stored draft is not a graph draft')
        const { graph } = await decodeGraphTextOffThread(saved.record.graph, 'autosave')
        if (shownCount !== shownBefore) return
        show(graph, saved.record.name, true)
        savedSnapshot.value = saved.record.savedGraph
        restoredFromAutosave.value = true
        return
      } catch (error) {
        // Kept as it is (a newer build may read it); this tab autosaves to a new draft and says why (DraftNotices).
        drafts.keepUnreadable(saved, messageOf(error))
      }
    }
    loadDefault()
  }

  function loadDefault(): void {
    const text = defaultGraphText()
    if (text === undefined) {
      loadError.value = 'The default graph (graphs/tiny-sd15-4step.json) is missing from this build.'
      return
    }
    try {
      show(decodeGraphText(text, 'default graph').graph, 'tiny-sd15-4step')
    } catch (error) {
      loadError.value = `The default graph could not be shown: ${messageOf(error)}`
      return
    }
    savedSnapshot.value = currentSnapshot.value
  }

  /** Shows a validated graph; throws (leaving the open graph as it was) when it cannot be shown. */
  function show(graph: GraphFile, graphName: string, keepViewport = false): void {
    const report = requireEditor().load(graph, { keepViewport })
    loadReport.value = report.repairs.length > 0 || report.warnings.length > 0 ? report : null
    shownCount++
    opened.value++
    name.value = graph.metadata?.name ?? graphName
    savedSnapshot.value = currentSnapshot.value
    loadError.value = null
  }

  function onEditorChanged(reason: 'edit' | 'program' | 'load' | 'undo', widget?: { nodeId: string; input: string }): void {
    const wasClean = !dirty.value
    // A load has just recorded the snapshot for undo: converting a big graph again costs as much (issue 14 §2).
    currentSnapshot.value = reason === 'load' ? requireEditor().recordedSnapshot() : requireEditor().snapshot()
    // The seed changed by its control after a run is no edit of the user's: a clean graph stays clean.
    if (reason === 'program' && wasClean) savedSnapshot.value = currentSnapshot.value
    revision.value++
    scheduleAutosave()
    if (reason === 'edit' || reason === 'undo') for (const listener of editListeners) listener(widget)
  }

  function onUserEdit(listener: UserEditListener): void {
    editListeners.push(listener)
  }

  function scheduleAutosave(): void {
    clearTimeout(autosaveTimer)
    autosaveTimer = setTimeout(() => void autosaveNow(), 400)
  }

  async function autosaveNow(): Promise<void> {
    clearTimeout(autosaveTimer)
    autosaveTimer = undefined
    if (!editor.value) return
    const graph = serializeGraphFile(editor.value.toFile(name.value))
    const saved = await useDrafts().save({ graph, name: name.value, savedGraph: savedSnapshot.value, at: Date.now() })
    // A newer edit has already scheduled its own save.
    if (!saved && autosaveTimer === undefined) autosaveTimer = setTimeout(() => void autosaveNow(), AUTOSAVE_RETRY_MS)
  }

  /** Sets the unsaved-changes mark's reference (an opened draft keeps its own), null meaning "never saved". */
  function restoreSavedMark(snapshot: string | null): void {
    savedSnapshot.value = snapshot
  }

  /** The editor's node declarations, so a ComfyUI import is checked against them (its report says what blocks a run). */
  function editorRegistry(): NodeRegistry | undefined {
    return editor.value ? new NodeRegistry(editor.value.definitions.values()) : undefined
  }

  /**
   * Opens a file (picked, dropped or pasted) in place of the open graph; null when it was refused (the reason in the
   * error panel, the open graph untouched). A graph with unsaved edits is not asked about but kept: its draft stays
   * under Drafts, and `setAside` names it.
   */
  async function openFile(file: File): Promise<{ setAside: string | null } | null> {
    let opened
    try {
      opened = await openGraphFile(file, editorRegistry())
    } catch (error) {
      loadError.value = `Could not open ${file.name}: ${messageOf(error)}`
      return null
    }
    const setAside = dirty.value ? name.value : null
    if (setAside !== null) {
      await autosaveNow()
      await useDrafts().setAside()
    }
    try {
      show(opened.graph, opened.name)
    } catch (error) {
      // Refused before the canvas was touched, or rolled back (see editor.ts): the open graph is as it was.
      loadError.value = `Could not open ${file.name}: ${messageOf(error)}`
      return null
    }
    warnings.value = opened.warnings
    await autosaveNow()
    return { setAside }
  }

  /**
   * Loads graph JSON text (templates, the window.__hypersd hook), parsed and validated in a worker; rejects with the
   * reason when it is refused, leaving the open graph as it was.
   */
  async function loadText(text: string, source = 'graph'): Promise<void> {
    try {
      const { graph } = await decodeGraphTextOffThread(text, source, editorRegistry())
      timed('show', () => show(graph, source))
      void autosaveNow()
    } catch (error) {
      loadError.value = `Could not open ${source}: ${messageOf(error)}`
      throw error
    }
  }

  function fileText(): string {
    return serializeGraphFile(requireEditor().toFile(name.value))
  }

  function save(): void {
    // Edits not yet recorded (text still being typed) are recorded first, so the saved mark matches the file.
    requireEditor().checkpoint()
    const text = fileText()
    const problem = readBackProblem(text, requireEditor().definitions)
    if (problem !== null) {
      saveError.value = `Not saved: the file would not open again (${problem}). The graph is still open.`
      return
    }
    saveError.value = null
    downloadFile(text, 'application/json', `${fileStem(name.value, 'graph')}.json`)
    savedSnapshot.value = currentSnapshot.value
    void autosaveNow()
  }

  return {
    editor,
    name,
    dirty,
    loadError,
    warnings,
    loadReport,
    saveError,
    restoredFromAutosave,
    revision,
    opened,
    selectedNodeIds,
    attach,
    onEditorChanged,
    onUserEdit,
    openFile,
    loadText,
    loadDefault,
    fileText,
    save,
    autosaveNow,
    restoreSavedMark,
    requireEditor,
  }
})

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
