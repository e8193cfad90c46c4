// Creates the canvas editor inside the page and keeps it in step with the stores: graph changes go to the
// graph store, run state (node states, progress, previews, output images) and models the catalog lacks are drawn on
// the nodes, and model widgets offer the catalog's models.
import { watch } from 'vue'
import type { CanvasUiHooks } from '../editor/canvas.js'
import { GraphEditor, type ModelChoiceRequest } from '../editor/editor.js'
import { InteractionTracker } from './interaction-tracker.js'
import { missingModelsOf } from './missing-models.js'
import { imageInputOf } from '../editor/image-node.js'
import type { NodeRunView } from '../editor/node-overlay.js'
import type { ShownOutput } from '../engine/output-values.js'
import { nodeDefinitions } from '../../nodes/index.js'
import { useGallery } from '../stores/gallery.js'
import { useGraph } from '../stores/graph.js'
import { useInputImages } from '../stores/input-images.js'
import { useModels } from '../stores/models.js'
import { useRuns } from '../stores/runs.js'
import { minimapFootprint } from './minimap/minimap-visibility.js'

export interface MountedEditor {
  readonly editor: GraphEditor
  dispose(): void
}

/** What a node shows of its values: each on its output's row, and a report's lines in full below the widgets. */
function valueView(shown: readonly ShownOutput[]): Pick<NodeRunView, 'outputValues' | 'lines'> {
  return { outputValues: new Map(shown.map(({ name, value }) => [name, value])), lines: shown.flatMap(({ value }) => (value.includes('\n') ? value.split('\n') : [])) }
}

export interface MountHooks extends CanvasUiHooks {
  refused(message: string): void
  chooseModel(request: ModelChoiceRequest): void
}

export function mountEditor(canvas: HTMLCanvasElement, container: HTMLElement, hooks: MountHooks): MountedEditor {
  const graph = useGraph()
  const runs = useRuns()
  const gallery = useGallery()
  const models = useModels()
  const inputImages = useInputImages()
  const editor = new GraphEditor(canvas, nodeDefinitions, {
    ...hooks,
    changed: (reason, widget) => graph.onEditorChanged(reason, widget),
    selected: (ids) => (graph.selectedNodeIds = ids),
    modelChoices: (hint) => (hint === 'image' ? [...inputImages.names] : models.choices(hint)),
    fitClearOf: minimapFootprint,
  })

  const resize = (): void => {
    const rect = container.getBoundingClientRect()
    editor.canvas.resizeCss(Math.max(1, Math.floor(rect.width)), Math.max(1, Math.floor(rect.height)))
    editor.refitIfUntouched()
    editor.canvas.setDirty(true, true)
  }
  // Pixel-ratio changes at the same CSS size are followed by the canvas itself, before each frame.
  // Sized by the observer's first callback, which comes once the page is laid out: measuring here would force a
  // layout of the whole page in the middle of mounting it, and the callback would then size and draw it again.
  const observer = new ResizeObserver(resize)
  observer.observe(container)

  // Drags and zooms hold the engine's background work (a warm-up, cache copies) so that the canvas keeps its frame rate.
  const stopTracking = new InteractionTracker((active) => runs.userInteracting(active)).watch(canvas)

  const previewCanvas = document.createElement('canvas')
  // Not a deep watch: the node states are the one source changed in place, and copying them tracks every key. A deep
  // watch walked the whole model catalog and every value shown on a node at each progress event of a run.
  const stopWatch = watch(
    () => [{ ...runs.nodeStates }, runs.progress, runs.preview, gallery.nodeImages, runs.nodeValues, graph.revision, models.entries, models.loaded, inputImages.previews.size] as const,
    ([states, progress, preview, images, values]) => {
      const views = new Map<string, NodeRunView>()
      // Asked once per model name, not once per node: the catalog lookup goes through Vue's reactive proxies, which
      // cost seconds on a graph of thousands of nodes (issue 14 §2).
      const missingByName = new Map<string, boolean>()
      const isMissing = (name: string): boolean => {
        let missing = missingByName.get(name)
        if (missing === undefined) missingByName.set(name, (missing = models.isMissing(name)))
        return missing
      }
      for (const node of editor.specNodes()) {
        const missing = missingModelsOf(node, isMissing)
        if (missing.length > 0) views.set(String(node.id), { missing: missing.map((m) => m.name) })
      }
      // A Load Image node shows its image (until a run's preview of the node replaces it).
      for (const node of editor.specNodes()) {
        const input = imageInputOf(node)
        const name = input ? node.widgetValues()[input] : undefined
        if (typeof name !== 'string') continue
        inputImages.ensurePreview(name.trim())
        const preview = inputImages.previews.get(name.trim())
        const id = String(node.id)
        if (preview) views.set(id, { ...views.get(id), image: { source: preview.bitmap, width: preview.width, height: preview.height } })
        // Neither uploaded here nor bundled (a shared graph's image, say): flagged as a missing model is.
        else if (preview === null) views.set(id, { ...views.get(id), missing: [...(views.get(id)?.missing ?? []), name.trim()] })
      }
      for (const [id, image] of images) views.set(id, { ...views.get(id), image: { source: image.bitmap, width: image.width, height: image.height } })
      for (const [id, shown] of Object.entries(values)) views.set(id, { ...views.get(id), ...valueView(shown) })
      for (const [id, state] of Object.entries(states)) views.set(id, { ...views.get(id), state })
      if (progress) {
        const view: NodeRunView = { ...views.get(progress.nodeId), progress: { value: progress.value, max: progress.max } }
        if (preview) {
          previewCanvas.width = preview.width
          previewCanvas.height = preview.height
          previewCanvas.getContext('2d')!.putImageData(preview, 0, 0)
          views.set(progress.nodeId, { ...view, image: { source: previewCanvas, width: preview.width, height: preview.height } })
        } else views.set(progress.nodeId, view)
      }
      editor.setRunViews(views)
    },
  )

  return {
    editor,
    dispose: () => {
      stopWatch()
      stopTracking()
      // The canvas's loop keeps looking at its flags on a timer until stopped.
      editor.canvas.stopRendering()
      observer.disconnect()
      editor.textAreas?.dispose()
      editor.tooltips.dispose()
      editor.canvas.graph?.stop?.()
    },
  }
}
