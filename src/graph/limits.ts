// Size limits shared by every way a graph arrives (file dialog, drop, paste, CLI, PNG metadata).

/** The largest graph file, and the largest graph text a PNG chunk may inflate to: 64 MiB. */
export const MAX_GRAPH_BYTES = 64 * 1024 * 1024

export function formatMegabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
}
