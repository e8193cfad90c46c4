// The unreadable draft's raw text as a file download.
import { downloadFile, fileStem } from '../download-file.js'

export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  downloadFile(text, type, fileName)
}

/** A file name from a draft's title. */
export function draftFileName(title: string): string {
  return `${fileStem(title, 'draft')}.draft.json`
}
