// Opens the browser's file dialog on a hidden file input. Browsers open it only inside a user gesture (a click or a
// key press still being handled); when one refuses, the user hears why instead of nothing happening.

/** Opens `input`'s file dialog; calls `refused` with the browser's reason when the browser will not open it. */
export function openFileDialog(input: HTMLInputElement | null, refused: (reason: string) => void): void {
  if (!input) return
  if (typeof input.showPicker !== 'function') {
    input.click()
    return
  }
  try {
    input.showPicker()
  } catch (error) {
    // NotAllowedError: no user activation left; InvalidStateError: a dialog is already open.
    refused(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
  }
}
