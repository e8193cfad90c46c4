// Where a catalog entry's files are: a folder handle (picked, dropped, or a Hub download's OPFS folder), one file
// (a handle, or a File where the browser gives no handle), or the File list of an <input webkitdirectory>. Mounts
// are structured-cloneable: they go to IndexedDB and to the engine worker as they are.
import type { FileSource } from '../files.js'
import type { RoutedMount } from '../catalog/routing.js'
import { DirectoryHandleSource } from './directory-source.js'
import { FileListSource, type ListedLocalFile } from './file-list-source.js'
import { SingleFileSource } from './single-file-source.js'

export type ModelMount =
  | { readonly name: string; readonly kind: 'directory'; readonly handle: FileSystemDirectoryHandle }
  | { readonly name: string; readonly kind: 'file'; readonly file: FileSystemFileHandle | File }
  | { readonly name: string; readonly kind: 'file-list'; readonly folder: string; readonly files: readonly ListedLocalFile[] }

export function sourceForMount(mount: ModelMount): FileSource {
  switch (mount.kind) {
    case 'directory':
      return new DirectoryHandleSource(mount.name, mount.handle)
    case 'file':
      return new SingleFileSource(mount.name, mount.file)
    case 'file-list':
      return new FileListSource(mount.name, mount.folder, mount.files)
  }
}

export function routedMount(mount: ModelMount): RoutedMount {
  return { name: mount.name, kind: mount.kind === 'file' ? 'file' : 'directory', files: sourceForMount(mount) }
}

/** The folder or file name the mount reads, for the catalog's location column. */
export function mountLocation(mount: ModelMount): string {
  switch (mount.kind) {
    case 'directory':
      return mount.handle.name
    case 'file':
      return mount.file.name
    case 'file-list':
      return mount.folder
  }
}

/** The same name on other files (a folder replaced under the same name): what the worker compares to drop caches. */
export function mountSignature(mount: ModelMount): string {
  switch (mount.kind) {
    case 'directory':
      return `directory:${mount.handle.name}`
    case 'file':
      return mount.file instanceof File ? `file:${mount.file.name}:${mount.file.size}:${mount.file.lastModified}` : `file-handle:${mount.file.name}`
    case 'file-list':
      return `file-list:${mount.folder}:${mount.files.length}:${mount.files.reduce((sum, f) => sum + f.file.size, 0)}`
  }
}

/** Bytes that keeping the mount in IndexedDB copies: browsers store File objects' contents, handles are references. */
export function mountStoredBytes(mount: ModelMount): number {
  if (mount.kind === 'file') return mount.file instanceof File ? mount.file.size : 0
  if (mount.kind === 'file-list') return mount.files.reduce((sum, f) => sum + f.file.size, 0)
  return 0
}
