// Where model files come from: a local folder (Node), or URLs / user-picked files (browser).

export interface FileSource {
  /** Human-readable location used in error messages ("public/models/tiny-sd15/unet/model.onnx"). */
  describe(path: string): string
  exists(path: string): Promise<boolean>
  readBytes(path: string, onProgress?: (loaded: number, total: number) => void): Promise<Uint8Array>
  readText(path: string): Promise<string>
  /** The file's size in bytes without reading it, or undefined when the source cannot tell (no Content-Length). */
  size(path: string): Promise<number | undefined>
  /** The absolute path of `path` on the local disk, for sources that are one (Node). */
  localPath?(path: string): string
  /** Bytes [start, end) of a file without reading the rest (a safetensors header of a multi-GB file). */
  readRange?(path: string, start: number, end: number): Promise<Uint8Array>
  /** Every file under the folder `path` ('' for the root), paths relative to it, for sources that can list. */
  listFiles?(path: string): Promise<readonly ListedFile[]>
  /** A hint that these files will be read soon: sources where a read waits on the network start them now. */
  readAhead?(paths: readonly string[]): void
}

export interface ListedFile {
  /** Relative to the listed folder, '/'-separated. */
  readonly path: string
  readonly bytes: number
}

/** Joins path segments with '/', collapsing duplicate separators; works for URLs and POSIX paths. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .join('/')
    .replace(/([^:])\/{2,}/g, '$1/')
}
