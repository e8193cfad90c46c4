// RepoStore on the local disk (CLI): DIR/OWNER/REPO/<path in the repository>, partial files as `<name>.part`,
// renamed into place only after verification.
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { checkRepoPath } from './endpoint.js'
import { MANIFEST_NAME, PARTIAL_SUFFIX, type ChunkWriter, type PartialFile, type RepoStore } from './storage.js'

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
}

async function* readChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) yield chunk as Buffer
}

export class NodeRepoStore implements RepoStore {
  /** `root` is the repository's folder: DIR/OWNER/REPO. */
  constructor(readonly root: string) {}

  private file(path: string): string {
    const full = resolve(this.root, checkRepoPath(path))
    if (!full.startsWith(resolve(this.root) + sep)) throw new Error(`${path}: outside ${this.root}`)
    return full
  }

  describe(path: string): string {
    return join(this.root, path)
  }

  partial(path: string): PartialFile {
    const final = this.file(path)
    const part = final + PARTIAL_SUFFIX
    return {
      size: async () => (await sizeOf(part)) ?? 0,
      read: () => readChunks(part),
      writeFrom: async (offset: number): Promise<ChunkWriter> => {
        await mkdir(dirname(part), { recursive: true })
        if ((await sizeOf(part)) === undefined) await writeFile(part, new Uint8Array(0))
        await truncate(part, offset)
        const handle = await open(part, 'r+')
        let position = offset
        return {
          write: async (chunk) => {
            let written = 0
            while (written < chunk.byteLength) {
              const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written, position)
              written += bytesWritten
              position += bytesWritten
            }
          },
          close: () => handle.close(),
        }
      },
      commit: () => rename(part, final),
      discard: () => rm(part, { force: true }),
    }
  }

  completeSize(path: string): Promise<number | undefined> {
    return sizeOf(this.file(path))
  }

  readComplete(path: string): AsyncIterable<Uint8Array> {
    return readChunks(this.file(path))
  }

  async remove(path: string): Promise<void> {
    const full = this.file(path)
    await rm(full, { force: true })
    await rm(full + PARTIAL_SUFFIX, { force: true })
  }

  async readManifest(): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, MANIFEST_NAME), 'utf8')
    } catch {
      return undefined
    }
  }

  async writeManifest(text: string): Promise<void> {
    await mkdir(this.root, { recursive: true })
    const target = join(this.root, MANIFEST_NAME)
    // Written beside and renamed, so an interrupted write never leaves half a manifest.
    await writeFile(`${target}.tmp`, text)
    await rename(`${target}.tmp`, target)
  }
}

/** The folder a repository's files land in: DIR/OWNER/REPO. */
export function repoFolder(modelsDir: string, repo: string): string {
  const folder = resolve(modelsDir, ...repo.split('/'))
  if (relative(resolve(modelsDir), folder).startsWith('..')) throw new Error(`repository ${repo} would land outside ${modelsDir}`)
  return folder
}
