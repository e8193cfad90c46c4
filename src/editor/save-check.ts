// The round trip on save: the text about to be written must read back with the app's own reader and load onto the
// canvas, or the save is refused naming the problem (the open graph is kept). A file that cannot be reopened (null
// coordinates from a blanked canvas, say) is never written.
import type { AnyNodeDefinition } from '../engine/spec.js'
import { openGraphText } from '../graph/open.js'
import { checkLoadable } from './document.js'

/** Why `text` would not reopen, or null when it reads back. */
export function readBackProblem(text: string, definitions: ReadonlyMap<string, AnyNodeDefinition>): string | null {
  try {
    checkLoadable(openGraphText(text, 'the saved file').graph, definitions)
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
