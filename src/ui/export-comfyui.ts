// The editor's "Export for ComfyUI": the open graph as a ComfyUI workflow (UI format, <title>.comfyui.json) or as an
// API prompt (what ComfyUI's /prompt takes, <title>.api.json); what ComfyUI would run differently is returned for the
// editor to show.
import type { GraphEditor } from '../editor/editor.js'
import { exportComfyPrompt, exportComfyWorkflow, type ComfyExport, type ComfyExportOptions } from '../graph/comfyui-export.js'
import type { GraphFile } from '../graph/schema.js'
import { downloadFile, fileStem } from './download-file.js'

export interface ComfyDownload {
  readonly fileName: string
  readonly warnings: readonly string[]
}

export type ComfyFormat = 'workflow' | 'prompt'

/** The two ComfyUI formats: the file name suffix each downloads under, and its exporter. */
const FORMATS: Record<ComfyFormat, { readonly suffix: string; readonly exporter: (graph: GraphFile, options: ComfyExportOptions) => ComfyExport<unknown> }> = {
  workflow: { suffix: '.comfyui.json', exporter: exportComfyWorkflow },
  prompt: { suffix: '.api.json', exporter: exportComfyPrompt },
}

export function downloadComfyWorkflow(editor: GraphEditor, title: string): ComfyDownload {
  return downloadComfy(editor, title, 'workflow')
}

export function downloadComfyPrompt(editor: GraphEditor, title: string): ComfyDownload {
  return downloadComfy(editor, title, 'prompt')
}

function downloadComfy(editor: GraphEditor, title: string, format: ComfyFormat): ComfyDownload {
  // Edits not yet recorded (text still being typed) go into the export too.
  editor.checkpoint()
  const { suffix, exporter } = FORMATS[format]
  const { document, warnings } = exporter(editor.toFile(title), { describe: (type) => editor.definitions.get(type) })
  const fileName = `${fileStem(title, 'graph')}${suffix}`
  downloadFile(`${JSON.stringify(document, null, 2)}\n`, 'application/json', fileName)
  return { fileName, warnings }
}

/** One line for a toast: the file, then the first differences (the rest counted). */
export function exportSummary({ fileName, warnings }: ComfyDownload, shown = 3): string {
  if (warnings.length === 0) return `Exported ${fileName} for ComfyUI`
  const more = warnings.length > shown ? ` (and ${warnings.length - shown} more)` : ''
  return `Exported ${fileName} for ComfyUI; there it differs: ${warnings.slice(0, shown).join('; ')}${more}`
}
