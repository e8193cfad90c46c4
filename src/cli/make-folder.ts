// Creating an output folder without Node's recursive mkdir, which spins at 100% CPU forever on some paths
// (`mkdir('/proc/foo', { recursive: true })` never settles on Node 20). The nearest existing parent is found first
// and checked; then each missing level is created on its own, so the work is bounded by the path's depth.
import { constants } from 'node:fs'
import { access, mkdir, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

export class MakeFolderError extends Error {
  override readonly name = 'MakeFolderError'
  constructor(
    message: string,
    readonly code: string,
    /** The path that failed: the folder itself or one of its parents. */
    readonly level: string,
  ) {
    super(message)
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error'
}

/** Creates `folder` and any missing parents, or throws MakeFolderError naming the level that failed and why. */
export async function makeFolder(folder: string): Promise<void> {
  const missing: string[] = []
  let current = resolve(folder)
  for (;;) {
    try {
      const info = await stat(current)
      if (!info.isDirectory()) throw new MakeFolderError(`${current} exists and is not a folder`, 'ENOTDIR', current)
      break
    } catch (error) {
      if (error instanceof MakeFolderError) throw error
      if (codeOf(error) !== 'ENOENT') throw new MakeFolderError(`cannot inspect ${current} (${codeOf(error)})`, codeOf(error), current)
      const parent = dirname(current)
      if (parent === current) throw new MakeFolderError(`no existing parent folder for ${folder}`, 'ENOENT', current)
      missing.push(current)
      current = parent
    }
  }
  if (missing.length === 0) return
  try {
    await access(current, constants.W_OK)
  } catch (error) {
    throw new MakeFolderError(`cannot create folders in ${current} (${codeOf(error)})`, codeOf(error), current)
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level)
    } catch (error) {
      if (codeOf(error) === 'EEXIST' && (await stat(level)).isDirectory()) continue // made meanwhile
      throw new MakeFolderError(`cannot create ${level} (${codeOf(error)})`, codeOf(error), level)
    }
  }
}
