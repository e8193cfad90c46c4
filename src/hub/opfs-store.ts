// RepoStore in the browser's origin-private file system (OPFS), for the download worker: hub/OWNER/REPO/<path>.
// Writes go through synchronous access handles, which write in place and survive a reload after each flush;
// a main-thread writable stream would copy the whole partial file into a swap file on every reopen.
import { checkRepoId, checkRepoPath } from './endpoint.js'
import { MANIFEST_NAME, PARTIAL_SUFFIX, type ChunkWriter, type PartialFile, type RepoStore } from './storage.js'

export const HUB_FOLDER = 'hub'
const FLUSH_EVERY_BYTES = 32 * 1024 * 1024
/**
 * Bytes written through an access handle but not flushed are lost when the page goes away (a reload killed the
 * worker of a stalled transfer: OPFS then held 170000 bytes where 180000 had been written and read back). So a
 * write is flushed at the latest this long after it, also when no more bytes come (a stalled or slow transfer).
 */
export const FLUSH_AFTER_MS = 100

/** Chromium's FileSystemHandle.move (not yet in TypeScript's DOM types). */
interface MovableHandle {
  move(newName: string): Promise<void>
}

async function folderAt(root: FileSystemDirectoryHandle, parts: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
  let folder = root
  for (const part of parts) {
    try {
      folder = await folder.getDirectoryHandle(part, { create })
    } catch {
      return undefined
    }
  }
  return folder
}

async function fileIn(folder: FileSystemDirectoryHandle | undefined, name: string): Promise<FileSystemFileHandle | undefined> {
  if (!folder) return undefined
  try {
    return await folder.getFileHandle(name)
  } catch {
    return undefined
  }
}

async function* chunksOf(handle: FileSystemFileHandle | undefined): AsyncIterable<Uint8Array> {
  if (!handle) return
  const reader = (await handle.getFile()).stream().getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    yield value
  }
}

/** A synchronous access handle's view of a file (TypeScript's DOM types lack it on the UI thread's handle). */
interface SizeHandle {
  getSize(): number
  close(): void
}
const LOCK_WAIT_MS = 50
const LOCK_TRIES = 40

/**
 * The size of a file being written. In the worker it is read through a synchronous access handle, which sees the
 * bytes on disk (the download worker once saw getFile() give the size from before the last writes just after its
 * writer closed). A handle another worker still holds (a page going away) is waited for, up to 2 s, then getFile()
 * answers. On the UI thread: getFile(). (Bytes lost at a reload were unflushed writes: see FLUSH_AFTER_MS.)
 */
async function currentSize(handle: FileSystemFileHandle): Promise<number> {
  const open = (handle as unknown as { createSyncAccessHandle?: () => Promise<SizeHandle> }).createSyncAccessHandle
  if (typeof open === 'function') {
    for (let tries = 0; tries < LOCK_TRIES; tries++) {
      let access: SizeHandle
      try {
        access = await open.call(handle)
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'NoModificationAllowedError')) throw error
        await new Promise((resume) => setTimeout(resume, LOCK_WAIT_MS))
        continue
      }
      try {
        return access.getSize()
      } finally {
        access.close()
      }
    }
  }
  return (await handle.getFile()).size
}

async function writeWhole(folder: FileSystemDirectoryHandle, name: string, bytes: Uint8Array): Promise<void> {
  const handle = await (await folder.getFileHandle(name, { create: true })).createSyncAccessHandle()
  try {
    handle.truncate(0)
    handle.write(bytes as Uint8Array<ArrayBuffer>, { at: 0 })
    handle.flush()
  } finally {
    handle.close()
  }
}

export class OpfsRepoStore implements RepoStore {
  private readonly repoParts: string[]

  constructor(
    private readonly opfsRoot: FileSystemDirectoryHandle,
    readonly repo: string,
  ) {
    this.repoParts = [HUB_FOLDER, ...checkRepoId(repo).split('/')]
  }

