// Offers text as a file download (the unreadable draft's raw text), through an object URL.
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A file name from a draft's title: letters, digits, dots and dashes only. */
export function draftFileName(title: string): string {
  return `${title.replace(/[^\w.-]+/g, '_') || 'draft'}.draft.json`
}
