// FileSource over node:fs, rooted at a folder. Errors name the full path that failed.

import { open, readdir, readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve, sep } from 'node:path'
import type { FileSource, ListedFile } from './files.js'

const CHUNK_BYTES = 16 * 1024 * 1024

function describeFsError(where: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code
  const reason =
    code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : (err as Error).message
  return new Error(`${where}: ${reason}`, { cause: err })
}

export class NodeFileSource implements FileSource {
  /** `root` is shown in messages as given; reads resolve it against the current directory. */
  constructor(readonly root: string) {}

  /** Absolute path of `path` (an absolute `path` is taken as is). */
  resolvePath(path: string): string {
    return isAbsolute(path) ? path : resolve(this.root, path)
  }

  localPath(path: string): string {
    return this.resolvePath(path)
  }

  describe(path: string): string {
    return isAbsolute(path) ? path : join(this.root, path)
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(this.resolvePath(path))
      return true
    } catch {
      return false
    }
  }

  async readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array> {
    const where = this.describe(path)
    try {
      if (!onProgress) return new Uint8Array(await readFile(this.resolvePath(path)))
      const handle = await open(this.resolvePath(path), 'r')
      try {
        const { size } = await handle.stat()
        const out = new Uint8Array(size)
        let loaded = 0
        onProgress(0, size)
        while (loaded < size) {
          const { bytesRead } = await handle.read(out, loaded, Math.min(CHUNK_BYTES, size - loaded), loaded)
          if (bytesRead === 0) throw new Error(`file shrank while reading (${loaded} of ${size} bytes)`)
          loaded += bytesRead
          onProgress(loaded, size)
        }
        return out
      } finally {
        await handle.close()
      }
    } catch (err) {
      throw describeFsError(where, err)
    }
  }

  async size(path: string): Promise<number | undefined> {
    try {
      return (await stat(this.resolvePath(path))).size
    } catch {
      return undefined
    }
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    try {
      const handle = await open(this.resolvePath(path), 'r')
      try {
        const out = new Uint8Array(Math.max(0, end - start))
        const { bytesRead } = await handle.read(out, 0, out.byteLength, start)
        return out.subarray(0, bytesRead)
      } finally {
        await handle.close()
      }
    } catch (err) {
      throw describeFsError(this.describe(path), err)
    }
  }

  async listFiles(path: string): Promise<readonly ListedFile[]> {
    const root = this.resolvePath(path)
    let names: string[]
    try {
      names = await readdir(root, { recursive: true })
    } catch (err) {
      throw describeFsError(this.describe(path), err)
    }
    const listed: ListedFile[] = []
    for (const name of names.sort()) {
      const info = await stat(join(root, name))
      if (info.isFile()) listed.push({ path: name.split(sep).join('/'), bytes: info.size })
    }
    return listed
  }

  async readText(path: string): Promise<string> {
    try {
      return await readFile(this.resolvePath(path), 'utf8')
    } catch (err) {
      throw describeFsError(this.describe(path), err)
    }
  }
}
