// Adapter to the ComfyUI workflow importer in src/graph (workflow 0.4 / 1 and API prompt JSON).
import { GraphFileError } from '../graph/errors.js'
import type { GraphFile } from '../graph/schema.js'

export function importComfyText(text: string, source: string): { graph: GraphFile; warnings: readonly string[] } {
  void text
  throw new GraphFileError('not a Hyper-SD Studio graph (no "format" field) and ComfyUI import is not available', source)
}
