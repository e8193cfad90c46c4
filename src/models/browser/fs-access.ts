// The parts of the File System Access API that TypeScript's DOM library leaves out (permissions, pickers, folder
// iteration, drops as handles), declared once as optional members so callers feature-test them.

export type HandlePermission = 'granted' | 'denied' | 'prompt'

export interface PermissionedHandle {
  queryPermission?(descriptor: { mode: 'read' | 'readwrite' }): Promise<HandlePermission>
  requestPermission?(descriptor: { mode: 'read' | 'readwrite' }): Promise<HandlePermission>
}

interface IterableDirectory {
  values(): AsyncIterable<FileSystemDirectoryHandle | FileSystemFileHandle>
}

export interface PickerWindow {
  showDirectoryPicker?(options?: { mode?: 'read' | 'readwrite'; id?: string }): Promise<FileSystemDirectoryHandle>
  showOpenFilePicker?(options?: {
    multiple?: boolean
    types?: { description?: string; accept: Record<string, string[]> }[]
    excludeAcceptAllOption?: boolean
  }): Promise<FileSystemFileHandle[]>
}

export interface HandleDataTransferItem {
  getAsFileSystemHandle?(): Promise<FileSystemHandle | null>
}

/** The folder's children; Chromium's handles are async iterable. */
export function childrenOf(handle: FileSystemDirectoryHandle): AsyncIterable<FileSystemDirectoryHandle | FileSystemFileHandle> {
  return (handle as unknown as IterableDirectory).values()
}

/** The handle's read permission, 'granted' where the browser has no permission model (OPFS, older engines). */
export async function readPermission(handle: FileSystemHandle, request = false): Promise<HandlePermission> {
  const permissioned = handle as FileSystemHandle & PermissionedHandle
  const ask = request ? permissioned.requestPermission : permissioned.queryPermission
  return ask ? ask.call(permissioned, { mode: 'read' }) : 'granted'
}

export function isFileHandle(value: unknown): value is FileSystemFileHandle {
  return typeof FileSystemFileHandle !== 'undefined' && value instanceof FileSystemFileHandle
}

export function isDirectoryHandle(value: unknown): value is FileSystemDirectoryHandle {
  return typeof FileSystemDirectoryHandle !== 'undefined' && value instanceof FileSystemDirectoryHandle
}
