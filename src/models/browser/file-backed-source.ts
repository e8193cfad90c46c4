// The reading half of a FileSource whose paths lead to File objects (a folder handle, a single file): sizes, whole
// reads with progress, text and byte ranges, each failure named with the source's own description of the path.
import { localFileError, readBlob } from './blob-read.js'

export abstract class FileBackedSource {
  abstract describe(path: string): string
  /** The File at `path`; rejects with a DOMException (NotFoundError...) when there is none. */
  protected abstract fileAt(path: string): Promise<File>

  async size(path: string): Promise<number | undefined> {
    try {
      return (await this.fileAt(path)).size
    } catch {
      return undefined
    }
  }

  async readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    try {
      return await readBlob(await this.fileAt(path), onProgress)
    } catch (err) {
      throw localFileError(this.describe(path), err)
    }
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readBytes(path))
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    try {
      return new Uint8Array(await (await this.fileAt(path)).slice(start, end).arrayBuffer())
    } catch (err) {
      throw localFileError(this.describe(path), err)
    }
  }
}
