// Graph-file parts for what this build cannot run but must not lose: placeholder nodes (a ComfyUI node with no
// equivalent, kept with its slots and widget values so a save writes it back) and the ComfyUI import report, kept
// in the file's metadata until the user dismisses it.
import { z } from 'zod'

export const PlaceholderSlotSchema = z.strictObject({
  name: z.string(),
  /** The slot's type as the source named it (e.g. ComfyUI's "UPSCALE_MODEL"); "*" when unknown. */
  type: z.string(),
})

export const PlaceholderSchema = z.strictObject({
  /** Where the node came from: "comfyui" for an import. */
  origin: z.string().min(1),
  inputs: z.array(PlaceholderSlotSchema).default([]),
  outputs: z.array(PlaceholderSlotSchema).default([]),
  /** The widget values as saved by the source (ComfyUI's positional widgets_values, or named prompt inputs). */
  widgets: z.json().optional(),
})

export const ImportReportSchema = z.strictObject({
  /** e.g. "ComfyUI workflow (upscale.json)" */
  source: z.string(),
  /** Nodes with no equivalent, kept as placeholders. */
  placeholders: z.array(z.string()).default([]),
  dropped: z.array(z.string()).default([]),
  folded: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
  /**
   * What stops the imported graph running, one line per node and input with what to do (added by hosts that check
   * it against their node declarations). Absent in older files and in imports that can run.
   */
  blocking: z.array(z.string()).optional(),
})

export type PlaceholderSlot = z.output<typeof PlaceholderSlotSchema>
export type PlaceholderData = z.output<typeof PlaceholderSchema>
export type ImportReport = z.output<typeof ImportReportSchema>
