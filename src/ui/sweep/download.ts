// Saves bytes or text as a download (the same link-click the graph's Save uses).
export function downloadBlob(parts: BlobPart, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([parts], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
