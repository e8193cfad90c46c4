// The ComfyUI import report travels with the open graph (in the litegraph graph's `extra`, written to the file's
// metadata), so undo, autosave and save keep it until the user dismisses it.
import type { LGraph } from '@comfyorg/litegraph'
import { ImportReportSchema, type ImportReport } from '../graph/placeholder-schema.js'

const KEY = 'importReport'

export function importReportOf(graph: LGraph): ImportReport | undefined {
  const extra = graph.extra as Record<string, unknown>
  const parsed = ImportReportSchema.safeParse(extra[KEY])
  return parsed.success ? parsed.data : undefined
}

export function setImportReport(graph: LGraph, report: ImportReport | undefined): void {
  const extra = graph.extra as Record<string, unknown>
  if (report) extra[KEY] = report
  else delete extra[KEY]
}
