// The editor's "Export for ComfyUI": the open graph as a ComfyUI workflow file, downloaded as <title>.comfyui.json;
// what ComfyUI would run differently is returned for the editor to show.
import type { GraphEditor } from '../editor/editor.js'
import { exportComfyWorkflow } from '../graph/comfyui-export.js'
import { downloadFile, fileStem } from './download-file.js'

export interface ComfyDownload {
  readonly fileName: string
  readonly warnings: readonly string[]
}

export function downloadComfyWorkflow(editor: GraphEditor, title: string): ComfyDownload {
  // Edits not yet recorded (text still being typed) go into the export too.
  editor.checkpoint()
  const { document, warnings } = exportComfyWorkflow(editor.toFile(title), { describe: (type) => editor.definitions.get(type) })
  const fileName = `${fileStem(title, 'graph')}.comfyui.json`
  downloadFile(`${JSON.stringify(document, null, 2)}\n`, 'application/json', fileName)
  return { fileName, warnings }
}

/** One line for a toast: the file, then the first differences (the rest counted). */
export function exportSummary({ fileName, warnings }: ComfyDownload, shown = 3): string {
  if (warnings.length === 0) return `Exported ${fileName} for ComfyUI`
  const more = warnings.length > shown ? ` (and ${warnings.length - shown} more)` : ''
  return `Exported ${fileName} for ComfyUI; there it differs: ${warnings.slice(0, shown).join('; ')}${more}`
}
