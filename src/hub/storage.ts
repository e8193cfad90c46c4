// Where downloaded files go, as the downloader sees it: a folder per repository (on disk in the CLI, in OPFS in
// the browser), where each file is written under a partial name and only takes its real name once verified, so
// a partial or failed file can never be read as complete.

export interface ChunkWriter {
  write(chunk: Uint8Array): Promise<void>
  close(): Promise<void>
}

export interface PartialFile {
  /** Bytes kept from an earlier attempt (0 when none). */
  size(): Promise<number>
  /** The kept bytes, in order (to hash a resumed file). */
  read(): AsyncIterable<Uint8Array>
  /** A writer that continues at `offset`; the partial file is truncated there first. */
  writeFrom(offset: number): Promise<ChunkWriter>
  /** Gives the verified file its real name. */
  commit(): Promise<void>
  discard(): Promise<void>
}

export interface RepoStore {
  /** Where `path` lives, for messages ("models/ByteDance/Hyper-SD/x.safetensors"). */
  describe(path: string): string
  partial(path: string): PartialFile
  /** The size of the complete file, or undefined when there is none. */
  completeSize(path: string): Promise<number | undefined>
  readComplete(path: string): AsyncIterable<Uint8Array>
  /** Removes the file, complete or partial. */
  remove(path: string): Promise<void>
  readManifest(): Promise<string | undefined>
  writeManifest(text: string): Promise<void>
}

export const MANIFEST_NAME = '.hypersd-download.json'
export const PARTIAL_SUFFIX = '.part'
