// FileSource over the files of an <input webkitdirectory> (browsers without folder handles): the File list becomes
// an in-memory folder tree from each file's path inside the picked folder. The files are read in place, not copied.
import type { FileSource, ListedFile } from '../files.js'
import { localFileError, readBlob } from './blob-read.js'

export interface ListedLocalFile {
  /** Inside the picked folder, '/'-separated (webkitRelativePath without the folder's own name). */
  readonly path: string
  readonly file: File
}

/** The picked folder's name and its files from an <input webkitdirectory> list. */
export function fileListTree(files: readonly File[]): { folder: string; files: ListedLocalFile[] }[] {
  const byFolder = new Map<string, ListedLocalFile[]>()
  for (const file of files) {
    const relative = (file.webkitRelativePath || file.name).replace(/\\/g, '/')
    const slash = relative.indexOf('/')
    const folder = slash < 0 ? '' : relative.slice(0, slash)
    const path = slash < 0 ? relative : relative.slice(slash + 1)
    if (path.split('/').some((s) => s === '..' || s === '.')) continue
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), { path, file }])
  }
  return [...byFolder].map(([folder, list]) => ({ folder, files: list }))
}

export class FileListSource implements FileSource {
  private readonly files = new Map<string, File>()
  private readonly folders = new Set<string>([''])

  constructor(
    readonly mountName: string,
    private readonly folderName: string,
    files: readonly ListedLocalFile[],
  ) {
    for (const { path, file } of files) {
      this.files.set(path, file)
      const parts = path.split('/')
      for (let i = 1; i < parts.length; i++) this.folders.add(parts.slice(0, i).join('/'))
    }
  }

  describe(path: string): string {
    return `${path === '' ? this.mountName : `${this.mountName}/${path}`} (local folder "${this.folderName}")`
  }

  private clean(path: string): string {
    return path.split('/').filter((s) => s !== '').join('/')
  }

  private file(path: string): File {
    const file = this.files.get(this.clean(path))
    if (!file) throw new Error(`${this.describe(path)}: file not found`)
    return file
  }

  async exists(path: string): Promise<boolean> {
    const clean = this.clean(path)
    return this.files.has(clean) || this.folders.has(clean)
  }

  async size(path: string): Promise<number | undefined> {
    return this.files.get(this.clean(path))?.size
  }

  async readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const file = this.file(path)
    try {
      return await readBlob(file, onProgress)
    } catch (err) {
      throw localFileError(this.describe(path), err)
    }
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readBytes(path))
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const file = this.file(path)
    try {
      return new Uint8Array(await file.slice(start, end).arrayBuffer())
    } catch (err) {
      throw localFileError(this.describe(path), err)
    }
  }

  async listFiles(path: string): Promise<readonly ListedFile[]> {
    const clean = this.clean(path)
    const prefix = clean === '' ? '' : `${clean}/`
    return [...this.files]
      .filter(([p]) => p.startsWith(prefix))
      .map(([p, file]) => ({ path: p.slice(prefix.length), bytes: file.size }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }
}
