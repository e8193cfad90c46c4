// Adapter to the ComfyUI workflow importer in src/graph (workflow 0.4 / 1 and API prompt JSON).
import { importComfyUI } from '../graph/comfyui.js'
import type { GraphFile } from '../graph/schema.js'

/** Imports ComfyUI JSON; the warnings list dropped nodes first, then approximations (one line each). */
export function importComfyText(text: string, source: string): { graph: GraphFile; warnings: readonly string[] } {
  const { graph, report } = importComfyUI(text, source)
  return { graph, warnings: [...report.dropped, ...report.warnings] }
}
