// Choosing model folders and files: the File System Access pickers where the browser has them (handles, kept across
// reloads, nothing copied), else <input type="file"> (webkitdirectory for folders).
import type { ModelEntry } from '../models/catalog/types.js'
import type { PickerWindow } from '../models/browser/fs-access.js'
import type { useModels } from '../stores/models.js'

type ModelsStore = ReturnType<typeof useModels>

export const MODEL_FILE_ACCEPT = '.safetensors,.onnx'

const pickers = (): PickerWindow => window as unknown as PickerWindow

export function hasFolderPicker(): boolean {
  return typeof pickers().showDirectoryPicker === 'function'
}

export function hasFilePicker(): boolean {
  return typeof pickers().showOpenFilePicker === 'function'
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError'
}

/** Picks a folder with the browser's folder picker and adds it; null when the user cancelled. */
export async function addPickedFolder(models: ModelsStore): Promise<ModelEntry | null> {
  let handle: FileSystemDirectoryHandle
  try {
    handle = await pickers().showDirectoryPicker!({ mode: 'read', id: 'hypersd-models' })
  } catch (err) {
    if (isAbort(err)) return null
    throw err
  }
  return models.addDirectory(handle)
}

/** Picks model files with the browser's file picker (handles) and adds them; [] when the user cancelled. */
export async function addPickedFiles(models: ModelsStore): Promise<ModelEntry[]> {
  let handles: FileSystemFileHandle[]
  try {
    handles = await pickers().showOpenFilePicker!({
      multiple: true,
      types: [{ description: 'Models (.safetensors, .onnx)', accept: { 'application/octet-stream': ['.safetensors', '.onnx'] } }],
    })
  } catch (err) {
    if (isAbort(err)) return []
    throw err
  }
  return models.addFiles(handles)
}

/** A one-off <input type="file"> (for buttons away from the Models tab); resolves with the chosen files, [] on cancel. */
export function chooseWithInput(options: { directory: boolean }): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.multiple = true
    if (options.directory) input.webkitdirectory = true
    else input.accept = MODEL_FILE_ACCEPT
    input.addEventListener('change', () => resolve([...(input.files ?? [])]))
    input.addEventListener('cancel', () => resolve([]))
    input.click()
  })
}

/** "Pick a folder…" anywhere: the picker, or a folder input where there is none. */
export async function addFolderAnyhow(models: ModelsStore): Promise<ModelEntry[]> {
  if (hasFolderPicker()) {
    const entry = await addPickedFolder(models)
    return entry ? [entry] : []
  }
  return models.addFileList(await chooseWithInput({ directory: true }))
}

/** "Add files…" anywhere: the picker, or a file input where there is none. */
export async function addFilesAnyhow(models: ModelsStore): Promise<ModelEntry[]> {
  if (hasFilePicker()) return addPickedFiles(models)
  return models.addFiles(await chooseWithInput({ directory: false }))
}
