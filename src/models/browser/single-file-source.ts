// FileSource over one model file the user added (a dropped or picked .safetensors / .onnx): the mount's own path
// ('') is the file; nothing else exists in it.
import type { FileSource } from '../files.js'
import { localFileError } from './blob-read.js'
import { FileBackedSource } from './file-backed-source.js'

export class SingleFileSource extends FileBackedSource implements FileSource {
  constructor(
    readonly mountName: string,
    private readonly file: File | FileSystemFileHandle,
  ) {
    super()
  }

  describe(path: string): string {
    const where = path === '' ? this.mountName : `${this.mountName}/${path}`
    return `${where} (local file "${this.file.name}")`
  }

  protected async fileAt(path: string): Promise<File> {
    if (path !== '') throw new DOMException(`"${this.mountName}" is a single file`, 'NotFoundError')
    return this.file instanceof File ? this.file : this.file.getFile()
  }

  async exists(path: string): Promise<boolean> {
    if (path !== '') return false
    try {
      await this.fileAt(path)
      return true
    } catch (err) {
      if (err instanceof Error && err.name === 'NotFoundError') return false
      throw localFileError(this.describe(path), err)
    }
  }
}
