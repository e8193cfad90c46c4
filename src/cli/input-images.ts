// Input images for the CLI: Load Image names a file, looked up in --input-dir, or by default in the current folder
// and then the app's bundled input images (public/input, which the browser serves too); or an absolute path.
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import type { InputImage, InputImages } from '../../nodes/services.js'
import { decodeImageFile } from '../imaging/image-file.js'
import { projectRoot } from './paths.js'

/** Largest image file read (a camera JPEG is a few MB; a 100 MP PNG can reach a few hundred). */
const MAX_FILE_BYTES = 512 * 1024 * 1024

/** The app's bundled input images (served to the browser as input/). */
export function bundledInputDir(): string {
  return join(projectRoot(), 'public', 'input')
}

export class FileInputImages implements InputImages {
  /** `folders`: where names that are not absolute paths are looked up, in order. */
  constructor(private readonly folders: readonly string[]) {}

  async read(name: string): Promise<InputImage> {
    const candidates = isAbsolute(name) ? [name] : this.folders.map((folder) => resolve(folder, name))
    for (const path of candidates) {
      const size = await fileSize(path)
      if (size === undefined) continue
      if (size > MAX_FILE_BYTES) throw new Error(`${path}: ${size} bytes is larger than the ${MAX_FILE_BYTES / 2 ** 20} MiB an input image may be`)
      try {
        return decodeImageFile(await readFile(path))
      } catch (error) {
        throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    throw new Error(`"${name}": file not found (looked in ${candidates.join(', ')}; --input-dir sets the folder)`)
  }
}

/** The size of a regular file at `path`, or undefined when there is none. */
async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new Error(`${path}: not a file`)
    return info.size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined
    throw error
  }
}
