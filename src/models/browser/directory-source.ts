// FileSource over a folder the user picked or dropped (FileSystemDirectoryHandle), or a Hub download's OPFS folder:
// paths are walked segment by segment; files are read through File objects, so nothing is copied first.
import type { FileSource, ListedFile } from '../files.js'
import { localFileError } from './blob-read.js'
import { FileBackedSource } from './file-backed-source.js'
import { childrenOf } from './fs-access.js'

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && (err.name === 'NotFoundError' || err.name === 'TypeMismatchError' || err.name === 'TypeError')
}

export class DirectoryHandleSource extends FileBackedSource implements FileSource {
  constructor(
    /** The model name the folder is mounted at, shown in messages. */
    readonly mountName: string,
    private readonly root: FileSystemDirectoryHandle,
  ) {
    super()
  }

  describe(path: string): string {
    return `${path === '' ? this.mountName : `${this.mountName}/${path}`} (local folder "${this.root.name}")`
  }

  private async folder(segments: readonly string[]): Promise<FileSystemDirectoryHandle> {
    let dir = this.root
    for (const segment of segments) dir = await dir.getDirectoryHandle(segment)
    return dir
  }

  protected async fileAt(path: string): Promise<File> {
    const segments = segmentsOf(path)
    const last = segments.pop()
    if (last === undefined) throw new DOMException('the mount itself is a folder', 'TypeMismatchError')
    return (await (await this.folder(segments)).getFileHandle(last)).getFile()
  }

  /** A missing path is false; a refused permission is an error, so the message says what to do. */
  async exists(path: string): Promise<boolean> {
    const segments = segmentsOf(path)
    const last = segments.pop()
    try {
      const parent = await this.folder(segments)
      if (last === undefined) return true
      try {
        await parent.getFileHandle(last)
      } catch (err) {
        if (!isMissing(err)) throw err
        await parent.getDirectoryHandle(last)
      }
      return true
    } catch (err) {
      if (isMissing(err)) return false
      throw localFileError(this.describe(path), err)
    }
  }

  async listFiles(path: string): Promise<readonly ListedFile[]> {
    const listed: ListedFile[] = []
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const child of childrenOf(dir)) {
        const at = prefix === '' ? child.name : `${prefix}/${child.name}`
        if (child.kind === 'directory') await walk(child as FileSystemDirectoryHandle, at)
        else listed.push({ path: at, bytes: (await (child as FileSystemFileHandle).getFile()).size })
      }
    }
    try {
      await walk(await this.folder(segmentsOf(path)), '')
    } catch (err) {
      throw localFileError(this.describe(path), err)
    }
    return listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }
}
