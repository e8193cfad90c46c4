// Writes images into the output folder only after a run succeeds, each file atomically (temp + rename),
// so a failed or cancelled run leaves nothing half-written behind.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ImageOutput, SavedImage } from '../../nodes/services.js'

export class OutputFolderError extends Error {
  override readonly name = 'OutputFolderError'
}

export async function ensureWritableFolder(folder: string): Promise<void> {
  const probe = join(folder, `.hypersd-write-test-${process.pid}`)
  try {
    await mkdir(folder, { recursive: true })
    await writeFile(probe, '')
    await rm(probe, { force: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
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

  /** Numbers files after existing ones (PREFIX_00001.png, ...) and writes them. Returns the paths. */
  async writeAll(folder: string): Promise<string[]> {
    const existing = new Set(await readdir(folder).catch(() => [] as string[]))
    const counters = new Map<string, number>()
    const written: string[] = []
    for (const { prefix, png } of this.pending) {
      let n = counters.get(prefix) ?? 0
      let name: string
      do name = `${prefix}_${String(++n).padStart(5, '0')}.png`
      while (existing.has(name))
      counters.set(prefix, n)
      existing.add(name)
      const path = join(folder, name)
      const temp = join(folder, `.${name}.partial`)
      await writeFile(temp, png)
      await rename(temp, path)
      written.push(path)
    }
    return written
  }
}
