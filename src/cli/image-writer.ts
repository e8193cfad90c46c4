// Writes images into the output folder only after a run succeeds, each file atomically (temp + rename),
// so a failed or cancelled run leaves nothing half-written behind.
import { readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { MakeFolderError, makeFolder } from './make-folder.js'
import type { ImageOutput, SavedImage } from '../../nodes/services.js'

export class OutputFolderError extends Error {
  override readonly name = 'OutputFolderError'
}

export async function ensureWritableFolder(folder: string): Promise<void> {
  const probe = join(folder, `.hypersd-write-test-${process.pid}`)
  try {
    await makeFolder(folder)
    await writeFile(probe, '')
    await rm(probe, { force: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    // Name the parent at fault when it is not the folder itself (`--out /proc/foo/bar`: /proc/foo cannot be made).
    if (error instanceof MakeFolderError && error.level !== resolve(folder)) {
      throw new OutputFolderError(`output folder ${folder} cannot be written: ${error.message}`)
    }
    throw new OutputFolderError(`output folder ${folder} cannot be written (${code})`)
  }
}

function sanitizePrefix(prefix: string): string {
  // Prefixes come from graph files: keep them inside the output folder.
  const cleaned = prefix.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '')
  return cleaned.length > 0 ? cleaned.slice(0, 80) : 'hypersd'
}

export class PendingImages {
  private readonly pending: { prefix: string; png: Uint8Array }[] = []

  constructor(private readonly includePreviews: boolean) {}

  add(output: ImageOutput): readonly SavedImage[] {
    if (output.kind === 'preview' && !this.includePreviews) return []
    const prefix = sanitizePrefix(output.kind === 'preview' ? `preview_${output.nodeId}` : output.filenamePrefix)
    return output.pngs.map((png) => {
      this.pending.push({ prefix, png })
      return { name: `${prefix}_#${this.pending.length}` }
    })
  }

  get count(): number {
    return this.pending.length
  }

  /**
   * Numbers files after existing ones (PREFIX_00001.png, ...) and writes them. Returns the paths written. When
   * `signal` aborts (Ctrl+C), the file being written is removed, not renamed, and the rest are skipped: the result
   * then lists exactly the images that are on disk, and `interrupted` is set.
   */
  async writeAll(folder: string, signal?: AbortSignal, onWriting?: (temp: string) => void): Promise<WriteResult> {
    const existing = new Set(await readdir(folder).catch(() => [] as string[]))
    const counters = new Map<string, number>()
    const written: string[] = []
    for (const { prefix, png } of this.pending) {
      if (signal?.aborted) return { written, interrupted: true }
      let n = counters.get(prefix) ?? 0
      let name: string
      do name = `${prefix}_${String(++n).padStart(5, '0')}.png`
      while (existing.has(name))
      counters.set(prefix, n)
      existing.add(name)
      const path = join(folder, name)
      const temp = join(folder, `.${name}.partial`)
      onWriting?.(temp)
      try {
        await writeFile(temp, png, signal ? { signal } : {})
      } catch (error) {
        await rm(temp, { force: true })
        if (signal?.aborted) return { written, interrupted: true }
        throw error
      }
      if (signal?.aborted) {
        await rm(temp, { force: true })
        return { written, interrupted: true }
      }
      await rename(temp, path)
      written.push(path)
    }
    return { written, interrupted: false }
  }
}

export interface WriteResult {
  /** Paths of the images on disk, in order. */
  readonly written: readonly string[]
  /** The write was stopped before every image was written. */
  readonly interrupted: boolean
}

/** Writes the images with Ctrl+C stopping the write cleanly (see writeAll) instead of killing the process mid-file. */
export async function writeImagesInterruptibly(images: PendingImages, folder: string): Promise<WriteResult> {
  const controller = new AbortController()
  const onInterrupt = (): void => controller.abort()
  process.once('SIGINT', onInterrupt)
  try {
    return await images.writeAll(folder, controller.signal)
  } finally {
    process.off('SIGINT', onInterrupt)
  }
}
