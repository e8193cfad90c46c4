// What a drop on the window holds: model folders (as handles where the browser gives them), model files
// (.safetensors / .onnx, kept as handles when possible so they survive a reload), and a graph file to open.
import type { HandleDataTransferItem } from '../models/browser/fs-access.js'

export interface DroppedItems {
  readonly folders: readonly FileSystemDirectoryHandle[]
  readonly modelFiles: readonly (File | FileSystemFileHandle)[]
  /** The first other file: a graph (.json, a PNG with an embedded graph), opened as before. */
  readonly graphFile: File | null
  /** Folders this browser gives no handle for (it cannot read them from a drop). */
  readonly unreadableFolders: readonly string[]
}

export const MODEL_FILE_NAME = /\.(safetensors|onnx)$/i

interface PendingItem {
  readonly file: File | null
  readonly isFolder: boolean
  readonly handle: Promise<FileSystemHandle | null>
}

function handleOf(item: DataTransferItem): Promise<FileSystemHandle | null> {
  const withHandle = item as DataTransferItem & HandleDataTransferItem
  try {
    return withHandle.getAsFileSystemHandle?.().catch(() => null) ?? Promise.resolve(null)
  } catch {
    return Promise.resolve(null)
  }
}

/** Sorts the drop's items. Call it inside the drop handler: the items are readable only while the event runs. */
export async function readDrop(transfer: DataTransfer): Promise<DroppedItems> {
  const items = [...transfer.items].filter((item) => item.kind === 'file')
  const pending: PendingItem[] =
    items.length > 0
      ? items.map((item) => ({ file: item.getAsFile(), isFolder: item.webkitGetAsEntry?.()?.isDirectory === true, handle: handleOf(item) }))
      : [...transfer.files].map((file) => ({ file, isFolder: false, handle: Promise.resolve(null) }))
  const folders: FileSystemDirectoryHandle[] = []
  const modelFiles: (File | FileSystemFileHandle)[] = []
  const unreadableFolders: string[] = []
  let graphFile: File | null = null
  for (const item of pending) {
    const handle = await item.handle
    if (handle?.kind === 'directory') folders.push(handle as FileSystemDirectoryHandle)
    else if (item.isFolder) unreadableFolders.push(item.file?.name ?? 'a folder')
    else if (item.file && MODEL_FILE_NAME.test(item.file.name)) modelFiles.push(handle?.kind === 'file' ? (handle as FileSystemFileHandle) : item.file)
    else if (item.file && !graphFile) graphFile = item.file
  }
  return { folders, modelFiles, graphFile, unreadableFolders }
}
