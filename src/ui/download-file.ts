// Offers bytes or text as a file download (a link click on an object URL): the graph's Save, the ComfyUI export,
// sweep grids and tables, and raw drafts all go through here.

/** Starts the download of `parts` as `fileName`. */
export function downloadFile(parts: BlobPart, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([parts], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  // The browser has the blob by the time this fires; revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A file name stem from a title: letters, digits, dots and dashes, the rest as "_"; `fallback` when nothing is left. */
export function fileStem(title: string, fallback: string): string {
  return title.replace(/[^\w.-]+/g, '_') || fallback
}