  private split(path: string): { dirs: string[]; name: string } {
    const parts = checkRepoPath(path).split('/')
    return { dirs: [...this.repoParts, ...parts.slice(0, -1)], name: parts[parts.length - 1]! }
  }

  describe(path: string): string {
    return `browser storage: ${this.repo}/${path}`
  }

  partial(path: string): PartialFile {
    const { dirs, name } = this.split(path)
    const partName = name + PARTIAL_SUFFIX
    const partHandle = async (): Promise<FileSystemFileHandle | undefined> => fileIn(await folderAt(this.opfsRoot, dirs, false), partName)
    return {
      size: async () => {
        const handle = await partHandle()
        return handle ? currentSize(handle) : 0
      },
      read: () => ({ [Symbol.asyncIterator]: async function* () { yield* chunksOf(await partHandle()) } }),
      writeFrom: async (offset: number): Promise<ChunkWriter> => {
        const folder = (await folderAt(this.opfsRoot, dirs, true))!
        const access = await (await folder.getFileHandle(partName, { create: true })).createSyncAccessHandle()
        access.truncate(offset)
        let position = offset
        let unflushed = 0
        let closed = false
        let pending: ReturnType<typeof setTimeout> | undefined
        const flush = (): void => {
          if (pending !== undefined) clearTimeout(pending)
          pending = undefined
          if (closed || unflushed === 0) return
          access.flush()
          unflushed = 0
        }
        return {
          write: async (chunk) => {
            position += access.write(chunk as Uint8Array<ArrayBuffer>, { at: position })
            unflushed += chunk.byteLength
            if (unflushed >= FLUSH_EVERY_BYTES) flush()
            else pending ??= setTimeout(flush, FLUSH_AFTER_MS)
          },
          close: async () => {
            flush()
            closed = true
            access.close()
          },
        }
      },
      commit: async () => {
        const folder = (await folderAt(this.opfsRoot, dirs, false))!
        await folder.removeEntry(name).catch(() => undefined)
        const handle = await folder.getFileHandle(partName)
        await (handle as unknown as MovableHandle).move(name)
      },
      discard: async () => {
        await (await folderAt(this.opfsRoot, dirs, false))?.removeEntry(partName).catch(() => undefined)
      },
    }
  }

  async completeSize(path: string): Promise<number | undefined> {
    const { dirs, name } = this.split(path)
    const handle = await fileIn(await folderAt(this.opfsRoot, dirs, false), name)
    return handle ? (await handle.getFile()).size : undefined
  }

  readComplete(path: string): AsyncIterable<Uint8Array> {
    const { dirs, name } = this.split(path)
    const root = this.opfsRoot
    return { [Symbol.asyncIterator]: async function* () { yield* chunksOf(await fileIn(await folderAt(root, dirs, false), name)) } }
  }

  async remove(path: string): Promise<void> {
    const { dirs, name } = this.split(path)
    const folder = await folderAt(this.opfsRoot, dirs, false)
    await folder?.removeEntry(name).catch(() => undefined)
    await folder?.removeEntry(name + PARTIAL_SUFFIX).catch(() => undefined)
  }

  async readManifest(): Promise<string | undefined> {
    const handle = await fileIn(await folderAt(this.opfsRoot, this.repoParts, false), MANIFEST_NAME)
    return handle ? (await handle.getFile()).text() : undefined
  }

  async writeManifest(text: string): Promise<void> {
    await writeWhole((await folderAt(this.opfsRoot, this.repoParts, true))!, MANIFEST_NAME, new TextEncoder().encode(text))
  }

  /** The repository's folder handle (the engine worker reads models through it), or undefined before any download. */
  folder(): Promise<FileSystemDirectoryHandle | undefined> {
    return folderAt(this.opfsRoot, this.repoParts, false)
  }

  /** Deletes every file of the repository. */
  async removeAll(): Promise<void> {
    const parent = await folderAt(this.opfsRoot, this.repoParts.slice(0, -1), false)
    await parent?.removeEntry(this.repoParts[this.repoParts.length - 1]!, { recursive: true }).catch(() => undefined)
  }
}
